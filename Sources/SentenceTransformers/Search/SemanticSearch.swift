import STKernels

/// Exact nearest-neighbour search, as sentence-transformers' `util.semantic_search`: scores of every query against
/// every corpus entry, computed in chunks (BLAS matrix products for cosine and dot) so memory stays bounded, and
/// the `topK` best per query kept.
///
/// ```swift
/// let hits = try semanticSearch(queries: try model.encode(["a question"]), corpus: corpusEmbeddings, topK: 5)
/// hits[0][0].corpusID   // the best match of the first query
/// ```
///
/// - Returns: for each query, its hits best first (ties by lower corpus id).
public func semanticSearch(queries: Embeddings, corpus: Embeddings, topK: Int = 10, scoreFunction: SimilarityFunction = .cosine,
                           queryChunkSize: Int = 100, corpusChunkSize: Int = 500_000) throws -> [[SearchHit]] {
    guard topK > 0 else { throw SentenceTransformerError.invalidArgument("topK must be positive, got \(topK)") }
    guard queryChunkSize > 0, corpusChunkSize > 0 else { throw SentenceTransformerError.invalidArgument("chunk sizes must be positive") }
    guard queries.isEmpty || corpus.isEmpty || queries.dimension == corpus.dimension else {
        throw SentenceTransformerError.invalidArgument("queries have dimension \(queries.dimension), the corpus \(corpus.dimension)")
    }
    var results: [[SearchHit]] = []
    results.reserveCapacity(queries.count)
    let queryRows = scoreFunction == .cosine ? queries.normalized() : queries
    let corpusRows = scoreFunction == .cosine ? corpus.normalized() : corpus
    for queryStart in stride(from: 0, to: queryRows.count, by: queryChunkSize) {
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
        Embeddings(values: Array(values[(range.lowerBound * dimension)..<(range.upperBound * dimension)]), dimension: dimension)
    }
}
