/// A pair of inputs found similar by ``paraphraseMining(embeddings:topK:maxPairs:scoreFunction:)``.
public struct ParaphrasePair: Sendable, Equatable {
    public var score: Float
    /// `first < second`.
    public var first: Int
    public var second: Int
}

/// The most similar pairs among `embeddings`, as sentence-transformers 6.2's `util.paraphrase_mining_embeddings`.
///
/// Each row's `topK + 1` best matches are found (its own row among them, normally); the row itself is dropped and at
/// most `topK` others kept. Each unordered pair is kept once, with the score of the row that found it first (the
/// lower query index); of those, the `maxPairs` best are returned.
///
/// ```swift
/// let pairs = try paraphraseMining(embeddings: try model.encode(sentences), topK: 10)
/// (pairs[0].first, pairs[0].second, pairs[0].score)   // the most similar two sentences
/// ```
///
/// Intentional difference: among equal scores (duplicated rows) a row's partners and the cut at `maxPairs` follow
/// lower indices, so the result is deterministic; Python's follow `torch.topk` and its heap.
///
/// - Parameters:
///   - embeddings: `[rows, dimension]`.
///   - topK: partners per row (0 gives no pairs; more than the rows means all of them).
///   - maxPairs: the most pairs returned (0 gives none).
///   - scoreFunction: assumed symmetric, as in Python.
/// - Returns: at most `maxPairs` pairs, highest score first, equal scores by (first, second).
/// - Throws: ``SentenceTransformerError/invalidArgument(_:)`` when `topK` or `maxPairs` is negative.
public func paraphraseMining(embeddings: Embeddings, topK: Int = 100, maxPairs: Int = 500_000,
                             scoreFunction: SimilarityFunction = .cosine) throws -> [ParaphrasePair] {
    guard topK >= 0 else { throw SentenceTransformerError.invalidArgument("topK must not be negative, got \(topK)") }
    guard maxPairs >= 0 else { throw SentenceTransformerError.invalidArgument("maxPairs must not be negative, got \(maxPairs)") }
    guard topK > 0, maxPairs > 0, embeddings.count > 1 else { return [] }
    // One more than topK: the row itself is normally among its own best.
    let hits = try semanticSearch(queries: embeddings, corpus: embeddings, topK: topK >= embeddings.count ? embeddings.count : topK + 1,
                                  scoreFunction: scoreFunction)
    var seen = Set<Int64>()
    var pairs: [ParaphrasePair] = []
    for (query, row) in hits.enumerated() {
        for hit in row.lazy.filter({ $0.corpusID != query }).prefix(topK) {
            let (a, b) = (min(query, hit.corpusID), max(query, hit.corpusID))
            guard seen.insert(Int64(a) << 32 | Int64(b)).inserted else { continue }
            pairs.append(ParaphrasePair(score: hit.score, first: a, second: b))
        }
    }
    let sorted = pairs.sorted { $0.score > $1.score || ($0.score == $1.score && ($0.first, $0.second) < ($1.first, $1.second)) }
    return Array(sorted.prefix(maxPairs))
}
