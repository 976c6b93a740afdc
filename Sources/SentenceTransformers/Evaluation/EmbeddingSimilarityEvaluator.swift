/// Correlation between a model's similarity of sentence pairs and gold scores (STS), as sentence-transformers'
/// `EmbeddingSimilarityEvaluator`: Pearson and Spearman for the model's similarity function (`pearson_cosine`,
/// `spearman_cosine`), or for each of ``similarityFnNames`` (with `pearson_max` and `spearman_max` when there are two
/// or more); the primary metric is Spearman's (`spearman_cosine`, or `spearman_max`).
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
    /// The functions to score with (Python: `similarity_fn_names`); nil = the model's similarity function.
    public var similarityFnNames: [SimilarityFunction]?
    /// Called with the texts embedded so far and the total (Python: `show_progress_bar`).
    public var progress: (@Sendable (_ done: Int, _ total: Int) -> Void)?

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

    /// For a cosine model without ``similarityFnNames``; ``primaryMetric(for:)`` follows the model.
    public var primaryMetric: String { prefixed(key: Self.primaryKey(similarityFnNames ?? [.cosine])) }

    public func primaryMetric(for model: SentenceTransformer) -> String {
        prefixed(key: Self.primaryKey(similarityFnNames ?? [model.similarityFunction]))
    }

    static func primaryKey(_ functions: [SimilarityFunction]) -> String {
        functions.count > 1 ? "spearman_max" : "spearman_\(functions.first?.rawValue ?? "cosine")"
    }

    /// The model's scores of each pair, by function (`functions` nil = this evaluator's: ``similarityFnNames``,
    /// else the model's).
    public func similarities(_ model: SentenceTransformer, functions: [SimilarityFunction]? = nil) throws -> [SimilarityFunction: [Double]] {
        guard sentences1.count == sentences2.count, sentences1.count == scores.count else {
            throw SentenceTransformerError.invalidArgument("sentences1, sentences2 and scores must have the same length")
        }
        let functions = try functions ?? EvaluatorFunctions.resolve(similarityFnNames, model: model)
        let embedded = try EvaluatorFunctions.encode([sentences1, sentences2], model: model, batchSize: batchSize, progress: progress)
        var result: [SimilarityFunction: [Double]] = [:]
        for function in functions {
            result[function] = try function.pairwise(embedded[0], embedded[1]).map(Double.init)
        }
        return result
    }

    public func evaluate(_ model: SentenceTransformer) throws -> [String: Double] {
        var metrics: [String: Double] = [:]
        let functions = try EvaluatorFunctions.resolve(similarityFnNames, model: model)
        let similarities = try similarities(model, functions: functions)
        for function in functions {
            let predicted = similarities[function] ?? []
            metrics["pearson_\(function.rawValue)"] = Correlation.pearson(predicted, scores)
            metrics["spearman_\(function.rawValue)"] = Correlation.spearman(predicted, scores)
        }
        if functions.count > 1 {
            metrics["pearson_max"] = functions.compactMap { metrics["pearson_\($0.rawValue)"] }.max()
            metrics["spearman_max"] = functions.compactMap { metrics["spearman_\($0.rawValue)"] }.max()
        }
        return prefixed(metrics)
    }
}
