/// Reranking quality of a cross-encoder, as sentence-transformers 6.2's `CrossEncoderRerankingEvaluator`: each
/// sample's candidates are scored against its query and ranked; MAP, MRR@k and NDCG@k averaged over the samples
/// (keys `map`, `mrr@10`, `ndcg@10`, prefixed with the name; primary `ndcg@10`).
///
/// A sample gives its candidates either as negatives (ranked with its positives) or as `documents`, a retriever's
/// ranked list; then `base_map`, `base_mrr@k` and `base_ndcg@k` score the given order (positives missing from it
/// counted as ranked after it), and with `alwaysRerankPositives` the positives are ranked whether the retriever found
/// them or not. A sample with no positive among what is ranked scores 0, and counts.
///
/// Ties among equal scores rank the later candidate first (`np.argsort(scores)[::-1]`) for MRR; NDCG gives tied
/// candidates their mean gain (scikit-learn's `ndcg_score`); MAP is `average_precision_score`.
public struct CrossEncoderRerankingEvaluator: CrossEncoderEvaluator {
    public struct Sample: Sendable, Equatable {
        public enum Candidates: Sendable, Equatable {
            /// Ranked with the positives (`"negative"`).
            case negatives([String])
            /// A retriever's candidates, best first (`"documents"`).
            case documents([String])
        }

        public var query: String
        public var positives: [String]
        public var candidates: Candidates

        public init(query: String, positives: [String], candidates: Candidates) {
            self.query = query
            self.positives = positives
            self.candidates = candidates
        }
    }

    public var samples: [Sample]
    public var atK: Int
    public var alwaysRerankPositives: Bool
    public var name: String
    public var batchSize: Int

    /// - Throws: ``SentenceTransformerError/invalidArgument(_:)`` for no samples, `atK` or `batchSize` below 1.
    public init(samples: [Sample], atK: Int = 10, alwaysRerankPositives: Bool = true, name: String = "", batchSize: Int = 64) throws {
        guard !samples.isEmpty else { throw SentenceTransformerError.invalidArgument("CrossEncoderRerankingEvaluator needs at least one sample") }
        guard atK > 0 else { throw SentenceTransformerError.invalidArgument("atK must be positive, got \(atK)") }
        guard batchSize > 0 else { throw SentenceTransformerError.invalidArgument("batchSize must be positive, got \(batchSize)") }
        self.samples = samples
        self.atK = atK
        self.alwaysRerankPositives = alwaysRerankPositives
        self.name = name
        self.batchSize = batchSize
    }

    public var primaryMetric: String { prefixed("ndcg@\(atK)") }

    func prefixed(_ key: String) -> String { name.isEmpty ? key : "\(name)_\(key)" }

    /// What one sample ranks: its documents and which are relevant (nil when none is, so it scores 0 unscored).
    func ranked(_ sample: Sample) -> (documents: [String], relevant: [Bool])? {
        let documents: [String], relevant: [Bool]
        switch sample.candidates {
        case .negatives(let negatives):
            documents = sample.positives + negatives
            relevant = documents.indices.map { $0 < sample.positives.count }
        case .documents(let given):
            let positives = Set(sample.positives)
            documents = alwaysRerankPositives ? sample.positives + given.filter { !positives.contains($0) } : given
            relevant = alwaysRerankPositives ? documents.indices.map { $0 < sample.positives.count } : given.map(positives.contains)
        }
        return relevant.contains(true) ? (documents, relevant) : nil
    }

    /// - Throws: ``SentenceTransformerError/invalidArgument(_:)`` for a model with several labels or a sample with
    ///   fewer than two documents to rank.
    public func validate(for model: CrossEncoder) throws {
        guard model.numLabels == 1 else {
            throw SentenceTransformerError.invalidArgument("reranking needs one score per pair; this cross-encoder has \(model.numLabels) labels")
        }
        if let short = samples.map(ranked).firstIndex(where: { ($0?.documents.count ?? 2) < 2 }) {
            throw SentenceTransformerError.invalidArgument("sample \(short) has one document to rank; NDCG needs at least two")
        }
    }

    /// The metrics of the retriever's order of a `documents` sample; nil for a sample of negatives.
    func baseMetrics(_ sample: Sample) -> (mrr: Double, ndcg: Double, averagePrecision: Double)? {
        guard case .documents(let given) = sample.candidates, !given.isEmpty else { return nil }
        let positives = Set(sample.positives)
        var relevant = given.map(positives.contains)
        let found = relevant.filter { $0 }.count
        guard found > 0 else { return (0, 0, 0) }
        relevant += Array(repeating: true, count: max(0, sample.positives.count - found))
        let scores = relevant.indices.map { Double(relevant.count - $0) }
        return RankingMetrics.reranking(relevant: relevant, scores: scores, k: atK, laterFirstOnTies: true)
    }

    /// - Throws: the model's errors; ``SentenceTransformerError/invalidArgument(_:)`` for a model with several
    ///   labels or a sample with fewer than two documents to rank (scikit-learn's NDCG needs two).
    public func evaluate(_ model: CrossEncoder) throws -> [String: Double] {
        try validate(for: model)
        let rankings = samples.map(ranked)
        var pairs: [(String, String)] = []
        for (sample, ranking) in zip(samples, rankings) { pairs += (ranking?.documents ?? []).map { (sample.query, $0) } }
        let scores = try model.predict(pairs, batchSize: batchSize).values
        var sums = (mrr: 0.0, ndcg: 0.0, map: 0.0), offset = 0
        for ranking in rankings {
            guard let ranking else { continue }
            let slice = scores[offset..<(offset + ranking.documents.count)].map(Double.init)
            offset += ranking.documents.count
            let metrics = RankingMetrics.reranking(relevant: ranking.relevant, scores: slice, k: atK, laterFirstOnTies: true)
            sums = (sums.mrr + metrics.mrr, sums.ndcg + metrics.ndcg, sums.map + metrics.averagePrecision)
        }
        let count = Double(samples.count)
        var result = [prefixed("map"): sums.map / count, prefixed("mrr@\(atK)"): sums.mrr / count, prefixed("ndcg@\(atK)"): sums.ndcg / count]
        let base = samples.compactMap(baseMetrics)
        if !base.isEmpty {
            let baseCount = Double(base.count)
            result[prefixed("base_map")] = base.reduce(0) { $0 + $1.averagePrecision } / baseCount
            result[prefixed("base_mrr@\(atK)")] = base.reduce(0) { $0 + $1.mrr } / baseCount
            result[prefixed("base_ndcg@\(atK)")] = base.reduce(0) { $0 + $1.ndcg } / baseCount
        }
        return result
    }
}
