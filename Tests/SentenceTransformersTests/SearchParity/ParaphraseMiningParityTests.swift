import Foundation
import SentenceTransformers
import Testing

/// `paraphraseMining` against `util.paraphrase_mining_embeddings` of sentence-transformers 6.2
/// (`paraphrase_mining.json`): top-k 0, 1 and above the row count, max_pairs 0 and cutting, one row, two rows, no rows,
/// duplicates, zero vectors; cosine, dot (with rows that are not their own best match), Euclidean and Manhattan.
///
/// Intentional difference: among tied scores Python's pairs depend on `torch.topk`'s order and on its heap; ours
/// come out by lower (first, second). Where rows are duplicates the tied pairs are compared by score, not identity.
@Suite struct ParaphraseMiningParityTests {
    struct Case: Decodable, Sendable {
        var name: String
        var embeddings: [[Double]]
        var dimension: Int
        var top_k: Int
        var max_pairs: Int
        var function: String
        var pairs: [[Double]]
        var scores: [[Double]]
    }

    static let cases = SearchGolden<Case>.cases("paraphrase_mining.json")

    @Test func goldenLoads() throws {
        let golden = try SearchGolden<Case>.load("paraphrase_mining.json")
        #expect(golden.provenance.sentence_transformers == "6.2.0")
        #expect(golden.cases.count == 17)
    }

    @Test(arguments: cases.map(\.name)) func matchesReference(name: String) throws {
        let golden = try #require(Self.cases.first { $0.name == name })
        let function = try #require(SimilarityFunction(rawValue: golden.function))
        let pairs = try paraphraseMining(embeddings: SearchParity.embeddings(golden.embeddings, dimension: golden.dimension),
                                         topK: golden.top_k, maxPairs: golden.max_pairs, scoreFunction: function)
        let allPairs = golden.scores.indices.flatMap { a in (a + 1..<golden.scores.count).map { (a, $0) } }
        // A score that two candidate pairs share: which of them Python keeps follows torch.topk's order among ties.
        func tied(_ score: Double) -> Bool { allPairs.filter { SearchParity.close(golden.scores[$0.0][$0.1], score, tolerance: 4e-6) }.count > 1 }
        #expect(Set(pairs.map { [$0.first, $0.second] }).count == pairs.count, "a pair found twice")
        for pair in pairs {
            #expect(pair.first < pair.second)
            #expect(SearchParity.close(golden.scores[pair.first][pair.second], Double(pair.score)), "(\(pair.first), \(pair.second)) does not score \(pair.score)")
        }
        // Pairs with a score of their own are the same pairs.
        let untiedOurs = Set(pairs.filter { !tied(Double($0.score)) }.map { [$0.first, $0.second] })
        let untiedReference = Set(golden.pairs.filter { !tied($0[0]) }.map { [Int($0[1]), Int($0[2])] })
        #expect(untiedOurs == untiedReference)
        // As many pairs with the same scores, rank by rank; the count may differ only when ties decided which rows
        // paired up (two zero rows tie with everything: Python's choice among them can merge two pairs into one).
        guard pairs.count == golden.pairs.count else {
            #expect(golden.pairs.contains { tied($0[0]) }, "\(pairs.count) pairs, the reference \(golden.pairs.count), without ties")
            return
        }
        for (rank, (pair, expected)) in zip(pairs, golden.pairs).enumerated() {
            #expect(SearchParity.close(Double(pair.score), expected[0]), "rank \(rank): score \(pair.score), the reference \(expected[0])")
        }
    }

    @Test func badArgumentsThrow() throws {
        let e = try Embeddings(rows: [[1, 0], [0, 1]])
        #expect(throws: SentenceTransformerError.self) { try paraphraseMining(embeddings: e, topK: -1) }
        #expect(throws: SentenceTransformerError.self) { try paraphraseMining(embeddings: e, maxPairs: -1) }
        #expect(try paraphraseMining(embeddings: e, topK: .max, maxPairs: .max).count == 1)
    }
}
