/// The first stage of a tokenizer: rewrites text (case, accents, whitespace) while keeping track of where
/// every scalar came from.
public protocol Normalizer: Sendable {
    func normalize(_ text: inout NormalizedText)
}
