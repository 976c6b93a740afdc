/// Something that scores a model on data and reports metrics under the Python evaluators' key names.
public protocol SentenceEvaluator {
    /// Prefix of every key (`"sts-test"` gives `sts-test_spearman_cosine`); empty for none.
    var name: String { get }
    /// The key of the metric that summarizes the result.
    var primaryMetric: String { get }
    func evaluate(_ model: SentenceTransformer) throws -> [String: Double]
    /// The key of the metric that summarizes `model`'s result (for evaluators whose keys follow the model's
    /// similarity function; ``primaryMetric`` otherwise).
    func primaryMetric(for model: SentenceTransformer) -> String
}

extension SentenceEvaluator {
    public func primaryMetric(for model: SentenceTransformer) -> String { primaryMetric }

    func prefixed(_ metrics: [String: Double]) -> [String: Double] {
        guard !name.isEmpty else { return metrics }
        return Dictionary(uniqueKeysWithValues: metrics.map { ("\(name)_\($0.key)", $0.value) })
    }

    func prefixed(key: String) -> String { name.isEmpty ? key : "\(name)_\(key)" }
}

/// What the pairwise evaluators share: which similarity functions they score with, and embedding their lists with
/// one progress count over all of them.
enum EvaluatorFunctions {
    /// `names`, or the model's similarity function when nil (Python: `similarity_fn_names or [model.similarity_fn_name]`).
    /// - Throws: ``SentenceTransformerError/invalidArgument(_:)`` for an empty list.
    static func resolve(_ names: [SimilarityFunction]?, model: SentenceTransformer) throws -> [SimilarityFunction] {
        guard let names else { return [model.similarityFunction] }
        guard !names.isEmpty else { throw SentenceTransformerError.invalidArgument("similarityFnNames is empty (nil means the model's function)") }
        return names
    }

    /// Each list embedded in turn; `progress` counts texts over all lists.
    static func encode(_ lists: [[String]], model: SentenceTransformer, batchSize: Int,
                       progress: (@Sendable (_ done: Int, _ total: Int) -> Void)?) throws -> [Embeddings] {
        let total = lists.reduce(0) { $0 + $1.count }
        var offset = 0
        return try lists.map { list in
            let base = offset
            offset += list.count
            return try model.encode(list, batchSize: batchSize, progress: progress.map { report in { done, _ in report(base + done, total) } })
        }
    }
}

/// Ranking metrics shared by the retrieval and reranking evaluators; `relevance` is the ranked list, 1 = relevant.
enum RankingMetrics {
    /// Σ rel_i / log2(i + 2) over the first `k`.
    static func dcg(_ relevance: [Int], k: Int) -> Double {
        relevance.prefix(k).enumerated().reduce(0.0) { $0 + Double($1.element) / log2(Double($1.offset) + 2) }
    }

    /// DCG normalized by the DCG of the ideal order of `relevantCount` relevant documents.
    static func ndcg(_ relevance: [Int], relevantCount: Int, k: Int) -> Double {
        let ideal = dcg(Array(repeating: 1, count: min(relevantCount, k)), k: k)
        return ideal > 0 ? dcg(relevance, k: k) / ideal : 0
    }

    static func reciprocalRank(_ relevance: [Int], k: Int) -> Double {
        guard let first = relevance.prefix(k).firstIndex(where: { $0 > 0 }) else { return 0 }
        return 1 / Double(first + 1)
    }

    /// Mean of precision at each relevant hit in the first `k`, divided by `min(k, relevantCount)`.
    static func averagePrecision(_ relevance: [Int], relevantCount: Int, k: Int) -> Double {
        var hits = 0, sum = 0.0
        for (index, value) in relevance.prefix(k).enumerated() where value > 0 {
            hits += 1
            sum += Double(hits) / Double(index + 1)
        }
        let denominator = min(k, relevantCount)
        return denominator > 0 ? sum / Double(denominator) : 0
    }

    /// The reranking evaluators' metrics of one query's candidates: `relevant[i]` and `scores[i]` of candidate `i`.
    /// MRR@k of the order by descending score (among equal scores the earlier candidate first, or the later one with
    /// `laterFirstOnTies`: `torch.argsort(-s)` against `np.argsort(s)[::-1]`); NDCG@k as scikit-learn's `ndcg_score`,
    /// which gives the candidates of one score their mean gain over the positions they share; AP as
    /// `average_precision_score`.
    static func reranking(relevant: [Bool], scores: [Double], k: Int, laterFirstOnTies: Bool = false)
        -> (mrr: Double, ndcg: Double, averagePrecision: Double) {
        let order = scores.indices.sorted {
            scores[$0] != scores[$1] ? scores[$0] > scores[$1] : (laterFirstOnTies ? $0 > $1 : $0 < $1)
        }
        let mrr = order.prefix(k).firstIndex { relevant[$0] }.map { 1 / Double($0 + 1) } ?? 0
        func discount(_ position: Int) -> Double { position < k ? 1 / log2(Double(position) + 2) : 0 }
        var dcg = 0.0, position = 0
        while position < order.count {
            var end = position, gain = 0.0, discounts = 0.0
            while end < order.count, scores[order[end]] == scores[order[position]] {
                gain += relevant[order[end]] ? 1 : 0
                discounts += discount(end)
                end += 1
            }
            dcg += gain / Double(end - position) * discounts
            position = end
        }
        let relevantCount = relevant.filter { $0 }.count
        let ideal = (0..<min(relevantCount, k)).reduce(0.0) { $0 + discount($1) }
        let labels = relevant.map { $0 ? 1 : 0 }
        return (mrr, ideal > 0 ? dcg / ideal : 0, ClassificationMetrics.averagePrecision(scores: scores, labels: labels))
    }
}

/// Classification metrics of scores against 0/1 labels, as scikit-learn and sentence-transformers compute them.
enum ClassificationMetrics {
    /// scikit-learn's `average_precision_score`: Σ (R_n − R_{n−1}) P_n over the distinct score thresholds.
    static func averagePrecision(scores: [Double], labels: [Int]) -> Double {
        let order = scores.indices.sorted { scores[$0] > scores[$1] }
        let positives = labels.filter { $0 == 1 }.count
        guard positives > 0 else { return 0 }
        var truePositives = 0, seen = 0, previousRecall = 0.0, sum = 0.0
        var index = 0
        while index < order.count {
            let score = scores[order[index]]
            while index < order.count, scores[order[index]] == score {
                if labels[order[index]] == 1 { truePositives += 1 }
                seen += 1
                index += 1
            }
            let recall = Double(truePositives) / Double(positives)
            sum += (recall - previousRecall) * Double(truePositives) / Double(seen)
            previousRecall = recall
        }
        return sum
    }

    /// Best accuracy over thresholds between consecutive sorted scores, and that threshold.
    static func bestAccuracy(scores: [Double], labels: [Int], higherIsSimilar: Bool) -> (accuracy: Double, threshold: Double) {
        let rows = zip(scores, labels).sorted { higherIsSimilar ? $0.0 > $1.0 : $0.0 < $1.0 }
        var best = 0.0, threshold = -1.0
        var positives = 0, remainingNegatives = labels.filter { $0 == 0 }.count
        for index in 0..<max(0, rows.count - 1) {
            if rows[index].1 == 1 { positives += 1 } else { remainingNegatives -= 1 }
            let accuracy = Double(positives + remainingNegatives) / Double(labels.count)
            if accuracy > best {
                best = accuracy
                threshold = (rows[index].0 + rows[index + 1].0) / 2
            }
        }
        return (best, threshold)
    }

    /// Matthews correlation of `predicted` against `labels` (1 = positive); 0 when a margin is empty, as
    /// scikit-learn's `matthews_corrcoef`.
    static func matthewsCorrelation(predicted: [Bool], labels: [Int]) -> Double {
        var tp = 0.0, tn = 0.0, fp = 0.0, fn = 0.0
        for (guess, label) in zip(predicted, labels) {
            switch (guess, label == 1) {
            case (true, true): tp += 1
            case (false, false): tn += 1
            case (true, false): fp += 1
            case (false, true): fn += 1
            }
        }
        let denominator = ((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn)).squareRoot()
        return denominator == 0 ? 0 : (tp * tn - fp * fn) / denominator
    }

    /// scikit-learn's `f1_score` of class predictions with `average` macro, micro and weighted, over the classes that
    /// occur in `labels` or `predicted`; a class with no true and no predicted member scores 0 (`zero_division`).
    static func f1Averages(predicted: [Int], labels: [Int]) -> (macro: Double, micro: Double, weighted: Double) {
        let classes = Set(predicted).union(labels).sorted()
        var macro = 0.0, weighted = 0.0
        for c in classes {
            let truePositives = zip(predicted, labels).filter { $0 == c && $1 == c }.count
            let predictedCount = predicted.filter { $0 == c }.count, support = labels.filter { $0 == c }.count
            let f1 = predictedCount + support == 0 ? 0 : 2 * Double(truePositives) / Double(predictedCount + support)
            macro += f1
            weighted += f1 * Double(support)
        }
        // Micro F1 of single-label predictions is their accuracy.
        let correct = zip(predicted, labels).filter { $0 == $1 }.count
        return (classes.isEmpty ? 0 : macro / Double(classes.count), labels.isEmpty ? 0 : Double(correct) / Double(labels.count),
                labels.isEmpty ? 0 : weighted / Double(labels.count))
    }

    /// Best F1 over thresholds, with its precision, recall and threshold.
    static func bestF1(scores: [Double], labels: [Int], higherIsSimilar: Bool) -> (f1: Double, precision: Double, recall: Double, threshold: Double) {
        let rows = zip(scores, labels).sorted { higherIsSimilar ? $0.0 > $1.0 : $0.0 < $1.0 }
        let duplicates = labels.filter { $0 == 1 }.count
        var best = (f1: 0.0, precision: 0.0, recall: 0.0, threshold: 0.0)
        var extracted = 0, correct = 0
        for index in 0..<max(0, rows.count - 1) {
            extracted += 1
            if rows[index].1 == 1 { correct += 1 }
            guard correct > 0 else { continue }
            let precision = Double(correct) / Double(extracted)
            let recall = Double(correct) / Double(duplicates)
            let f1 = 2 * precision * recall / (precision + recall)
            if f1 > best.f1 { best = (f1, precision, recall, (rows[index].0 + rows[index + 1].0) / 2) }
        }
        return best
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
