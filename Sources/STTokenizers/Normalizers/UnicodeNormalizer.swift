import Foundation

/// Unicode normalization forms (`"type": "NFC" | "NFD" | "NFKC" | "NFKD"`), applied one grapheme cluster at a time
/// so that every scalar keeps track of where it came from.
public struct UnicodeNormalizer: Normalizer {
    public enum Form: String, Sendable, CaseIterable {
        case nfc = "NFC", nfd = "NFD", nfkc = "NFKC", nfkd = "NFKD"
    }

    public let form: Form

    public init(_ form: Form) { self.form = form }

    public func normalize(_ text: inout NormalizedText) {
        guard text.scalars.contains(where: { !$0.isASCII }) else { return }
        text.rewrite(chunks: Self.graphemeClusters(of: text.scalars)) { chunk in
            if chunk.allSatisfy(\.isASCII) { return nil }
            let normalized = Array(apply(String(String.UnicodeScalarView(chunk))).unicodeScalars)
            return normalized.elementsEqual(chunk) ? nil : normalized
        }
    }

    func apply(_ string: String) -> String {
        switch form {
        case .nfc: return string.precomposedStringWithCanonicalMapping
        case .nfd: return string.decomposedStringWithCanonicalMapping
        case .nfkc: return string.precomposedStringWithCompatibilityMapping
        case .nfkd: return string.decomposedStringWithCompatibilityMapping
        }
    }

    /// The ranges of `scalars` that make up each extended grapheme cluster.
    static func graphemeClusters(of scalars: [Unicode.Scalar]) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var position = 0
        for character in String(String.UnicodeScalarView(scalars)) {
            let length = character.unicodeScalars.count
            ranges.append(position..<(position + length))
            position += length
        }
        return ranges
    }
}
