/// Splits on whitespace, which is dropped (`"type": "WhitespaceSplit"`).
///
/// `"Hey  friend!"` → `Hey` (0..<3), `friend!` (5..<12).
public struct WhitespaceSplit: PreTokenizer {
    public init() {}

    public func split(_ text: NormalizedText) -> [NormalizedText] {
        let matches = text.scalars.indices.filter { text.scalars[$0].isTokenizerWhitespace }.map { $0..<($0 + 1) }
        return SplitBehavior.removed.split(text, spans: SplitBehavior.spans(count: text.count, matches: matches))
    }
}

/// Words and runs of punctuation, as the regex `\w+|[^\w\s]+` finds them; whitespace is dropped
/// (`"type": "Whitespace"`).
///
/// `"Hey friend!!"` → `Hey`, `friend`, `!!`.
public struct WhitespacePreTokenizer: PreTokenizer {
    public init() {}

    public func split(_ text: NormalizedText) -> [NormalizedText] {
        var pieces: [NormalizedText] = []
        var index = 0
        let scalars = text.scalars
        while index < scalars.count {
            if scalars[index].isTokenizerWhitespace { index += 1; continue }
            let isWord = scalars[index].isWordCharacter
            var end = index + 1
            while end < scalars.count, !scalars[end].isTokenizerWhitespace, scalars[end].isWordCharacter == isWord { end += 1 }
            pieces.append(text.slice(index..<end))
            index = end
        }
        return pieces
    }
}
