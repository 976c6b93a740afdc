/// What a loss sees of a batch: the sentence embeddings of each text column, and the labels.
public struct LossInput: Sendable {
    /// One matrix per text column, row-major `[rows, dimension]`; row `i` of every column belongs to example `i`.
    public var columns: [[Float]]
    public var dimension: Int
    /// One label per example (a similarity score, a class, 0/1), or empty.
    public var labels: [Float]
    /// One target vector per example, row-major `[rows, labelDimension]` (MSELoss: a teacher's embeddings), or empty.
    public var labelVectors: [Float]
    /// The number of candidates of each example of a listwise batch (its documents, and its labels in
    /// `labelVectors`), or empty.
    public var listLengths: [Int]

    public init(columns: [[Float]], dimension: Int, labels: [Float] = [], labelVectors: [Float] = [], listLengths: [Int] = []) {
        self.columns = columns
        self.dimension = dimension
        self.labels = labels
        self.labelVectors = labelVectors
        self.listLengths = listLengths
    }

    /// The number of examples (rows of the first column).
    public var rows: Int { dimension > 0 ? (columns.first?.count ?? 0) / dimension : 0 }
}

/// A loss value and its gradient with respect to each column's embeddings (same shapes as ``LossInput/columns``).
public struct LossOutput: Sendable {
    public var loss: Double
    public var gradients: [[Float]]
}

/// A training objective over sentence embeddings, named and parameterized as its sentence-transformers class.
///
/// A loss only sees embeddings: the trainer runs the model forward for each column, asks the loss for its value and
/// the gradient of the embeddings, then runs the model backward.
public protocol SentenceLoss: Sendable {
    /// The Python class name (`"MultipleNegativesRankingLoss"`), as the model card records it.
    var name: String { get }
    /// The constructor arguments, as the model card records them.
    var parameters: [String: String] { get }
    /// Computes the loss and the gradient of each column's embeddings.
    func compute(_ input: LossInput) throws -> LossOutput
    /// Rows per forward/backward chunk (GradCache); nil runs each column in one pass.
    var miniBatchSize: Int? { get }
    /// Parameters the loss itself trains (SoftmaxLoss's classifier), or nil.
    var trainableParameters: ParameterSet? { get }
}

extension SentenceLoss {
    public var miniBatchSize: Int? { nil }
    public var trainableParameters: ParameterSet? { nil }

    /// Checks the number of columns and labels a loss needs.
    func require(_ input: LossInput, columns: ClosedRange<Int>, labels: Bool) throws {
        guard columns.contains(input.columns.count) else {
            throw TrainingError.invalidInput("\(name) takes \(columns.lowerBound == columns.upperBound ? "\(columns.lowerBound)" : "\(columns.lowerBound) to \(columns.upperBound)") text columns, got \(input.columns.count)")
        }
        for column in input.columns where column.count != input.columns[0].count {
            throw TrainingError.invalidInput("\(name): every column must have as many rows as the first")
        }
        if labels, input.labels.count != input.rows {
            throw TrainingError.invalidInput("\(name) needs one label per example: \(input.labels.count) labels for \(input.rows) examples")
        }
        if input.rows == 0 { throw TrainingError.invalidInput("\(name): empty batch") }
    }
}

/// The similarity functions losses take (`util.cos_sim`, `util.dot_score`), with their gradients.
public enum PairSimilarity: String, Sendable {
    case cosine = "cos_sim"
    case dotProduct = "dot_score"

    func value(_ a: ArraySlice<Double>, _ b: ArraySlice<Double>) -> Double {
        switch self {
        case .cosine: return LossMath.cosine(a, b)
        case .dotProduct: return LossMath.dot(a, b)
        }
    }

    /// Adds `upstream · ∂sim/∂a` to `da` and `upstream · ∂sim/∂b` to `db`.
    func backward(_ a: ArraySlice<Double>, _ b: ArraySlice<Double>, upstream: Double,
                  da: inout ArraySlice<Double>, db: inout ArraySlice<Double>) {
        switch self {
        case .cosine: LossMath.cosineBackward(a, b, upstream: upstream, da: &da, db: &db)
        case .dotProduct:
            for (k, (x, y)) in zip(a.indices, zip(a, b)) {
                da[k] += upstream * y
                db[db.startIndex + (k - a.startIndex)] += upstream * x
            }
        }
    }
}
