/// The first stage of a tokenizer: rewrites text (case, accents, whitespace) while keeping track of where
/// every scalar came from.
public protocol Normalizer: Sendable {
    /// - Throws: ``TokenizerError`` when a stage cannot process the text (a regular expression over its budget).
    func normalize(_ text: inout NormalizedText) throws
}
