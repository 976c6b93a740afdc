/// The second stage of a tokenizer: splits normalized text into words that the model tokenizes one by one.
public protocol PreTokenizer: Sendable {
    func split(_ text: NormalizedText) -> [NormalizedText]
}
