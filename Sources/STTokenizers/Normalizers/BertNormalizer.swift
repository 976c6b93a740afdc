/// BERT's text cleaning (`"type": "BertNormalizer"`).
///
/// In order: `cleanText` drops U+0000, U+FFFD and control/format/unassigned/private-use scalars (but keeps
/// `\t \n \r`) and turns every whitespace scalar into a space; `handleChineseChars` puts spaces around CJK
/// ideographs; `stripAccents` decomposes (NFD) and drops non-spacing marks; `lowercase` applies the full lowercase
/// mapping. A null `strip_accents` follows `lowercase`, as in BERT's uncased models.
public struct BertNormalizer: Normalizer {
    public var cleanText: Bool
    public var handleChineseChars: Bool
    public var stripAccents: Bool
    public var lowercase: Bool

    public init(cleanText: Bool = true, handleChineseChars: Bool = true, stripAccents: Bool? = nil, lowercase: Bool = true) {
        self.cleanText = cleanText
        self.handleChineseChars = handleChineseChars
        self.stripAccents = stripAccents ?? lowercase
        self.lowercase = lowercase
    }

    init(json: JSONValue) throws {
        let fields = ComponentFields(component: "BertNormalizer", json: json)
        self.init(
            cleanText: try fields.bool("clean_text", default: true),
            handleChineseChars: try fields.bool("handle_chinese_chars", default: true),
            stripAccents: try fields.optionalBool("strip_accents"),
            lowercase: try fields.bool("lowercase", default: true))
    }

    private static let space: [Unicode.Scalar] = [" "]

    public func normalize(_ text: inout NormalizedText) {
        if cleanText {
            text.transform { scalar in
                if scalar.value == 0 || scalar.value == 0xFFFD || scalar.isTokenizerControl { return [] }
                if scalar != " " && scalar.isTokenizerWhitespace { return Self.space }
                return nil
            }
        }
        if handleChineseChars {
            text.transform { $0.isCJKIdeograph ? [" ", $0, " "] : nil }
        }
        if stripAccents {
            text.transform { scalar in
                if scalar.isASCII { return nil }
                let decomposed = scalar.canonicalDecomposition ?? [scalar]
                let kept = decomposed.filter { !$0.isNonspacingMark }
                return kept == [scalar] ? nil : kept
            }
        }
        if lowercase {
            text.transform { $0.lowercaseMapping }
        }
    }
}
