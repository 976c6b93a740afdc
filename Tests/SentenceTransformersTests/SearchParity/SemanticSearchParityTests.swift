import Foundation
import SentenceTransformers
import Testing

/// `semanticSearch` against `util.semantic_search` of sentence-transformers 6.2 (`semantic_search.json`): chunk
/// boundaries, top-k above and equal to the corpus size, top-k 0, empty corpus or queries, one row, duplicates that
/// top-k cuts, zero vectors, exact ties, and all four score functions.
///
/// Intentional difference: tied scores come out by lower corpus id. Python's order among ties depends on `torch.topk`
/// and on the chunking (a later chunk's tie replaces an earlier one in its heap), so ties are compared as sets.
@Suite struct SemanticSearchParityTests {
    struct Case: Decodable, Sendable {
        var name: String
        var queries: [[Double]]
        var corpus: [[Double]]
        var dimension: Int
        var top_k: Int
        var function: String
        var query_chunk_size: Int
        var corpus_chunk_size: Int
        var hits: [[[Double]]]
        var scores: [[Double]]
    }

    static let cases = SearchGolden<Case>.cases("semantic_search.json")

    @Test func goldenLoads() throws {
        let golden = try SearchGolden<Case>.load("semantic_search.json")
        #expect(golden.provenance.sentence_transformers == "6.2.0")
        #expect(golden.cases.count == 21)
    }

    @Test(arguments: cases.map(\.name)) func matchesReference(name: String) throws {
        let golden = try #require(Self.cases.first { $0.name == name })
        let function = try #require(SimilarityFunction(rawValue: golden.function))
        let hits = try semanticSearch(queries: SearchParity.embeddings(golden.queries, dimension: golden.dimension),
                                      corpus: SearchParity.embeddings(golden.corpus, dimension: golden.dimension),
                                      topK: golden.top_k, scoreFunction: function,
                                      queryChunkSize: golden.query_chunk_size, corpusChunkSize: golden.corpus_chunk_size)
        #expect(hits.count == golden.hits.count)
        // torch.cdist rounds in float32 over the whole row; we sum distances in Double.
        let tolerance = function == .euclidean || function == .manhattan ? 1e-5 : 2e-6
        for (query, (ours, reference)) in zip(hits, golden.hits).enumerated() {
            SearchParity.expectSameHits(ours, reference: reference, scores: golden.scores[query], tolerance: tolerance, "\(name) query \(query)")
        }
    }

    /// Our documented tie order: among equal scores, the lower corpus id first, whatever the chunking. Integer
    /// vectors make the dot products exact in any summation order, so the copies tie bit for bit.
    @Test func tiesComeOutByCorpusID() throws {
        let copy: [Float] = [1, 2, 3, 4]
        let corpus = try Embeddings(rows: [[4, 4, 4, 4], [0, 0, 0, 1], [3, 3, 3, 3], [1, 1, 1, 0]] + Array(repeating: copy, count: 5) + [[2, 2, 2, 2]])
        let queries = try Embeddings(rows: [[1, 1, 1, 1], [2, 2, 2, 2]])
        let expected = [SearchHit(corpusID: 0, score: 16), SearchHit(corpusID: 2, score: 12),
                        SearchHit(corpusID: 4, score: 10), SearchHit(corpusID: 5, score: 10), SearchHit(corpusID: 6, score: 10)]
        for chunk in 1...corpus.count {
            let hits = try semanticSearch(queries: queries, corpus: corpus, topK: 5, scoreFunction: .dot, queryChunkSize: 1, corpusChunkSize: chunk)
            #expect(hits[0] == expected, "corpus chunk \(chunk)")
            #expect(hits[1] == expected.map { SearchHit(corpusID: $0.corpusID, score: 2 * $0.score) }, "corpus chunk \(chunk)")
        }
    }

    @Test func badArgumentsThrow() throws {
        let corpus = try Embeddings(rows: [[1, 0], [0, 1]])
        #expect(throws: SentenceTransformerError.self) { try semanticSearch(queries: corpus, corpus: corpus, topK: -1) }
        #expect(throws: SentenceTransformerError.self) { try semanticSearch(queries: corpus, corpus: corpus, queryChunkSize: 0) }
        #expect(throws: SentenceTransformerError.self) { try semanticSearch(queries: corpus, corpus: corpus, corpusChunkSize: -3) }
        #expect(throws: SentenceTransformerError.self) { try semanticSearch(queries: Embeddings(rows: [[1, 0, 0]]), corpus: corpus) }
        // Int.max is "everything", not an overflow.
        #expect(try semanticSearch(queries: corpus, corpus: corpus, topK: .max).map(\.count) == [2, 2])
    }
}
