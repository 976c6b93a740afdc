/// The second stage of a tokenizer: splits normalized text into words that the model tokenizes one by one.
public protocol PreTokenizer: Sendable {
    /// - Throws: ``TokenizerError`` when a stage cannot process the text (a regular expression over its budget).
    func split(_ text: NormalizedText) throws -> [NormalizedText]
}
