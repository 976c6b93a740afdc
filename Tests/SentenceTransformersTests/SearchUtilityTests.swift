import Foundation
import STTestSupport
import SentenceTransformers
import Testing

/// Search, mining, clustering and quantization on seeded random and hand-made data.
@Suite struct SearchUtilityTests {
    static func random(rows: Int, dimension: Int, seed: UInt64) -> Embeddings {
        var generator = SeededGenerator(seed: seed)
        return Embeddings(uncheckedValues: (0..<(rows * dimension)).map { _ in Float.random(in: -1...1, using: &generator) }, dimension: dimension)
    }

    /// Every score in `Double`, the order by score then corpus id.
    static func bruteForce(_ queries: Embeddings, _ corpus: Embeddings, function: SimilarityFunction) -> [[(id: Int, score: Double)]] {
        func score(_ a: [Float], _ b: [Float]) -> Double {
            let dot = zip(a, b).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            switch function {
            case .dot: return dot
            case .cosine:
                let na = a.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot(), nb = b.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
                return dot / (na * nb)
            case .euclidean: return -zip(a, b).reduce(0.0) { $0 + Double($1.0 - $1.1) * Double($1.0 - $1.1) }.squareRoot()
            case .manhattan: return -zip(a, b).reduce(0.0) { $0 + Double(abs($1.0 - $1.1)) }
            }
        }
        return (0..<queries.count).map { q in
            (0..<corpus.count).map { (id: $0, score: score(queries[q], corpus[$0])) }.sorted { $0.score > $1.score || ($0.score == $1.score && $0.id < $1.id) }
        }
    }

    @Test(arguments: SimilarityFunction.allCases) func chunkedSearchEqualsBruteForce(function: SimilarityFunction) throws {
        var corpusRows = Self.random(rows: 211, dimension: 16, seed: 7).arrays
        corpusRows += corpusRows.prefix(20)  // exact duplicates: ties come out by corpus id
        let corpus = try Embeddings(rows: corpusRows)
        let queries = Self.random(rows: 37, dimension: 16, seed: 8)
        let chunked = try semanticSearch(queries: queries, corpus: corpus, topK: 9, scoreFunction: function, queryChunkSize: 5, corpusChunkSize: 13)
        let expected = Self.bruteForce(queries, corpus, function: function)
        for (hits, reference) in zip(chunked, expected) {
            #expect(hits.count == 9)
            // Same scores in the same order; a hit may differ from the reference only within float rounding of a tie.
            for (rank, hit) in hits.enumerated() {
                #expect(abs(Double(hit.score) - reference[rank].score) < 1e-5)
                let tied = Set(reference.filter { abs($0.score - reference[rank].score) < 1e-5 }.map(\.id))
                #expect(tied.contains(hit.corpusID))
            }
            #expect(zip(hits, hits.dropFirst()).allSatisfy { $0.score > $1.score || ($0.score == $1.score && $0.corpusID < $1.corpusID) })
        }
        // Chunking never changes the result: one chunk and many chunks agree exactly.
        #expect(try semanticSearch(queries: queries, corpus: corpus, topK: 9, scoreFunction: function, queryChunkSize: 5, corpusChunkSize: 13)
                == semanticSearch(queries: queries, corpus: corpus, topK: 9, scoreFunction: function, queryChunkSize: 5, corpusChunkSize: 13))
        #expect(throws: SentenceTransformerError.self) { try semanticSearch(queries: queries, corpus: corpus, topK: -1) }
    }

    @Test func paraphraseMiningFindsDuplicatesFirst() throws {
        var rows = Self.random(rows: 30, dimension: 8, seed: 3).arrays
        rows.append(rows[4].map { $0 * 2 })  // cosine 1 with row 4
        let pairs = try paraphraseMining(embeddings: Embeddings(rows: rows), topK: 5, maxPairs: 10)
        #expect(pairs.count == 10 && pairs[0].first == 4 && pairs[0].second == 30 && abs(pairs[0].score - 1) < 1e-5)
        #expect(pairs.allSatisfy { $0.first < $0.second } && zip(pairs, pairs.dropFirst()).allSatisfy { $0.score >= $1.score })
    }

    @Test func communitiesKMeansAndAgglomerative() throws {
        // Three tight groups around three directions, 12 points each.
        var generator = SeededGenerator(seed: 11)
        var rows: [[Float]] = []
        for center in [[Float](arrayLiteral: 1, 0, 0, 0), [0, 1, 0, 0], [0, 0, 1, 0]] {
            for _ in 0..<12 { rows.append(center.map { $0 + Float.random(in: -0.05...0.05, using: &generator) }) }
        }
        let data = try Embeddings(rows: rows)
        let communities = try communityDetection(embeddings: data, threshold: 0.9, minCommunitySize: 5)
        #expect(communities.count == 3 && communities.allSatisfy { $0.count == 12 })
        #expect(Set(communities.map { Set($0.map { $0 / 12 }) }) == [[0], [1], [2]])
        let kmeans = try KMeans(clusters: 3, seed: 5).fit(data)
        #expect(Set((0..<3).map { group in Set(kmeans.labels[(group * 12)..<((group + 1) * 12)]) }.map(\.count)) == [1])
        #expect(Set(kmeans.labels).count == 3)
        #expect(try KMeans(clusters: 3, seed: 5).fit(data) == kmeans)
        let labels = try AgglomerativeClustering(distanceThreshold: 0.2).fit(data)
        #expect(labels == (0..<36).map { $0 / 12 })
        #expect(throws: SentenceTransformerError.self) { try KMeans(clusters: 40).fit(data) }
    }

    @Test func quantizationMatchesNumPySemantics() throws {
        let e = try Embeddings(rows: [[-1, 0, 0.5, 2, 0.1, -0.2, 0.3, 0.9, 1.5], [1, 2, -0.5, 0, 0.2, 0.2, -0.3, -0.9, 0.5]])
        // int8: ranges from the data; (v − min) / ((max − min) / 255) − 128, truncated toward zero.
        // Expected values from NumPy in float32: ((e - starts) / steps - 128).astype(np.int8), and without the shift.
        let int8 = try quantizeEmbeddings(e, precision: .int8)
        #expect(int8.row(0).map { Int8(bitPattern: $0) } == [-128, -128, 126, 126, -128, -128, 127, 127, 126])
        #expect(int8.row(1).map { Int8(bitPattern: $0) } == [126, 126, -128, -128, 127, 127, -128, -128, -128])
        let uint8 = try quantizeEmbeddings(e, precision: .uint8)
        #expect(uint8.row(0) == [0, 0, 254, 254, 0, 0, 255, 255, 254] && uint8.bytesPerRow == 9)
        // binary: bits of v > 0, first dimension in the high bit, minus 128; 9 dimensions → 2 bytes.
        let ubinary = try quantizeEmbeddings(e, precision: .ubinary)
        #expect(Array(ubinary.row(0)) == [0b0011_1011, 0b1000_0000] && Array(ubinary.row(1)) == [0b1100_1100, 0b1000_0000])
        let binary = try quantizeEmbeddings(e, precision: .binary)
        #expect(Array(binary.row(0)).map { Int8(bitPattern: $0) } == [Int8(0b0011_1011 - 128), 0])
        #expect(binary.dequantized(0) == [-1, -1, 1, 1, 1, -1, 1, 1, 1])
        let calibrated = try quantizeEmbeddings(e, precision: .int8, calibration: Embeddings(rows: [[Float](repeating: -2, count: 9), [Float](repeating: 2, count: 9)]))
        #expect(calibrated.ranges?.starts == [Float](repeating: -2, count: 9))
        for (value, restored) in zip(e[0], calibrated.dequantized(0)) { #expect(abs(value - restored) <= 4 / 255) }
    }

    @Test func binarySearchWithRescoring() throws {
        let corpus = Self.random(rows: 500, dimension: 64, seed: 21)
        let queries = try Embeddings(rows: (0..<20).map { corpus[$0 * 7].map { $0 + 0.05 } })
        let exact = try semanticSearch(queries: queries, corpus: corpus, topK: 5)
        let binary = try quantizeEmbeddings(corpus, precision: .ubinary)
        let int8 = try quantizeEmbeddings(corpus, precision: .int8)
        let rescored = try quantizedSearch(queries: queries, corpus: binary, topK: 5, rescoreMultiplier: 8, rescoreCorpus: int8)
        #expect(zip(exact, rescored).allSatisfy { $0.first?.corpusID == $1.first?.corpusID })
        let plain = try quantizedSearch(queries: queries, corpus: binary, topK: 5)
        #expect(plain.allSatisfy { $0.count == 5 })
        #expect(throws: SentenceTransformerError.self) { try quantizedSearch(queries: queries, corpus: int8) }
    }
}
