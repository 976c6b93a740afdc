/// Retrieval quality, as sentence-transformers' `InformationRetrievalEvaluator`: each query searches the corpus
/// (exact search), and the ranked list is scored against the relevant documents: Accuracy@k, Precision@k,
/// Recall@k, MRR@k, NDCG@k, MAP@k, under keys such as `cosine_ndcg@10` (primary: NDCG@10 of the first function).
/// Queries are embedded as Python's evaluator embeds them, with `encode_query` (the model's `query` prompt and Router
/// route), and the corpus with `encode_document` (`document` / `passage` / `corpus` prompt, `document` route), unless
/// ``queryPromptName`` / ``queryPrompt`` / ``corpusPromptName`` / ``corpusPrompt`` say otherwise.
public struct InformationRetrievalEvaluator: SentenceEvaluator {
    public var queries: [(id: String, text: String)]
    public var corpus: [(id: String, text: String)]
    public var relevant: [String: Set<String>]
    public var accuracyAtK = [1, 3, 5, 10]
    public var precisionRecallAtK = [1, 3, 5, 10]
    public var mrrAtK = [10]
    public var ndcgAtK = [10]
    public var mapAtK = [100]
    /// nil: the model's similarity function.
    public var scoreFunctions: [SimilarityFunction]?
    public var batchSize = 32
    /// Called with the texts (corpus, then queries) embedded so far and the total (Python: `show_progress_bar`).
    public var progress: (@Sendable (_ done: Int, _ total: Int) -> Void)?
    public var name: String
    /// The prompt for queries, by name or as text (Python: `query_prompt_name`, `query_prompt`); nil: `encode_query`'s.
    public var queryPromptName: String?
    public var queryPrompt: String?
    /// The prompt for the corpus (Python: `corpus_prompt_name`, `corpus_prompt`); nil: `encode_document`'s.
    public var corpusPromptName: String?
    public var corpusPrompt: String?

    public init(queries: [(id: String, text: String)], corpus: [(id: String, text: String)], relevant: [String: Set<String>],
                scoreFunctions: [SimilarityFunction]? = nil, name: String = "") {
        self.queries = queries
        self.corpus = corpus
        self.relevant = relevant
        self.scoreFunctions = scoreFunctions
        self.name = name
    }

    public init(dataset: BEIRDataset, scoreFunctions: [SimilarityFunction]? = nil, name: String = "") {
        self.init(queries: dataset.queries, corpus: dataset.corpus, relevant: dataset.relevant, scoreFunctions: scoreFunctions, name: name)
    }

    /// The metrics (unprefixed keys such as `ndcg@10`) of ranked corpus ids, one list per query in ``queries`` order —
    /// for rankings made by something else than exact search, such as an approximate or quantized index.
    public func metrics(rankings: [[String]]) -> [String: Double] {
        let depth = ([mapAtK, mrrAtK, ndcgAtK, accuracyAtK, precisionRecallAtK].flatMap { $0 }.max() ?? 10)
        var sums: [String: Double] = [:]
        for (index, query) in queries.enumerated() {
            let relevantDocuments = relevant[query.id] ?? []
            let ranked = (index < rankings.count ? rankings[index] : []).filter { $0 != query.id }.prefix(depth)
            let relevance = ranked.map { relevantDocuments.contains($0) ? 1 : 0 }
            for k in accuracyAtK { sums["accuracy@\(k)", default: 0] += relevance.prefix(k).contains(1) ? 1 : 0 }
            for k in precisionRecallAtK {
                let found = Double(relevance.prefix(k).reduce(0, +))
                sums["precision@\(k)", default: 0] += found / Double(k)
                sums["recall@\(k)", default: 0] += relevantDocuments.isEmpty ? 0 : found / Double(relevantDocuments.count)
            }
            for k in mrrAtK { sums["mrr@\(k)", default: 0] += RankingMetrics.reciprocalRank(relevance, k: k) }
            for k in ndcgAtK { sums["ndcg@\(k)", default: 0] += RankingMetrics.ndcg(relevance, relevantCount: relevantDocuments.count, k: k) }
            for k in mapAtK { sums["map@\(k)", default: 0] += RankingMetrics.averagePrecision(relevance, relevantCount: relevantDocuments.count, k: k) }
        }
        return sums.mapValues { $0 / Double(max(1, queries.count)) }
    }

    public var primaryMetric: String {
        let key = "\((scoreFunctions?.first ?? .cosine).rawValue)_ndcg@\(ndcgAtK.max() ?? 10)"
        return name.isEmpty ? key : "\(name)_\(key)"
    }

    public func evaluate(_ model: SentenceTransformer) throws -> [String: Double] {
        let total = corpus.count + queries.count
        let corpusEmbeddings = try model.encodeDocument(corpus.map(\.text), batchSize: batchSize, prompt: corpusPrompt, promptName: corpusPromptName,
                                                        progress: progress.map { report in { done, _ in report(done, total) } })
        return try evaluate(model, corpusEmbeddings: corpusEmbeddings)
    }

    /// Evaluates with corpus embeddings computed beforehand (or stored in an index; embedded as documents).
    public func evaluate(_ model: SentenceTransformer, corpusEmbeddings: Embeddings) throws -> [String: Double] {
        let queryEmbeddings = try model.encodeQuery(queries.map(\.text), batchSize: batchSize, prompt: queryPrompt, promptName: queryPromptName,
                                                    progress: progress.map { report in { done, _ in report(corpus.count + done, corpus.count + queries.count) } })
        let depth = ([mapAtK, mrrAtK, ndcgAtK, accuracyAtK, precisionRecallAtK].flatMap { $0 }.max() ?? 10)
        var metrics: [String: Double] = [:]
        for function in scoreFunctions ?? [model.similarityFunction] {
            // One extra hit in case the query itself is in the corpus and is skipped.
            let hits = try semanticSearch(queries: queryEmbeddings, corpus: corpusEmbeddings, topK: depth + 1, scoreFunction: function)
            let rankings = hits.map { $0.map { corpus[$0.corpusID].id } }
            for (key, value) in self.metrics(rankings: rankings) { metrics["\(function.rawValue)_\(key)"] = value }
        }
        return prefixed(metrics)
    }
}
