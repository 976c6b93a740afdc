/// The `Normalize` module: every sentence embedding divided by its L2 norm (`torch.nn.functional.normalize`,
/// which divides by `max(‖x‖, 1e-12)`).
public struct Normalize: SentenceModule {
    public init() {}

    public func outputDimension(input: Int) -> Int { input }
    public var parameterCount: Int { 0 }
    public var summary: String { "Normalize()" }

    public func forward(_ features: inout Features) throws {
        Self.normalizeRows(&features.sentenceEmbeddings, dimension: features.sentenceDimension)
    }

    /// L2-normalizes each `dimension`-long row of `values` in place.
    static func normalizeRows(_ values: inout [Float], dimension: Int) {
        guard dimension > 0 else { return }
        values.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            for row in 0..<(buffer.count / dimension) {
                let x = base + row * dimension
                var sumOfSquares: Double = 0
                for c in 0..<dimension { sumOfSquares += Double(x[c]) * Double(x[c]) }
                let scale = Float(1 / Swift.max(sumOfSquares.squareRoot(), 1e-12))
                for c in 0..<dimension { x[c] *= scale }
            }
        }
    }
}
