/// One token produced by a tokenizer model.
public struct Token: Sendable, Equatable {
    public var id: Int
    public var value: String
    /// Scalar indices in the original text.
    public var offsets: Range<Int>

    public init(id: Int, value: String, offsets: Range<Int>) {
        self.id = id
        self.value = value
        self.offsets = offsets
    }
}

/// The third stage of a tokenizer: turns one pre-tokenized word into vocabulary tokens.
public protocol TokenizerModel: Sendable {
    func tokenize(_ word: NormalizedText) -> [Token]
    func id(forToken token: String) -> Int?
    func token(forID id: Int) -> String?
    var vocabularySize: Int { get }
}
