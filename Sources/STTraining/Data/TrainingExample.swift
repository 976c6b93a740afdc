/// One row of a training set: its text columns in order, and an optional label (a score or class) or label vector.
///
/// A listwise row (a query and its documents, for `LambdaLoss` or `ListNetLoss`) holds the query in `texts`, the
/// documents in `candidates` and one label per document in `labelVector`.
public struct TrainingExample: Sendable, Equatable {
    public var texts: [String]
    public var label: Float?
    public var labelVector: [Float]?
    /// The texts of a list column (a query's documents), after the columns of `texts`; nil for a row of texts only.
    public var candidates: [String]?

    public init(texts: [String], label: Float? = nil, labelVector: [Float]? = nil, candidates: [String]? = nil) {
        self.texts = texts
        self.label = label
        self.labelVector = labelVector
        self.candidates = candidates
    }
}

/// Random access to the rows of a training set.
public protocol TrainingDataSource: Sendable {
    var count: Int { get }
    func example(at index: Int) throws -> TrainingExample
}

/// A training set held in memory.
public struct InMemoryDataset: TrainingDataSource {
    public var examples: [TrainingExample]

    public init(_ examples: [TrainingExample]) { self.examples = examples }

    public var count: Int { examples.count }
    public func example(at index: Int) throws -> TrainingExample { examples[index] }
}
