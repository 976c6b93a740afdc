/// Something that scores a cross-encoder on data and reports metrics under the Python evaluators' key names (the
/// evaluators of `sentence_transformers.cross_encoder.evaluation`).
public protocol CrossEncoderEvaluator: Sendable {
    /// Prefix of every key (`"scifact"` gives `scifact_ndcg@10`); empty for none.
    var name: String { get }
    /// The key of the metric that summarizes the result, prefixed.
    var primaryMetric: String { get }
    /// The primary metric's key for `model` (by default ``primaryMetric``; a classification evaluator's depends on the
    /// model's number of labels).
    func primaryMetric(for model: CrossEncoder) -> String
    /// - Throws: the model's errors, or ``SentenceTransformerError/invalidArgument(_:)`` for data it cannot score.
    func evaluate(_ model: CrossEncoder) throws -> [String: Double]
    /// Checks, without scoring anything, that ``evaluate(_:)`` can score `model` on this data (a trainer asks before
    /// its first step, so that a run does not train for hours to fail at its evaluation).
    /// - Throws: ``SentenceTransformerError/invalidArgument(_:)`` for data the model cannot be evaluated on.
    func validate(for model: CrossEncoder) throws
}

extension CrossEncoderEvaluator {
    public func primaryMetric(for model: CrossEncoder) -> String { primaryMetric }
}
