import Foundation
import SentenceTransformers
import Testing

/// `quantizedSearch` without rescoring against `semantic_search_usearch(corpus_precision: "ubinary" | "binary",
/// rescore: False, exact: True)` of sentence-transformers 6.2 with usearch 2.26.6 (`binary_search.json`): binary and
/// ubinary, top-k above the corpus size, a dimension that is not a multiple of 8, one row.
///
/// Python reports the Hamming distance `h` (lower is better); ours the score `dimension − 2h` (the dot product of the
/// ±1 vectors, higher is better): the same ranking. Ties (frequent with few bits) are compared as sets: ours come out
/// by lower corpus id, usearch's in its own order.
@Suite struct QuantizedSearchParityTests {
    struct Case: Decodable, Sendable {
        var name: String
        var queries: [[Double]]
        var corpus: [[Double]]
        var dimension: Int
        var top_k: Int
        var precision: String
        var hits: [[[Double]]]
        var distances: [[Double]]
    }

    static let cases = SearchGolden<Case>.cases("binary_search.json")

    @Test func goldenLoads() throws {
        let golden = try SearchGolden<Case>.load("binary_search.json")
        #expect(golden.provenance.sentence_transformers == "6.2.0")
        #expect(golden.cases.count == 5)
    }

    @Test(arguments: cases.map(\.name)) func matchesReference(name: String) throws {
        let golden = try #require(Self.cases.first { $0.name == name })
        let precision = try #require(QuantizationPrecision(rawValue: golden.precision))
        let corpus = try quantizeEmbeddings(SearchParity.embeddings(golden.corpus, dimension: golden.dimension), precision: precision)
        let hits = try quantizedSearch(queries: SearchParity.embeddings(golden.queries, dimension: golden.dimension), corpus: corpus, topK: golden.top_k)
        #expect(hits.count == golden.hits.count)
        let dimension = Double(golden.dimension)
        for (query, (ours, reference)) in zip(hits, golden.hits).enumerated() {
            SearchParity.expectSameHits(ours, reference: reference.map { [$0[0], dimension - 2 * $0[1]] },
                                        scores: golden.distances[query].map { dimension - 2 * $0 }, tolerance: 0, "\(name) query \(query)")
        }
    }

    /// Rescoring precision: with every row a candidate and the fp32 rows to rescore against, the rescored hits are
    /// `util.semantic_search`'s cosine hits (`semantic_search.json`), scores within float rounding.
    @Test func rescoringWithEveryCandidateEqualsExactSearch() throws {
        let golden = try #require(SemanticSearchParityTests.cases.first { $0.name == "chunked-cosine" })
        let corpus = SearchParity.embeddings(golden.corpus, dimension: golden.dimension)
        let binary = try quantizeEmbeddings(corpus, precision: .ubinary)
        let float32 = try quantizeEmbeddings(corpus, precision: .float32)
        let multiplier = (corpus.count + golden.top_k - 1) / golden.top_k
        let hits = try quantizedSearch(queries: SearchParity.embeddings(golden.queries, dimension: golden.dimension), corpus: binary,
                                       topK: golden.top_k, rescoreMultiplier: multiplier, rescoreCorpus: float32)
        #expect(hits.count == golden.hits.count)
        for (query, (ours, reference)) in zip(hits, golden.hits).enumerated() {
            SearchParity.expectSameHits(ours, reference: reference, scores: golden.scores[query], "rescored query \(query)")
        }
    }

    @Test func edgeArguments() throws {
        let corpus = try quantizeEmbeddings(Embeddings(rows: [[1, -1, 1], [-1, -1, 1]]), precision: .ubinary)
        let queries = try Embeddings(rows: [[1, 1, 1]])
        #expect(try quantizedSearch(queries: queries, corpus: corpus, topK: 0) == [[]])
        #expect(try quantizedSearch(queries: queries, corpus: corpus, topK: .max, rescoreMultiplier: .max, rescoreCorpus: corpus).map(\.count) == [2])
        #expect(try quantizedSearch(queries: Embeddings(values: [], dimension: 3), corpus: corpus) == [])
        let empty = try quantizeEmbeddings(Embeddings(values: [], dimension: 3), precision: .ubinary)
        #expect(try quantizedSearch(queries: queries, corpus: empty) == [[]])
        #expect(throws: SentenceTransformerError.self) { try quantizedSearch(queries: queries, corpus: corpus, topK: -1) }
        #expect(throws: SentenceTransformerError.self) { try quantizedSearch(queries: queries, corpus: corpus, rescoreMultiplier: 0) }
        #expect(throws: SentenceTransformerError.self) { try quantizedSearch(queries: Embeddings(rows: [[1, 1]]), corpus: corpus) }
    }
}
