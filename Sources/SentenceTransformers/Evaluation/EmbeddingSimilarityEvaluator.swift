/// Correlation between a model's similarity of sentence pairs and gold scores (STS), as sentence-transformers'
/// `EmbeddingSimilarityEvaluator`: Pearson and Spearman for cosine, dot, Euclidean and Manhattan
/// (`pearson_cosine`, `spearman_cosine`, …); the primary metric is `spearman_cosine`.
///
/// ```swift
/// let pairs = try STSBenchmark.load(URL(fileURLWithPath: "sts-test.csv"))
/// let metrics = try EmbeddingSimilarityEvaluator(pairs: pairs, name: "sts-test").evaluate(model)
/// ```
public struct EmbeddingSimilarityEvaluator: SentenceEvaluator {
    public var sentences1: [String]
    public var sentences2: [String]
    public var scores: [Double]
    public var batchSize: Int
    public var name: String

    public init(sentences1: [String], sentences2: [String], scores: [Double], batchSize: Int = 16, name: String = "") {
        self.sentences1 = sentences1
        self.sentences2 = sentences2
        self.scores = scores
        self.batchSize = batchSize
        self.name = name
    }

    public init(pairs: [ScoredPair], batchSize: Int = 16, name: String = "") {
        self.init(sentences1: pairs.map(\.first), sentences2: pairs.map(\.second), scores: pairs.map(\.score), batchSize: batchSize, name: name)
    }

    public var primaryMetric: String { name.isEmpty ? "spearman_cosine" : "\(name)_spearman_cosine" }

    /// The model's scores of each pair, by function.
    public func similarities(_ model: SentenceTransformer) throws -> [SimilarityFunction: [Double]] {
        guard sentences1.count == sentences2.count, sentences1.count == scores.count else {
            throw SentenceTransformerError.invalidArgument("sentences1, sentences2 and scores must have the same length")
        }
        let first = try model.encode(sentences1, batchSize: batchSize)
        let second = try model.encode(sentences2, batchSize: batchSize)
        var result: [SimilarityFunction: [Double]] = [:]
        for function in SimilarityFunction.allCases {
            result[function] = try function.pairwise(first, second).map(Double.init)
        }
        return result
    }

    public func evaluate(_ model: SentenceTransformer) throws -> [String: Double] {
        var metrics: [String: Double] = [:]
        for (function, predicted) in try similarities(model) {
            metrics["pearson_\(function.rawValue)"] = Correlation.pearson(predicted, scores)
            metrics["spearman_\(function.rawValue)"] = Correlation.spearman(predicted, scores)
        }
        return prefixed(metrics)
    }
}
