/// A token added on top of the model's vocabulary (`"added_tokens"` in tokenizer.json): special tokens such as
/// `[CLS]`, and user-added words. They are found in the text before the model sees it.
public struct AddedToken: Sendable, Equatable {
    public var id: Int
    public var content: String
    public var special: Bool
    /// Match only as a whole word.
    public var singleWord: Bool
    /// Swallow whitespace on the left / right of a match.
    public var lstrip: Bool
    public var rstrip: Bool
    /// Match against the normalized text (true) or the original text (false).
    public var normalized: Bool

    public init(id: Int, content: String, special: Bool, singleWord: Bool = false, lstrip: Bool = false, rstrip: Bool = false, normalized: Bool? = nil) {
        self.id = id
        self.content = content
        self.special = special
        self.singleWord = singleWord
        self.lstrip = lstrip
        self.rstrip = rstrip
        self.normalized = normalized ?? !special
    }

    init(json: JSONValue) throws {
        let fields = ComponentFields(component: "added_tokens", json: json)
        let special = try fields.bool("special", default: false)
        self.init(
            id: try fields.int("id", default: -1), content: try fields.string("content"), special: special,
            singleWord: try fields.bool("single_word", default: false), lstrip: try fields.bool("lstrip", default: false),
            rstrip: try fields.bool("rstrip", default: false), normalized: try fields.optionalBool("normalized"))
        guard id >= 0 else { throw TokenizerError.invalidField(component: "added_tokens", field: "id", expected: "a non-negative integer") }
    }
}

/// Finds added tokens in text: leftmost match first, the longest one at a position, as the reference library's
/// Aho-Corasick matcher does.
struct AddedVocabulary: Sendable {
    let tokens: [AddedToken]
    private let raw: [(scalars: [Unicode.Scalar], token: AddedToken)]
    private let normalizedTokens: [(scalars: [Unicode.Scalar], token: AddedToken)]

    init(tokens: [AddedToken], normalizer: (any Normalizer)?) {
        self.tokens = tokens
        let byLength: ([Unicode.Scalar], AddedToken) -> ([Unicode.Scalar], AddedToken) = { ($0, $1) }
        raw = tokens.filter { !$0.normalized }
            .map { byLength(Array($0.content.unicodeScalars), $0) }
            .filter { !$0.0.isEmpty }
            .sorted { $0.0.count > $1.0.count }
        normalizedTokens = tokens.filter(\.normalized)
            .map { token in
                var text = NormalizedText(Substring(token.content).unicodeScalars)
                normalizer?.normalize(&text)
                return byLength(text.scalars, token)
            }
            .filter { !$0.0.isEmpty }
            .sorted { $0.0.count > $1.0.count }
    }

    var isEmpty: Bool { tokens.isEmpty }

    /// A piece of input: text still to tokenize, or an added token already found.
    enum Segment {
        case text(NormalizedText)
        case token(Token)
    }

    /// Splits `text` on the tokens matched in the original text.
    func splitRaw(_ text: NormalizedText) -> [Segment] { split(text, with: raw) }

    /// Splits already-normalized `text` on the tokens matched after normalization.
    func splitNormalized(_ text: NormalizedText) -> [Segment] { split(text, with: normalizedTokens) }

    private func split(_ text: NormalizedText, with patterns: [(scalars: [Unicode.Scalar], token: AddedToken)]) -> [Segment] {
        guard !patterns.isEmpty else { return [.text(text)] }
        let scalars = text.scalars
        var segments: [Segment] = []
        var pending = 0
        var index = 0
        while index < scalars.count {
            guard let (pattern, token) = patterns.first(where: { matches($0.scalars, $0.token, in: scalars, at: index) }) else {
                index += 1
                continue
            }
            var start = index
            var end = index + pattern.count
            if token.lstrip { while start > pending, scalars[start - 1].isTokenizerWhitespace { start -= 1 } }
            if token.rstrip { while end < scalars.count, scalars[end].isTokenizerWhitespace { end += 1 } }
            if pending < start { segments.append(.text(text.slice(pending..<start))) }
            let span = text.slice(index..<(index + pattern.count)).originalRange ?? 0..<0
            segments.append(.token(Token(id: token.id, value: token.content, offsets: span)))
            pending = end
            index = end
        }
        if pending < scalars.count { segments.append(.text(text.slice(pending..<scalars.count))) }
        return segments
    }

    private func matches(_ pattern: [Unicode.Scalar], _ token: AddedToken, in scalars: [Unicode.Scalar], at index: Int) -> Bool {
        guard index + pattern.count <= scalars.count else { return false }
        for offset in 0..<pattern.count where scalars[index + offset] != pattern[offset] { return false }
        if token.singleWord {
            let isWord: (Unicode.Scalar) -> Bool = { $0.properties.isAlphabetic || $0.properties.numericType != nil || $0 == "_" }
            if index > 0, isWord(scalars[index - 1]) { return false }
            let end = index + pattern.count
            if end < scalars.count, isWord(scalars[end]) { return false }
        }
        return true
    }
}
