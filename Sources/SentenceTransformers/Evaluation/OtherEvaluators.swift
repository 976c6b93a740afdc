/// Triplet accuracy, as sentence-transformers' `TripletEvaluator`: the fraction of (anchor, positive, negative)
/// where the anchor is more similar to the positive than to the negative, for the model's similarity function
/// (`cosine_accuracy`) or each of ``similarityFnNames`` (`dot_accuracy`, …, and `max_accuracy` when there are two
/// or more).
public struct TripletEvaluator: SentenceEvaluator {
    public var anchors: [String], positives: [String], negatives: [String]
    public var batchSize = 16
    public var name: String
    /// The functions to score with (Python: `similarity_fn_names`); nil = the model's similarity function.
    public var similarityFnNames: [SimilarityFunction]?
    /// Called with the texts embedded so far and the total (Python: `show_progress_bar`).
    public var progress: (@Sendable (_ done: Int, _ total: Int) -> Void)?

    public init(anchors: [String], positives: [String], negatives: [String], name: String = "") {
        self.anchors = anchors
        self.positives = positives
        self.negatives = negatives
        self.name = name
    }

    /// For a cosine model without ``similarityFnNames``; ``primaryMetric(for:)`` follows the model.
    public var primaryMetric: String { prefixed(key: Self.primaryKey(similarityFnNames ?? [.cosine])) }

    public func primaryMetric(for model: SentenceTransformer) -> String {
        prefixed(key: Self.primaryKey(similarityFnNames ?? [model.similarityFunction]))
    }

    static func primaryKey(_ functions: [SimilarityFunction]) -> String {
        functions.count > 1 ? "max_accuracy" : "\(functions.first?.rawValue ?? "cosine")_accuracy"
    }

    public func evaluate(_ model: SentenceTransformer) throws -> [String: Double] {
        guard anchors.count == positives.count, anchors.count == negatives.count, !anchors.isEmpty else {
            throw SentenceTransformerError.invalidArgument("anchors, positives and negatives must be non-empty and of the same length")
        }
        let functions = try EvaluatorFunctions.resolve(similarityFnNames, model: model)
        let embedded = try EvaluatorFunctions.encode([anchors, positives, negatives], model: model, batchSize: batchSize, progress: progress)
        let (a, p, n) = (embedded[0], embedded[1], embedded[2])
        var metrics: [String: Double] = [:]
        for function in functions {
            // Python's pairwise Euclidean / Manhattan are negated distances too, so "more similar" is ">" for all four.
            let positive = try function.pairwise(a, p), negative = try function.pairwise(a, n)
            metrics["\(function.rawValue)_accuracy"] = Double(zip(positive, negative).filter { $0 > $1 }.count) / Double(anchors.count)
        }
        if functions.count > 1 { metrics["max_accuracy"] = metrics.values.max() }
        return prefixed(metrics)
    }
}

/// Pair classification, as sentence-transformers' `BinaryClassificationEvaluator`: for the model's similarity
/// function (or each of ``similarityFnNames``), the best accuracy and F1 over thresholds (with the thresholds, and
/// precision and recall at the best F1), the average precision and the Matthews correlation of the best-F1 threshold's
/// predictions (`cosine_accuracy`, `cosine_f1`, `cosine_ap`, `cosine_mcc`, …; with two or more functions also
/// `max_accuracy`, `max_ap`, … the best of each over the functions). Distance thresholds are distances.
public struct BinaryClassificationEvaluator: SentenceEvaluator {
    public var sentences1: [String], sentences2: [String]
    /// 1 = similar / duplicate, 0 = not.
    public var labels: [Int]
    public var batchSize = 16
    public var name: String
    /// The functions to score with (Python: `similarity_fn_names`); nil = the model's similarity function.
    public var similarityFnNames: [SimilarityFunction]?
    /// Called with the texts embedded so far and the total (Python: `show_progress_bar`).
    public var progress: (@Sendable (_ done: Int, _ total: Int) -> Void)?

    public init(sentences1: [String], sentences2: [String], labels: [Int], name: String = "") {
        self.sentences1 = sentences1
        self.sentences2 = sentences2
        self.labels = labels
        self.name = name
    }

    /// For a cosine model without ``similarityFnNames``; ``primaryMetric(for:)`` follows the model.
    public var primaryMetric: String { prefixed(key: Self.primaryKey(similarityFnNames ?? [.cosine])) }

    public func primaryMetric(for model: SentenceTransformer) -> String {
        prefixed(key: Self.primaryKey(similarityFnNames ?? [model.similarityFunction]))
    }

    static func primaryKey(_ functions: [SimilarityFunction]) -> String {
        functions.count > 1 ? "max_ap" : "\(functions.first?.rawValue ?? "cosine")_ap"
    }

    /// Each function's scores (distances for Euclidean and Manhattan), as the metrics read them; `functions` nil =
    /// this evaluator's (``similarityFnNames``, else the model's).
    public func scores(_ model: SentenceTransformer, functions: [SimilarityFunction]? = nil) throws -> [SimilarityFunction: [Double]] {
        guard sentences1.count == sentences2.count, sentences1.count == labels.count, labels.allSatisfy({ $0 == 0 || $0 == 1 }) else {
            throw SentenceTransformerError.invalidArgument("sentences1, sentences2 and labels (0 or 1) must have the same length")
        }
        let functions = try functions ?? EvaluatorFunctions.resolve(similarityFnNames, model: model)
        let embedded = try EvaluatorFunctions.encode([sentences1, sentences2], model: model, batchSize: batchSize, progress: progress)
        let (a, b) = (embedded[0], embedded[1])
        var result: [SimilarityFunction: [Double]] = [:]
        for function in functions {
            let values = try function.pairwise(a, b).map(Double.init)
            result[function] = (function == .euclidean || function == .manhattan) ? values.map { -$0 } : values
        }
        return result
    }

    public func evaluate(_ model: SentenceTransformer) throws -> [String: Double] {
        var metrics: [String: Double] = [:]
        let functions = try EvaluatorFunctions.resolve(similarityFnNames, model: model)
        let scores = try scores(model, functions: functions)
        for function in functions {
            let values = scores[function] ?? []
            let higherIsSimilar = !(function == .euclidean || function == .manhattan)
            let accuracy = ClassificationMetrics.bestAccuracy(scores: values, labels: labels, higherIsSimilar: higherIsSimilar)
            let f1 = ClassificationMetrics.bestF1(scores: values, labels: labels, higherIsSimilar: higherIsSimilar)
            let key = function.rawValue
            metrics["\(key)_accuracy"] = accuracy.accuracy
            metrics["\(key)_accuracy_threshold"] = accuracy.threshold
            metrics["\(key)_f1"] = f1.f1
            metrics["\(key)_f1_threshold"] = f1.threshold
            metrics["\(key)_precision"] = f1.precision
            metrics["\(key)_recall"] = f1.recall
            metrics["\(key)_ap"] = ClassificationMetrics.averagePrecision(scores: higherIsSimilar ? values : values.map { -$0 }, labels: labels)
            let predicted = values.map { higherIsSimilar ? $0 >= f1.threshold : $0 <= f1.threshold }
            metrics["\(key)_mcc"] = ClassificationMetrics.matthewsCorrelation(predicted: predicted, labels: labels)
        }
        if functions.count > 1 {
            for metric in ["accuracy", "accuracy_threshold", "f1", "f1_threshold", "precision", "recall", "ap", "mcc"] {
                metrics["max_\(metric)"] = functions.compactMap { metrics["\($0.rawValue)_\(metric)"] }.max()
            }
        }
        return prefixed(metrics)
    }
}

/// Duplicate mining quality, as sentence-transformers' `ParaphraseMiningEvaluator`: mine pairs among `sentences`,
/// walk them best first, and report the average precision, and the best F1 with its precision, recall and threshold.
public struct ParaphraseMiningEvaluator: SentenceEvaluator {
    public var sentences: [(id: String, text: String)]
    public var duplicates: [(String, String)]
    public var topK = 100
    public var maxPairs = 500_000
    public var name: String

    public init(sentences: [(id: String, text: String)], duplicates: [(String, String)], name: String = "") {
        self.sentences = sentences
        self.duplicates = duplicates
        self.name = name
    }

    public var primaryMetric: String { name.isEmpty ? "average_precision" : "\(name)_average_precision" }

    public func evaluate(_ model: SentenceTransformer) throws -> [String: Double] {
        let embeddings = try model.encode(sentences.map(\.text))
        let pairs = try paraphraseMining(embeddings: embeddings, topK: topK, maxPairs: maxPairs)
        let gold = Set(duplicates.map { $0.0 < $0.1 ? "\($0.0)\u{1}\($0.1)" : "\($0.1)\u{1}\($0.0)" })
        var correct = 0, averagePrecision = 0.0
        var best = (f1: 0.0, precision: 0.0, recall: 0.0, threshold: 0.0)
        for (index, pair) in pairs.enumerated() {
            let (a, b) = (sentences[pair.first].id, sentences[pair.second].id)
            if gold.contains(a < b ? "\(a)\u{1}\(b)" : "\(b)\u{1}\(a)") {
                correct += 1
                averagePrecision += Double(correct) / Double(index + 1)
            }
            guard correct > 0, index + 1 < pairs.count, !gold.isEmpty else { continue }
            let precision = Double(correct) / Double(index + 1), recall = Double(correct) / Double(gold.count)
            let f1 = 2 * precision * recall / (precision + recall)
            if f1 > best.f1 { best = (f1, precision, recall, Double(pairs[index].score + pairs[index + 1].score) / 2) }
        }
        return prefixed([
            "average_precision": gold.isEmpty ? 0 : averagePrecision / Double(gold.count), "f1": best.f1,
            "precision": best.precision, "recall": best.recall, "threshold": best.threshold,
        ])
    }
}

/// Reranking quality of a bi-encoder, as sentence-transformers' `RerankingEvaluator`: each sample's positives and
/// negatives are ranked by cosine to its query; MAP, MRR@k and NDCG@k over the samples that have both (`map`,
/// `mrr@10`, `ndcg@10`; primary `ndcg@10`). Cross-encoders: ``CrossEncoderRerankingEvaluator``.
public struct RerankingEvaluator: SentenceEvaluator {
    public struct Sample: Sendable {
        public var query: String
        public var positives: [String]
        public var negatives: [String]

        public init(query: String, positives: [String], negatives: [String]) {
            self.query = query
            self.positives = positives
            self.negatives = negatives
        }
    }

    public var samples: [Sample]
    public var atK = 10
    public var name: String

    public init(samples: [Sample], atK: Int = 10, name: String = "") {
        self.samples = samples
        self.atK = atK
        self.name = name
    }

    public var primaryMetric: String { prefixed(key: "ndcg@\(atK)") }

    public func evaluate(_ model: SentenceTransformer) throws -> [String: Double] {
        var map = 0.0, mrr = 0.0, ndcg = 0.0, counted = 0
        for sample in samples where !sample.positives.isEmpty && !sample.negatives.isEmpty {
            let documents = sample.positives + sample.negatives
            let query = try model.encode([sample.query]), embedded = try model.encode(documents)
            let scores = try SimilarityFunction.cosine.matrix(query, embedded).values.map(Double.init)
            let metrics = RankingMetrics.reranking(relevant: documents.indices.map { $0 < sample.positives.count }, scores: scores, k: atK)
            map += metrics.averagePrecision
            mrr += metrics.mrr
            ndcg += metrics.ndcg
            counted += 1
        }
        let total = Double(max(1, counted))
        return prefixed(["map": map / total, "mrr@\(atK)": mrr / total, "ndcg@\(atK)": ndcg / total])
    }
}
