import Foundation

/// The `Pooling` module: token embeddings → one sentence embedding per sequence, one block per mode, concatenated
/// in the configured order.
///
/// Only real tokens take part (the batch is packed, so there is no padding to mask); with `includePrompt` false the
/// prompt's tokens are left out of every mode but `cls`.
public struct Pooling: SentenceModule {
    public let configuration: PoolingConfiguration

    public init(configuration: PoolingConfiguration) {
        self.configuration = configuration
    }

    /// Loads `config.json` from the module's folder.
    public init(directory: URL) throws {
        self.init(configuration: try JSONFile.decode(PoolingConfiguration.self, from: directory.appendingPathComponent("config.json")))
    }

    public var output: ModuleOutput { .sentenceEmbedding }
    public func outputDimension(input: Int) -> Int { input * configuration.poolingModes.count }
    public var parameterCount: Int { 0 }
    public var summary: String {
        "Pooling(modes: \(configuration.poolingModes.map(\.rawValue).joined(separator: ", ")), include_prompt: \(configuration.includePrompt))"
    }

    /// Writes `config.json` in the v6 format.
    public func save(to folder: URL) throws {
        var object: [String: Any] = ["pooling_mode": configuration.poolingModes.count == 1 ? configuration.poolingModes[0].rawValue as Any
                                                                                               : configuration.poolingModes.map(\.rawValue) as Any,
                                     "include_prompt": configuration.includePrompt]
        if let dimension = configuration.embeddingDimension { object["embedding_dimension"] = dimension }
        try ModelDirectory.writeJSON(object, to: folder.appendingPathComponent("config.json"))
    }

    public func forward(_ features: inout Features) throws {
        guard features.vocabularyHead == nil else {
            throw SentenceTransformerError.invalidArgument("Pooling cannot follow a fill-mask Transformer (its output is vocabulary logits): use SpladePooling")
        }
        let dimension = features.tokenDimension
        if let expected = configuration.embeddingDimension, expected != dimension {
            throw SentenceTransformerError.invalidArgument("Pooling expects token embeddings of dimension \(expected), got \(dimension)")
        }
        let modes = configuration.poolingModes
        let outputDimension = dimension * modes.count
        var output = [Float](repeating: 0, count: features.sequences.count * outputDimension)
        features.tokenEmbeddings.withUnsafeBufferPointer { tokens in
            output.withUnsafeMutableBufferPointer { result in
                guard let x = tokens.baseAddress, let y = result.baseAddress else { return }
                for (index, sequence) in features.sequences.enumerated() {
                    let skip = configuration.includePrompt ? 0 : min(features.promptLengths[index], sequence.count)
                    for (block, mode) in modes.enumerated() {
                        Self.pool(mode, x, sequence: sequence, skip: skip, dimension: dimension,
                                  into: y + index * outputDimension + block * dimension)
                    }
                }
            }
        }
        features.sentenceEmbeddings = output
        features.sentenceDimension = outputDimension
    }

    /// Pools the rows `sequence` of `x` (`[tokens, dimension]`), leaving out the first `skip` rows except for `cls`.
    static func pool(_ mode: PoolingMode, _ x: UnsafePointer<Float>, sequence: Range<Int>, skip: Int, dimension: Int,
                     into y: UnsafeMutablePointer<Float>) {
        let rows = (sequence.lowerBound + skip)..<sequence.upperBound
        let count = Float(rows.count)
        switch mode {
        case .cls:
            guard !sequence.isEmpty else { return }
            y.update(from: x + sequence.lowerBound * dimension, count: dimension)
        case .max:
            // No real token: sentence-transformers fills masked positions with -inf and so returns -inf.
            for c in 0..<dimension { y[c] = rows.isEmpty ? -.infinity : x[rows.lowerBound * dimension + c] }
            for row in rows.dropFirst() {
                for c in 0..<dimension { y[c] = Swift.max(y[c], x[row * dimension + c]) }
            }
        case .mean, .meanSqrtLenTokens:
            for row in rows { for c in 0..<dimension { y[c] += x[row * dimension + c] } }
            let divisor = mode == .mean ? Swift.max(count, 1e-9) : Swift.max(count, 1e-9).squareRoot()
            for c in 0..<dimension { y[c] /= divisor }
        case .weightedmean:
            // Weights are positions counted from 1 at the sequence's first token.
            var totalWeight: Float = 0
            for row in rows {
                let weight = Float(row - sequence.lowerBound + 1)
                totalWeight += weight
                for c in 0..<dimension { y[c] += weight * x[row * dimension + c] }
            }
            for c in 0..<dimension { y[c] /= Swift.max(totalWeight, 1e-9) }
        case .lasttoken:
            guard let last = rows.last else { return }
            y.update(from: x + last * dimension, count: dimension)
        }
    }
}
