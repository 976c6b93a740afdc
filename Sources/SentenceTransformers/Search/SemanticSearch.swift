import STKernels

/// Exact nearest-neighbour search, as sentence-transformers 6.2's `util.semantic_search`: scores of every query against
/// every corpus entry, computed in chunks (BLAS matrix products for cosine and dot) so memory stays bounded, and
/// the `topK` best per query kept.
///
/// ```swift
/// let hits = try semanticSearch(queries: try model.encode(["a question"]), corpus: corpusEmbeddings, topK: 5)
/// hits[0][0].corpusID   // the best match of the first query
/// ```
///
/// Intentional difference: equal scores come out by lower corpus id, whatever the chunk sizes. Python's order among
/// ties follows `torch.topk` and its heap (a tie in a later corpus chunk replaces an earlier one).
///
/// - Parameters:
///   - queries: `[queries, dimension]`.
///   - corpus: `[corpus, dimension]`; either may have no rows.
///   - topK: hits per query: 0 gives none, more than the corpus gives the whole corpus.
///   - scoreFunction: cosine (a zero vector scores 0), dot, or the negated Euclidean / Manhattan distance.
///   - queryChunkSize, corpusChunkSize: rows scored at once (memory `queryChunkSize × corpusChunkSize` floats); the
///     result does not depend on them.
/// - Returns: for each query, `min(topK, corpus.count)` hits, best first (ties by lower corpus id).
/// - Throws: ``SentenceTransformerError/invalidArgument(_:)`` when `topK` is negative, a chunk size below 1, or the
///   dimensions differ.
public func semanticSearch(queries: Embeddings, corpus: Embeddings, topK: Int = 10, scoreFunction: SimilarityFunction = .cosine,
                           queryChunkSize: Int = 100, corpusChunkSize: Int = 500_000) throws -> [[SearchHit]] {
    guard topK >= 0 else { throw SentenceTransformerError.invalidArgument("topK must not be negative, got \(topK)") }
    guard queryChunkSize > 0, corpusChunkSize > 0 else { throw SentenceTransformerError.invalidArgument("chunk sizes must be positive") }
    guard queries.isEmpty || corpus.isEmpty || queries.dimension == corpus.dimension else {
        throw SentenceTransformerError.invalidArgument("queries have dimension \(queries.dimension), the corpus \(corpus.dimension)")
    }
    guard topK > 0, !corpus.isEmpty else { return Array(repeating: [], count: queries.count) }
    var results: [[SearchHit]] = []
    results.reserveCapacity(queries.count)
    let queryRows = scoreFunction == .cosine ? queries.normalized() : queries
    let corpusRows = scoreFunction == .cosine ? corpus.normalized() : corpus
    for queryStart in stride(from: 0, to: queryRows.count, by: queryChunkSize) {
        try WorkerThreads.checkCancellation()
        let queryEnd = min(queryStart + queryChunkSize, queryRows.count)
        var best = (queryStart..<queryEnd).map { _ in TopK(min(topK, corpusRows.count)) }
        for corpusStart in stride(from: 0, to: corpusRows.count, by: corpusChunkSize) {
            let corpusEnd = min(corpusStart + corpusChunkSize, corpusRows.count)
            let scores = try scoreFunction.matrix(queryRows.rows(queryStart..<queryEnd), corpusRows.rows(corpusStart..<corpusEnd))
            for row in 0..<(queryEnd - queryStart) {
                scores.values.withUnsafeBufferPointer { buffer in
                    let base = row * scores.dimension
                    for column in 0..<scores.dimension {
                        let hit = SearchHit(corpusID: corpusStart + column, score: buffer[base + column])
                        if best[row].accepts(hit) { best[row].insert(hit) }
                    }
                }
            }
        }
        results.append(contentsOf: best.map(\.sorted))
    }
    return results
}

extension Embeddings {
    /// Rows `range` as a matrix of their own.
    public func rows(_ range: Range<Int>) -> Embeddings {
        Embeddings(uncheckedValues: Array(values[(range.lowerBound * dimension)..<(range.upperBound * dimension)]), dimension: dimension)
    }
}
