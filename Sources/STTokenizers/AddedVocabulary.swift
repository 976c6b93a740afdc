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

/// Finds added tokens in text as the reference library's Aho-Corasick matcher does: scanning left to right, the
/// longest token at the leftmost position; the search resumes after each match, even one `single_word` rejects.
struct AddedVocabulary: Sendable {
    private struct Pattern: Sendable {
        var scalars: [Unicode.Scalar]
        var token: AddedToken
    }

    let tokens: [AddedToken]
    private let raw: [Pattern]
    private let normalizedPatterns: [Pattern]
    private let firstScalars: Set<Unicode.Scalar>

    init(tokens: [AddedToken], normalizer: (any Normalizer)?) throws {
        self.tokens = tokens
        raw = tokens.filter { !$0.normalized }
            .map { Pattern(scalars: Array($0.content.unicodeScalars), token: $0) }
            .filter { !$0.scalars.isEmpty }
            .sorted { $0.scalars.count > $1.scalars.count }
        normalizedPatterns = try tokens.filter(\.normalized)
            .map { token in
                var text = NormalizedText(Substring(token.content).unicodeScalars)
                try normalizer?.normalize(&text)
                return Pattern(scalars: text.scalars, token: token)
            }
            .filter { !$0.scalars.isEmpty }
            .sorted { $0.scalars.count > $1.scalars.count }
        firstScalars = Set((raw + normalizedPatterns).compactMap(\.scalars.first))
    }

    var isEmpty: Bool { tokens.isEmpty }

    /// A piece of input: text still to tokenize, or an added token already found (its value is the matched text,
    /// whitespace swallowed by `lstrip`/`rstrip` included, as the reference library reports it).
    enum Segment {
        case text(NormalizedText)
        case token(Token)
    }

    /// Splits `text` on the tokens matched in the original text.
    func splitRaw(_ text: NormalizedText) -> [Segment] { split(text, with: raw) }

    /// Splits already-normalized `text` on the tokens matched after normalization.
    func splitNormalized(_ text: NormalizedText) -> [Segment] { split(text, with: normalizedPatterns) }

    private func split(_ text: NormalizedText, with patterns: [Pattern]) -> [Segment] {
        guard !patterns.isEmpty, !text.isEmpty else { return [.text(text)] }
        let scalars = text.scalars
        var segments: [Segment] = []
        var pending = 0
        var index = 0
        while index < scalars.count {
            guard firstScalars.contains(scalars[index]),
                  let pattern = patterns.first(where: { matches($0.scalars, in: scalars, at: index) }) else {
                index += 1
                continue
            }
            var start = index
            var end = index + pattern.scalars.count
            index = end
            if pattern.token.singleWord {
                let wordBefore = start > 0 && scalars[start - 1].isWordCharacter
                let wordAfter = end < scalars.count && scalars[end].isWordCharacter
                if wordBefore || wordAfter { continue }
            }
            if pattern.token.lstrip { while start > pending, scalars[start - 1].isTokenizerWhitespace { start -= 1 } }
            if pattern.token.rstrip { while end < scalars.count, scalars[end].isTokenizerWhitespace { end += 1 } }
            if pending < start { segments.append(.text(text.slice(pending..<start))) }
            let matched = String(String.UnicodeScalarView(scalars[start..<end]))
            segments.append(.token(Token(id: pattern.token.id, value: matched, offsets: text.originalRange(of: start..<end))))
            pending = end
            index = end
        }
        if pending < scalars.count { segments.append(.text(text.slice(pending..<scalars.count))) }
        return segments
    }

    private func matches(_ pattern: [Unicode.Scalar], in scalars: [Unicode.Scalar], at index: Int) -> Bool {
        guard index + pattern.count <= scalars.count else { return false }
        for offset in 0..<pattern.count where scalars[index + offset] != pattern[offset] { return false }
        return true
    }
}
