/// SentencePiece-style word marking (`"type": "Metaspace"`): spaces become `replacement` (`▁`), a `▁` is put
/// before the text (`prepend_scheme` `always`, `first` = only before the start of the input, or `never`), and with
/// `split` every `▁` starts a new piece.
///
/// `"Hey friend"` → `▁Hey`, `▁friend`.
public struct Metaspace: PreTokenizer {
    public enum PrependScheme: String, Sendable { case always, first, never }

    public var replacement: Unicode.Scalar
    public var prependScheme: PrependScheme
    public var splitOnReplacement: Bool

    public init(replacement: Unicode.Scalar = "\u{2581}", prependScheme: PrependScheme = .always, split: Bool = true) {
        self.replacement = replacement
        self.prependScheme = prependScheme
        splitOnReplacement = split
    }

    init(json: JSONValue) throws {
        let fields = ComponentFields(component: "Metaspace", json: json)
        let replacementText = try fields.optionalString("replacement") ?? "\u{2581}"
        guard replacementText.unicodeScalars.count == 1, let replacement = replacementText.unicodeScalars.first else {
            throw TokenizerError.invalidField(component: "Metaspace", field: "replacement", expected: "a single character")
        }
        var scheme = PrependScheme.always
        if let name = try fields.optionalString("prepend_scheme") {
            guard let parsed = PrependScheme(rawValue: name) else {
                throw TokenizerError.invalidField(component: "Metaspace", field: "prepend_scheme", expected: "always, first or never")
            }
            scheme = parsed
        } else if let addPrefixSpace = try fields.optionalBool("add_prefix_space") {
            // Files written before prepend_scheme existed.
            scheme = addPrefixSpace ? .always : .never
        }
        self.init(replacement: replacement, prependScheme: scheme, split: try fields.bool("split", default: true))
    }

    public func split(_ text: NormalizedText) -> [NormalizedText] {
        var text = text
        let spaces = text.scalars.indices.filter { text.scalars[$0] == " " }.map { $0..<($0 + 1) }
        Replace.replace(spaces, with: [replacement], in: &text)
        if let first = text.scalars.first, first != replacement {
            switch prependScheme {
            case .always: text.prepend([replacement])
            case .first where text.origins.first == 0: text.prepend([replacement])
            default: break
            }
        }
        guard splitOnReplacement else { return text.isEmpty ? [] : [text] }
        let marks = text.scalars.indices.filter { text.scalars[$0] == replacement }.map { $0..<($0 + 1) }
        return SplitBehavior.mergedWithNext.split(text, spans: SplitBehavior.spans(count: text.count, matches: marks))
    }
}
