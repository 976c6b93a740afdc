import Foundation
import STTestSupport
import SentenceTransformers
import Testing

/// The inverted sparse index against a brute-force scan, fusion against hand-computed values, and hybrid
/// `VectorIndex` storage.
@Suite struct SparseSearchTests {
    /// `count` random sparse vectors of `dimension` with 1…`maxActive` entries each, Zipf-like so some dimensions are
    /// shared by many rows (as frequent tokens are), values in (0, 3].
    static func randomVectors(count: Int, dimension: Int, maxActive: Int, generator: inout SeededGenerator) throws -> [SparseVector] {
        try (0..<count).map { _ in
            let active = Int.random(in: 1...maxActive, using: &generator)
            var chosen = Set<Int>()
            while chosen.count < active {
                let u = Double.random(in: 0..<1, using: &generator)
                chosen.insert(min(dimension - 1, Int(pow(u, 3) * Double(dimension))))
            }
            let indices = chosen.sorted()
            // Quantized values make exact score ties between rows common, so the tie order is tested too.
            return try SparseVector(indices: indices, values: indices.map { _ in Float(Int.random(in: 1...12, using: &generator)) / 4 }, dimension: dimension)
        }
    }

    @Test func invertedIndexEqualsBruteForceOn5000Vectors() throws {
        var generator = SeededGenerator(seed: 2026)
        let corpus = try Self.randomVectors(count: 5000, dimension: 30522, maxActive: 200, generator: &generator)
        let queries = try Self.randomVectors(count: 50, dimension: 30522, maxActive: 30, generator: &generator)
        var index = SparseIndex(dimension: 30522)
        try index.add(Array(corpus[..<2500]))
        try index.add(Array(corpus[2500...]))
        #expect(index.count == 5000)
        for (number, query) in queries.enumerated() {
            for k in [1, 10, 100] {
                let fast = try index.search(query, topK: k)
                let slow = index.bruteForceSearch(query, topK: k)
                #expect(fast == slow, "query \(number), top \(k)")
                #expect(fast.count == min(k, corpus.filter { query.dot($0) != 0 }.count))
            }
        }
        #expect(throws: SentenceTransformerError.self) { try index.search(SparseVector.zero(dimension: 7), topK: 3) }
        #expect(throws: SentenceTransformerError.self) { try index.search(queries[0], topK: 0) }
    }

    @Test func sparseVectorBasics() throws {
        let v = try SparseVector(indices: [1, 4, 9], values: [0.5, -2, 1], dimension: 10)
        #expect(v.dense == [0, 0.5, 0, 0, -2, 0, 0, 0, 0, 1])
        #expect(v[4] == -2 && v[5] == 0)
        #expect(v.keepingTop(2) == (try SparseVector(indices: [4, 9], values: [-2, 1], dimension: 10)))
        #expect(v.dot(try SparseVector(indices: [4, 9], values: [1, 3], dimension: 10)) == 1)
        #expect(SparseVector(dense: v.dense) == v)
        #expect(throws: SentenceTransformerError.self) { try SparseVector(indices: [3, 2], values: [1, 1], dimension: 10) }
        #expect(throws: SentenceTransformerError.self) { try SparseVector(indices: [10], values: [1], dimension: 10) }
        #expect(throws: SentenceTransformerError.self) { try SparseVector(indices: [1], values: [], dimension: 10) }
    }

    /// Dense ranks d2, d0, d1; sparse ranks d1, d2, d3. RRF (k = 60): d2 = 1/61 + 1/62, d1 = 1/63 + 1/61,
    /// d0 = 1/62, d3 = 1/63.
    @Test func reciprocalRankFusionMatchesHandComputedScores() throws {
        let dense = [SearchHit(corpusID: 2, score: 0.9), SearchHit(corpusID: 0, score: 0.8), SearchHit(corpusID: 1, score: 0.1)]
        let sparse = [SearchHit(corpusID: 1, score: 12), SearchHit(corpusID: 2, score: 7), SearchHit(corpusID: 3, score: 1)]
        let fused = try HybridSearch.fuse([dense, sparse], topK: 10)
        #expect(fused.map(\.corpusID) == [2, 1, 0, 3])
        let expected: [Double] = [1.0 / 61 + 1.0 / 62, 1.0 / 63 + 1.0 / 61, 1.0 / 62, 1.0 / 63]
        for (hit, score) in zip(fused, expected) { #expect(abs(Double(hit.score) - score) < 1e-7) }
        #expect(try HybridSearch.fuse([dense, sparse], topK: 2).map(\.corpusID) == [2, 1])
        // Weighted: dense normalized d2 1, d0 0.875, d1 0; sparse d1 1, d2 6/11, d3 0. Weights 0.3 / 0.7.
        let weighted = try HybridSearch.fuse([dense, sparse], fusion: .weightedScore(weights: [0.3, 0.7]), topK: 4)
        #expect(weighted.map(\.corpusID) == [1, 2, 0, 3])
        #expect(abs(weighted[1].score - Float(0.3 + 0.7 * 6.0 / 11)) < 1e-6)
        #expect(throws: SentenceTransformerError.self) { try HybridSearch.fuse([dense], fusion: .weightedScore(weights: [1, 2]), topK: 1) }
        #expect(throws: SentenceTransformerError.self) { try HybridSearch.fuse([dense], topK: 0) }
        #expect(try HybridSearch.fuse([], topK: 3).isEmpty)
    }

    @Test func hybridVectorIndexSavesSearchesAndDeletes() throws {
        var generator = SeededGenerator(seed: 7)
        let sparse = try Self.randomVectors(count: 300, dimension: 1000, maxActive: 20, generator: &generator)
        let dense = try Embeddings(rows: (0..<300).map { _ in (0..<16).map { _ in Float.random(in: -1...1, using: &generator) } })
        let documents = (0..<300).map { IndexDocument(id: "doc\($0)", text: "text \($0)") }
        var index = VectorIndex(dimension: 16, sparseDimension: 1000, sparseModel: "tiny-splade")
        #expect(throws: IndexError.self) { try index.add(documents, embeddings: dense) }
        try index.add(documents, embeddings: dense, sparseEmbeddings: sparse)
        let query = sparse[17]
        let hits = try index.searchSparse(query, topK: 5)
        var reference = SparseIndex(dimension: 1000)
        try reference.add(sparse)
        #expect(hits.map(\.document.id) == reference.bruteForceSearch(query, topK: 5).map { "doc\($0.corpusID)" })
        try index.delete(id: hits[0].document.id)
        #expect(try index.searchSparse(query, topK: 5).map(\.document.id) == Array(reference.bruteForceSearch(query, topK: 6).map { "doc\($0.corpusID)" }.dropFirst()))
        let fused = try index.searchHybrid(dense: dense[42], sparse: sparse[42], topK: 3)
        #expect(fused.first?.document.id == "doc42")

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hybrid-index-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try index.save(to: folder)
        let reopened = try VectorIndex(contentsOf: folder)
        #expect(reopened == index && reopened.sparseDimension == 1000 && reopened.sparseModel == "tiny-splade")
        #expect(try reopened.searchHybrid(dense: dense[42], sparse: sparse[42], topK: 3) == fused)
        var plain = VectorIndex(dimension: 16)
        #expect(throws: IndexError.self) { try plain.add([documents[0]], embeddings: Embeddings(rows: [dense[0]]), sparseEmbeddings: [sparse[0]]) }
        #expect(throws: IndexError.self) { try plain.searchSparse(query) }
    }
}
