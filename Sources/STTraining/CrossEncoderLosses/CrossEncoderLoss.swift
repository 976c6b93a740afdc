/// A training objective over a cross-encoder's logits, named and parameterized as its class in
/// `sentence_transformers.cross_encoder.losses` (the types live in ``CrossEncoderLosses``, as Python's do in that
/// module, because several share a name with a bi-encoder loss).
///
/// A loss decides which pairs the model scores for a batch of text columns (``pairGroups(_:)``: one group per
/// forward pass, each row `i` built from example `i`), then turns the logits of every group into a value and their
/// gradients. ``LossInput/columns`` holds each group's logits `[rows, numLabels]`, `dimension` is the number of labels.
public protocol CrossEncoderLoss: Sendable {
    /// The Python class name (`"BinaryCrossEntropyLoss"`), as the model card records it.
    var name: String { get }
    /// The constructor arguments, as the model card records them.
    var parameters: [String: String] { get }
    /// The number of logits per pair the loss needs (nil: any).
    var numLabels: Int? { get }
    /// The pairs to score for text columns `[anchor, candidate, …]` (each column one text per example).
    /// - Throws: ``TrainingError/invalidInput(_:)`` for a column count the loss does not take.
    func pairGroups(_ columns: [[String]]) throws -> [[(String, String)]]
    /// The pairs to score for a batch of examples: by default ``pairGroups(_:)`` over their text columns; the
    /// listwise losses pair each query with its list of documents (``TrainingExample/candidates``).
    /// - Throws: ``TrainingError/invalidInput(_:)`` for examples the loss does not take.
    func pairGroups(examples: [TrainingExample]) throws -> [[(String, String)]]
    /// Pairs per forward chunk with a gradient cache (GradCache: every chunk scored without keeping activations, the
    /// loss's logit gradients computed, then each chunk run again and back-propagated), or nil: each pair group is
    /// one forward pass with its activations kept.
    var cachedMiniBatchSize: Int? { get }
    /// The loss and the gradient of each group's logits.
    /// - Throws: ``TrainingError/invalidInput(_:)`` for labels that do not fit the loss.
    func compute(_ input: LossInput) throws -> LossOutput
}

/// The cross-encoder losses of sentence-transformers 6.2, by their Python names.
public enum CrossEncoderLosses {}

extension CrossEncoderLoss {
    public var numLabels: Int? { 1 }
    public var cachedMiniBatchSize: Int? { nil }

    public func pairGroups(examples: [TrainingExample]) throws -> [[(String, String)]] {
        if examples.contains(where: { $0.candidates != nil }) {
            throw TrainingError.invalidInput("\(name) takes text columns, not a list of documents per row (that is for LambdaLoss or ListNetLoss)")
        }
        return try pairGroups(textColumns(examples))
    }

    /// Two columns scored as pairs `(column 0, column 1)`: the pointwise losses.
    func pointwise(_ columns: [[String]]) throws -> [[(String, String)]] {
        guard columns.count == 2 else {
            throw TrainingError.invalidInput("\(name) expects a dataset with two text columns (anchor, candidate) and a label, got \(columns.count) text columns")
        }
        return [Array(zip(columns[0], columns[1]))]
    }

    /// One logit per example in one group, and one finite label each.
    func pointwiseLogits(_ input: LossInput) throws -> (logits: [Double], labels: [Double]) {
        guard input.columns.count == 1, input.dimension == 1 else {
            throw TrainingError.invalidInput("\(name) expects one logit per pair, got \(input.dimension)")
        }
        guard input.labels.count == input.columns[0].count, !input.labels.isEmpty else {
            throw TrainingError.invalidInput("\(name) expects \(input.columns[0].count) labels (one per example), got \(input.labels.count)")
        }
        if let bad = input.labels.first(where: { !$0.isFinite }) { throw TrainingError.invalidInput("\(name): label \(bad) is not a number") }
        return (input.columns[0].map(Double.init), input.labels.map(Double.init))
    }
}
