/// Token sequences packed one after another with no padding: the input of every encoder.
///
/// `sequences[i]` is the range of rows of sequence `i` in `inputIDs`/`tokenTypeIDs` (and in every per-token output).
public struct TokenBatch: Sendable, Equatable {
    public private(set) var inputIDs: [Int32] = []
    public private(set) var tokenTypeIDs: [Int32] = []
    public private(set) var sequences: [Range<Int>] = []
    /// Per sequence: how many leading tokens the others attend to (the rest, ColBERT's query expansion, read the
    /// text but are not read); the sequence's length unless a shorter one was given.
    public private(set) var attendedLengths: [Int] = []

    public init() {}

    /// A batch of the given sequences.
    /// - Throws: ``ModelError/invalidInput(_:)`` when an id does not fit the 32-bit ids the kernels take.
    public init(_ sequences: [(inputIDs: [Int], tokenTypeIDs: [Int])]) throws {
        for sequence in sequences { try append(inputIDs: sequence.inputIDs, tokenTypeIDs: sequence.tokenTypeIDs) }
    }

    /// Adds one sequence; missing type ids are 0.
    /// - Throws: ``ModelError/invalidInput(_:)`` when an id does not fit in 32 bits (a tokenizer file may hold any
    ///   integer; truncating it would silently pick another token's row).
    /// `attendedLength` (default: all) is the number of leading tokens every token may attend to.
    public mutating func append(inputIDs ids: [Int], tokenTypeIDs types: [Int] = [], attendedLength: Int? = nil) throws {
        let start = inputIDs.count
        inputIDs += try ids.map { try Self.narrow($0, kind: "token id") }
        tokenTypeIDs += types.count == ids.count ? try types.map { try Self.narrow($0, kind: "token type id") } : Array(repeating: 0, count: ids.count)
        sequences.append(start..<inputIDs.count)
        attendedLengths.append(max(1, min(attendedLength ?? ids.count, ids.count)))
    }

    /// Adds sequence `index` of another batch (ids already narrowed).
    mutating func append(sequence index: Int, of other: TokenBatch) {
        let sequence = other.sequences[index]
        let start = inputIDs.count
        inputIDs += other.inputIDs[sequence]
        tokenTypeIDs += other.tokenTypeIDs[sequence]
        sequences.append(start..<inputIDs.count)
        attendedLengths.append(other.attendedLengths[index])
    }

    /// The attended lengths when some sequence hides its tail, else `nil` (every key visible).
    public var keyLimits: [Int]? {
        zip(sequences, attendedLengths).contains { $0.count > $1 && $0.count > 0 } ? attendedLengths : nil
    }

    private static func narrow(_ id: Int, kind: String) throws -> Int32 {
        guard let narrow = Int32(exactly: id) else { throw ModelError.invalidInput("\(kind) \(id) is outside the model's 32-bit id range") }
        return narrow
    }

    /// The total number of tokens.
    public var tokenCount: Int { inputIDs.count }
}

/// What an encoder returns: the last hidden state for every token of the batch, and optionally every layer's.
public struct EncoderOutput: Sendable {
    /// `[tokenCount, hiddenSize]`, rows in the batch's packed order.
    public var lastHiddenState: [Float]
    /// With `outputHiddenStates`: the embeddings output, then each layer's output, each `[tokenCount, hiddenSize]`.
    public var hiddenStates: [[Float]]
    public let hiddenSize: Int

    /// The rows of sequence `range`, as one flat `[range.count, hiddenSize]` array.
    public func tokenEmbeddings(of range: Range<Int>) -> ArraySlice<Float> {
        lastHiddenState[(range.lowerBound * hiddenSize)..<(range.upperBound * hiddenSize)]
    }
}

/// A transformer encoder: token ids in, contextual token embeddings out.
public protocol TransformerEncoder: Sendable {
    var hiddenSize: Int { get }
    /// The longest sequence the position embeddings allow.
    var maxPositionEmbeddings: Int { get }
    /// The rows of the word-embedding table: every input id must be below it.
    var vocabSize: Int { get }
    var parameterCount: Int { get }
    /// The architecture's name as `config.json` gives it (e.g. `"BertModel"`).
    var architectureName: String { get }
    func forward(_ batch: TokenBatch, outputHiddenStates: Bool) throws -> EncoderOutput
}
