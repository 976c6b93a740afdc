/// What flows through the modules after the transformer, for one batch of packed sequences.
public struct Features: Sendable {
    /// `[tokens, tokenDimension]`, the sequences one after another.
    public var tokenEmbeddings: [Float]
    public var tokenDimension: Int
    /// Rows of each sequence in ``tokenEmbeddings``.
    public var sequences: [Range<Int>]
    /// Per sequence: how many leading tokens belong to the prompt (`[CLS]` included), 0 without a prompt.
    public var promptLengths: [Int]
    /// `[sequences.count, sentenceDimension]`, set by pooling.
    public var sentenceEmbeddings: [Float] = []
    public var sentenceDimension: Int = 0

    public init(tokenEmbeddings: [Float], tokenDimension: Int, sequences: [Range<Int>], promptLengths: [Int]? = nil) {
        self.tokenEmbeddings = tokenEmbeddings
        self.tokenDimension = tokenDimension
        self.sequences = sequences
        self.promptLengths = promptLengths ?? Array(repeating: 0, count: sequences.count)
    }
}

/// A module of the pipeline after the transformer (Pooling, Dense, Normalize).
public protocol SentenceModule: Sendable {
    /// The output dimension given the input dimension.
    func outputDimension(input: Int) -> Int
    func forward(_ features: inout Features) throws
    var parameterCount: Int { get }
    /// A one-line summary, like the Python module's repr.
    var summary: String { get }
}
