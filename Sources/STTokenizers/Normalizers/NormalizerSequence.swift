/// Normalizers applied one after another (`"type": "Sequence"`).
public struct NormalizerSequence: Normalizer {
    public var normalizers: [any Normalizer]

    public init(_ normalizers: [any Normalizer]) { self.normalizers = normalizers }

    public func normalize(_ text: inout NormalizedText) throws {
        for normalizer in normalizers { try normalizer.normalize(&text) }
    }
}
