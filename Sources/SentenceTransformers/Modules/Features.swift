import Foundation
import STModels
import STTokenizers

/// What flows through the modules for one batch: the input module fills the token or sentence outputs from the
/// encodings, and each later module reads and writes the outputs it works on.
///
/// The outputs are typed: dense per-token rows (``tokenEmbeddings``), dense sentence vectors
/// (``sentenceEmbeddings``), sparse sentence vectors (``sparseEmbeddings``), and which token rows count for scoring
/// (``scoringMask``, multi-vector models).
public struct Features: Sendable {
    /// The tokenized inputs, one per sequence (what the input module reads).
    public var encodings: [Encoding]
    /// The task the inputs are encoded for (`"query"`, `"document"`, …; a ``Router`` picks its route by it).
    public var task: String?
    /// `[tokens, tokenDimension]`, the sequences one after another.
    public var tokenEmbeddings: [Float] = []
    public var tokenDimension: Int = 0
    /// Rows of each sequence in ``tokenEmbeddings``.
    public var sequences: [Range<Int>] = []
    /// Per sequence: how many leading tokens belong to the prompt (`[CLS]` included), 0 without a prompt.
    public var promptLengths: [Int]
    /// Set by a `fill-mask` ``Transformer``: the head that turns a token row into vocabulary logits. The logits of a
    /// batch (tokens × vocabulary) are too large to keep, so the module that reads them (``SpladePooling``) applies
    /// the head a few rows at a time.
    public var vocabularyHead: MaskedLanguageModelHead?
    /// Per token row: whether it takes part in scoring (``MultiVectorMask``); `nil` = every row.
    public var scoringMask: [Bool]?
    /// `[sequences.count, sentenceDimension]`, set by pooling.
    public var sentenceEmbeddings: [Float] = []
    public var sentenceDimension: Int = 0
    /// One sparse vector per sequence (``SpladePooling``, ``SparseStaticEmbedding``).
    public var sparseEmbeddings: [SparseVector]?

    /// Features holding `encodings`, before the input module runs.
    public init(encodings: [Encoding], promptLengths: [Int]? = nil, task: String? = nil) {
        self.encodings = encodings
        self.promptLengths = promptLengths.flatMap { $0.count == encodings.count ? $0 : nil }
            ?? Array(repeating: 0, count: encodings.count)
        self.task = task
    }

    /// Features holding token embeddings already computed (tests, training).
    public init(tokenEmbeddings: [Float], tokenDimension: Int, sequences: [Range<Int>], promptLengths: [Int]? = nil) {
        self.encodings = []
        self.tokenEmbeddings = tokenEmbeddings
        self.tokenDimension = tokenDimension
        self.sequences = sequences
        self.promptLengths = promptLengths ?? Array(repeating: 0, count: sequences.count)
    }
}

/// What a module leaves in ``Features`` for the modules after it; a model kind asks its route for the last one
/// (``ModulePipeline/Route/output``) instead of looking for module types.
public enum ModuleOutput: Sendable, Equatable {
    /// Token rows (``Features/tokenEmbeddings``): a Transformer.
    case tokenEmbeddings
    /// One dense vector per text (``Features/sentenceEmbeddings``): Pooling, StaticEmbedding.
    case sentenceEmbedding
    /// One sparse vector per text (``Features/sparseEmbeddings``): SpladePooling, SparseStaticEmbedding.
    case sparseEmbedding
    /// The kind of output it read, transformed (Dense, Normalize, MultiVectorMask).
    case sameAsInput
}

/// A module of the pipeline (Pooling, Dense, Normalize, SpladePooling, …). Modules load by their `modules.json`
/// type through ``ModuleRegistry``.
public protocol SentenceModule: Sendable {
    /// What the module produces.
    var output: ModuleOutput { get }
    /// The width of input the module needs, when it needs one (a Dense module's `in_features`); the pipeline checks
    /// every route against it at load.
    var inputDimension: Int? { get }
    /// The output dimension given the input dimension.
    func outputDimension(input: Int) -> Int
    /// - Throws: ``SentenceTransformerError`` when the features are not what the module reads.
    func forward(_ features: inout Features) throws
    var parameterCount: Int { get }
    /// A one-line summary, like the Python module's repr.
    var summary: String { get }
    /// Writes the module's files into `folder`, in the format sentence-transformers reads.
    /// - Throws: the file system's error, or ``SentenceTransformerError/invalidArgument(_:)`` for a module that
    ///   cannot be saved.
    func save(to folder: URL) throws
}

extension SentenceModule {
    public var inputDimension: Int? { nil }

    public func save(to folder: URL) throws {
        throw SentenceTransformerError.invalidArgument("\(summary) cannot be saved")
    }
}

/// The first module of a pipeline: it owns tokenization and turns ``Features/encodings`` into the first outputs
/// (a ``Transformer``: token embeddings; a ``StaticEmbedding``: sentence embeddings; a ``SparseStaticEmbedding``:
/// sparse vectors).
public protocol InputModule: SentenceModule {
    /// The tokenizer as this module uses it (truncation set, no padding).
    var tokenizer: Tokenizer { get }
    /// Lowercase texts before tokenizing.
    var doLowerCase: Bool { get }
    /// Whether tokenization adds the tokenizer's special tokens (`[CLS]`, `[SEP]`); static modules add none.
    var addsSpecialTokens: Bool { get }
    /// Inputs longer than this many tokens are truncated; `Int.max` = no limit (Python: `math.inf`).
    var maxSeqLength: Int { get }
    /// Every input id must be below this.
    var vocabularySize: Int { get }
    /// The width of this module's output (token rows or sentence vectors).
    var outputDimension: Int { get }
    /// Tokenizes one text as the model sees it for `task` (`"query"`, `"document"` or `nil`; a multi-vector
    /// Transformer truncates and expands queries and documents differently).
    /// - Throws: ``TokenizerError`` when the tokenizer cannot process the text.
    func tokenize(_ text: String, task: String?) throws -> Encoding
    /// The number of leading tokens `prompt` puts before a text, as sentence-transformers counts them for
    /// `include_prompt` (0 for `""`).
    func promptLength(of prompt: String) throws -> Int
}

extension InputModule {
    public func outputDimension(input: Int) -> Int { outputDimension }
}
