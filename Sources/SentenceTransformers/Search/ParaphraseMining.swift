/// A pair of inputs found similar by ``paraphraseMining(embeddings:topK:maxPairs:scoreFunction:)``.
public struct ParaphrasePair: Sendable, Equatable {
    public var score: Float
    /// `first < second`.
    public var first: Int
    public var second: Int
}

/// The most similar pairs among `embeddings`, as sentence-transformers' `util.paraphrase_mining`: for every entry
/// its `topK` best others, each unordered pair once, the best `maxPairs` pairs, highest score first.
public func paraphraseMining(embeddings: Embeddings, topK: Int = 100, maxPairs: Int = 500_000,
                             scoreFunction: SimilarityFunction = .cosine) throws -> [ParaphrasePair] {
    guard topK > 0, maxPairs > 0 else { throw SentenceTransformerError.invalidArgument("topK and maxPairs must be positive") }
    // One more than topK: the entry itself is among its own best.
    let hits = try semanticSearch(queries: embeddings, corpus: embeddings, topK: min(topK + 1, embeddings.count), scoreFunction: scoreFunction)
    var best: [Int64: Float] = [:]
    for (query, row) in hits.enumerated() {
        for hit in row where hit.corpusID != query {
            let (a, b) = (min(query, hit.corpusID), max(query, hit.corpusID))
            let key = Int64(a) << 32 | Int64(b)
            if best[key] == nil { best[key] = hit.score }
        }
    }
    let pairs = best.map { ParaphrasePair(score: $0.value, first: Int($0.key >> 32), second: Int($0.key & 0xFFFF_FFFF)) }
    let sorted = pairs.sorted { $0.score > $1.score || ($0.score == $1.score && ($0.first, $0.second) < ($1.first, $1.second)) }
    return Array(sorted.prefix(maxPairs))
}
