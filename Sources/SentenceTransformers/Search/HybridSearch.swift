/// Fusing ranked result lists from several retrievers (dense + sparse hybrid search) into one.
public enum HybridSearch {
    /// How the lists are combined.
    public enum Fusion: Sendable, Equatable {
        /// Reciprocal rank fusion: `score(d) = Σ_lists 1 / (k + rank(d))`, ranks from 1 (Cormack, Clarke & Büttcher,
        /// SIGIR 2009; `k = 60` as there, and as Milvus' `RRFRanker` and Elasticsearch use).
        case reciprocalRank(k: Double = 60)
        /// `score(d) = Σ_lists weight · normalized score(d)`, each list's scores min-max normalized to [0, 1] first
        /// (a document missing from a list adds 0), so lists on different scales (cosine vs SPLADE dot) mix.
        case weightedScore(weights: [Float])
    }

    /// Fuses `lists` (each best first, ids unique within a list) into the `topK` best ids, best first; ties go to
    /// the lower id.
    /// - Throws: ``SentenceTransformerError/invalidArgument(_:)`` for `topK` < 1, RRF `k` < 0, or weights whose
    ///   count differs from the lists'.
    public static func fuse(_ lists: [[SearchHit]], fusion: Fusion = .reciprocalRank(), topK: Int) throws -> [SearchHit] {
        guard topK > 0 else { throw SentenceTransformerError.invalidArgument("topK must be positive, got \(topK)") }
        var scores: [Int: Double] = [:]
        switch fusion {
        case let .reciprocalRank(k):
            guard k >= 0, k.isFinite else { throw SentenceTransformerError.invalidArgument("RRF k must be a finite number ≥ 0, got \(k)") }
            for list in lists {
                for (rank, hit) in list.enumerated() { scores[hit.corpusID, default: 0] += 1 / (k + Double(rank + 1)) }
            }
        case let .weightedScore(weights):
            guard weights.count == lists.count else {
                throw SentenceTransformerError.invalidArgument("\(weights.count) weights for \(lists.count) result lists")
            }
            for (list, weight) in zip(lists, weights) {
                guard let high = list.map(\.score).max(), let low = list.map(\.score).min() else { continue }
                let span = Double(high - low)
                for hit in list {
                    // One score (or all equal) normalizes to 1: the list still ranks them first.
                    let normalized = span > 0 ? Double(hit.score - low) / span : 1
                    scores[hit.corpusID, default: 0] += Double(weight) * normalized
                }
            }
        }
        var best = TopK(topK)
        for (id, score) in scores { best.insert(SearchHit(corpusID: id, score: Float(score))) }
        return best.sorted
    }

    /// Fuses document hit lists (an index's or a store's dense and sparse results, each best first) into the `topK`
    /// best documents, scored by the fusion; equal scores go to the document met first (first list first), so the
    /// ranking does not depend on where the documents are stored.
    /// - Throws: ``IndexError/invalidArgument(_:)`` for the arguments the id-list form refuses.
    public static func fuse(documents lists: [[IndexHit]], fusion: Fusion = .reciprocalRank(), topK: Int) throws -> [IndexHit] {
        var documents: [IndexDocument] = []
        var number: [String: Int] = [:]
        let numbered = lists.map { hits in
            hits.map { hit in
                let id = number[hit.document.id] ?? {
                    documents.append(hit.document)
                    number[hit.document.id] = documents.count - 1
                    return documents.count - 1
                }()
                return SearchHit(corpusID: id, score: hit.score)
            }
        }
        do {
            return try fuse(numbered, fusion: fusion, topK: topK).map { IndexHit(document: documents[$0.corpusID], score: $0.score) }
        } catch let error as SentenceTransformerError {
            throw IndexError.invalidArgument(error.description)
        }
    }
}
