import Foundation
import SentenceTransformers
import Testing

/// `KMeans` against scikit-learn 1.9.1's `KMeans(n_clusters=k, random_state=0, n_init=10)` (`kmeans.json`; the
/// clustering examples of sentence-transformers use it): separated blobs, k equal to the rows, k = 1, one row,
/// duplicates with k above the number of distinct rows, duplicates with k = 2.
///
/// The seeding generators differ, so labels are compared as partitions and inertia within float rounding; the cases
/// have one optimum. Intentional difference: with fewer distinct rows than clusters, scikit-learn and we both leave
/// clusters empty (fewer distinct labels than k), without relocating them.
@Suite struct KMeansParityTests {
    struct Case: Decodable, Sendable {
        var name: String
        var embeddings: [[Double]]
        var dimension: Int
        var clusters: Int
        var labels: [Int]
        var inertia: Double
    }

    static let cases = SearchGolden<Case>.cases("kmeans.json")

    @Test func goldenLoads() throws {
        let golden = try SearchGolden<Case>.load("kmeans.json")
        #expect(golden.cases.count == 6)
    }

    /// Every case under several seeds: one optimum means the seed must not matter.
    @Test(arguments: cases.map(\.name)) func matchesReference(name: String) throws {
        let golden = try #require(Self.cases.first { $0.name == name })
        for seed: UInt64 in [0, 7, 42, 1234] {
            let result = try KMeans(clusters: golden.clusters, seed: seed).fit(SearchParity.embeddings(golden.embeddings, dimension: golden.dimension))
            #expect(SearchParity.samePartition(result.labels, golden.labels), "seed \(seed): \(result.labels), the reference \(golden.labels)")
            #expect(abs(result.inertia - golden.inertia) <= 1e-4 * max(1, golden.inertia), "seed \(seed): inertia \(result.inertia), the reference \(golden.inertia)")
        }
    }

    @Test func badArgumentsThrow() throws {
        let e = try Embeddings(rows: [[1, 0], [0, 1]])
        #expect(throws: SentenceTransformerError.self) { try KMeans(clusters: 0).fit(e) }
        #expect(throws: SentenceTransformerError.self) { try KMeans(clusters: -1).fit(e) }
        #expect(throws: SentenceTransformerError.self) { try KMeans(clusters: 3).fit(e) }
        #expect(throws: SentenceTransformerError.self) { try KMeans(clusters: 1).fit(Embeddings(values: [], dimension: 2)) }
    }
}
