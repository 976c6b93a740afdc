import Foundation
import SentenceTransformers
import Testing

/// `AgglomerativeClustering` against scikit-learn 1.9.1's `AgglomerativeClustering(n_clusters=None,
/// distance_threshold=t, metric="cosine", linkage=…)` (`agglomerative_clustering.json`; sentence-transformers'
/// clustering examples use it): average, complete and single linkage at several thresholds, a threshold exactly equal
/// to a distance (not merged: both merge only below it), duplicates at threshold 0, two rows.
///
/// Cluster numbers differ (ours by first appearance), so labels are compared as partitions. Intentional differences:
/// one row gives `[0]` (scikit-learn needs two), and a zero vector is at distance 1 from everything (scikit-learn
/// refuses zero vectors with the cosine metric).
@Suite struct AgglomerativeClusteringParityTests {
    struct Case: Decodable, Sendable {
        var name: String
        var embeddings: [[Double]]
        var dimension: Int
        var threshold: Double
        var linkage: String
        var labels: [Int]
    }

    static let cases = SearchGolden<Case>.cases("agglomerative_clustering.json")

    @Test func goldenLoads() throws {
        let golden = try SearchGolden<Case>.load("agglomerative_clustering.json")
        #expect(golden.cases.count == 27)
    }

    @Test(arguments: cases.map(\.name)) func matchesReference(name: String) throws {
        let golden = try #require(Self.cases.first { $0.name == name })
        let linkage = try #require(AgglomerativeClustering.Linkage(rawValue: golden.linkage))
        let labels = try AgglomerativeClustering(distanceThreshold: Float(golden.threshold), linkage: linkage)
            .fit(SearchParity.embeddings(golden.embeddings, dimension: golden.dimension))
        #expect(SearchParity.samePartition(labels, golden.labels), "\(labels), the reference \(golden.labels)")
    }

    @Test func documentedDifferences() throws {
        #expect(try AgglomerativeClustering(distanceThreshold: 0.5).fit(Embeddings(rows: [[1, 2]])) == [0])
        #expect(try AgglomerativeClustering(distanceThreshold: 0.5).fit(Embeddings(values: [], dimension: 2)) == [])
        // The zero vector: cosine 0, distance 1, merged only under a threshold above 1.
        let withZero = try Embeddings(rows: [[1, 0], [0.9, 0.1], [0, 0]])
        #expect(try AgglomerativeClustering(distanceThreshold: 0.5).fit(withZero) == [0, 0, 1])
        #expect(try AgglomerativeClustering(distanceThreshold: 1.01).fit(withZero) == [0, 0, 0])
        #expect(throws: SentenceTransformerError.self) { try AgglomerativeClustering(distanceThreshold: .nan).fit(withZero) }
    }
}
