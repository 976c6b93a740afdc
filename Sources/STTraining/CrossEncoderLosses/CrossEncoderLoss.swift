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
    /// The loss and the gradient of each group's logits.
    /// - Throws: ``TrainingError/invalidInput(_:)`` for labels that do not fit the loss.
    func compute(_ input: LossInput) throws -> LossOutput
}

/// The cross-encoder losses of sentence-transformers 6.2, by their Python names.
public enum CrossEncoderLosses {}

extension CrossEncoderLoss {
    public var numLabels: Int? { 1 }

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
