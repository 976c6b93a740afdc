/// How well a cross-encoder's scores follow gold similarity scores, as sentence-transformers 6.2's
/// `CrossEncoderCorrelationEvaluator`: Pearson and Spearman correlation of `predict` (the model's activation) against
/// the pairs' scores; keys `pearson`, `spearman` (prefixed with the name), primary `spearman`.
public struct CrossEncoderCorrelationEvaluator: CrossEncoderEvaluator {
    public var pairs: [ScoredPair]
    public var name: String
    public var batchSize: Int

    /// - Throws: ``SentenceTransformerError/invalidArgument(_:)`` for fewer than two pairs, a score that is not a
    ///   number, or a `batchSize` below 1.
    public init(pairs: [ScoredPair], name: String = "", batchSize: Int = 32) throws {
        guard pairs.count >= 2 else { throw SentenceTransformerError.invalidArgument("CrossEncoderCorrelationEvaluator needs at least two pairs") }
        if let bad = pairs.first(where: { !$0.score.isFinite }) {
            throw SentenceTransformerError.invalidArgument("CrossEncoderCorrelationEvaluator: score \(bad.score) is not a number")
        }
        guard batchSize > 0 else { throw SentenceTransformerError.invalidArgument("batchSize must be positive, got \(batchSize)") }
        self.pairs = pairs
        self.name = name
        self.batchSize = batchSize
    }

    public var primaryMetric: String { prefixed("spearman") }

    /// - Throws: ``SentenceTransformerError/invalidArgument(_:)`` for a model with several labels.
    public func validate(for model: CrossEncoder) throws {
        guard model.numLabels == 1 else {
            throw SentenceTransformerError.invalidArgument("correlation needs one score per pair; this cross-encoder has \(model.numLabels) labels")
        }
    }

    func prefixed(_ key: String) -> String { name.isEmpty ? key : "\(name)_\(key)" }

    /// - Throws: the model's errors; ``SentenceTransformerError/invalidArgument(_:)`` for a model with several labels.
    public func evaluate(_ model: CrossEncoder) throws -> [String: Double] {
        try validate(for: model)
        let predicted = try model.predict(pairs.map { ($0.first, $0.second) }, batchSize: batchSize).values.map(Double.init)
        let gold = pairs.map(\.score)
        return [prefixed("pearson"): Correlation.pearson(gold, predicted), prefixed("spearman"): Correlation.spearman(gold, predicted)]
    }
}
