/// BERT's word splitting (`"type": "BertPreTokenizer"`): whitespace separates words and is dropped; every
/// punctuation scalar is a word of its own.
///
/// `"Hey friend!"` → `Hey` (0..<3), `friend` (4..<10), `!` (10..<11).
public struct BertPreTokenizer: PreTokenizer {
    public init() {}

    public func split(_ text: NormalizedText) -> [NormalizedText] {
        var words: [NormalizedText] = []
        var start = 0
        for (index, scalar) in text.scalars.enumerated() {
            if scalar.isTokenizerWhitespace {
                if start < index { words.append(text.slice(start..<index)) }
                start = index + 1
            } else if scalar.isTokenizerPunctuation {
                if start < index { words.append(text.slice(start..<index)) }
                words.append(text.slice(index..<(index + 1)))
                start = index + 1
            }
        }
        if start < text.scalars.count { words.append(text.slice(start..<text.scalars.count)) }
        return words
    }
}
