import SentenceTransformers
import Testing

@Suite struct SimilarityTests {
    let a = Embeddings(uncheckedValues: [1, 0, 3, 4], dimension: 2)
    let b = Embeddings(uncheckedValues: [0, 2, 3, 4, -1, 0], dimension: 2)

    @Test func cosineAndDot() throws {
        let cosine = try SimilarityFunction.cosine.matrix(a, b)
        #expect(cosine.count == 2 && cosine.dimension == 3)
        #expect(cosine.arrays.map { $0.map { ($0 * 1000).rounded() / 1000 } } == [[0, 0.6, -1], [0.8, 1, -0.6]])
        #expect(try SimilarityFunction.dot.matrix(a, b).arrays == [[0, 3, -1], [8, 25, -3]])
    }

    @Test func distancesAreNegated() throws {
        #expect(try SimilarityFunction.manhattan.matrix(a, b).arrays == [[-3, -6, -2], [-5, 0, -8]])
        let euclidean = try SimilarityFunction.euclidean.matrix(a, b)
        #expect(abs(euclidean[0][0] + Float(5).squareRoot()) < 1e-6 && euclidean[1][1] == 0)
    }

    @Test func pairwise() throws {
        let c = try Embeddings(rows: [[2, 0], [3, 4]])
        #expect(try SimilarityFunction.dot.pairwise(a, c) == [2, 25])
        #expect(try SimilarityFunction.manhattan.pairwise(a, c) == [-1, 0])
        #expect(throws: SentenceTransformerError.self) { try SimilarityFunction.dot.pairwise(a, b) }
        #expect(throws: SentenceTransformerError.self) { try SimilarityFunction.dot.matrix(a, Embeddings(rows: [[1, 2, 3]])) }
    }

    @Test func embeddingsRefuseValuesThatDoNotMakeRows() {
        #expect(throws: SentenceTransformerError.self) { try Embeddings(values: [1, 2, 3], dimension: 2) }
        #expect(throws: SentenceTransformerError.self) { try Embeddings(values: [1], dimension: -1) }
        #expect(throws: SentenceTransformerError.self) { try Embeddings(values: [1], dimension: 0) }
        #expect(throws: SentenceTransformerError.self) { try Embeddings(rows: [[1, 2], [3]]) }
        #expect(throws: SafeTensorsError.self) { try Tensor(shape: [2, 2], values: [1, 2, 3]) }
        #expect(throws: SafeTensorsError.self) { try Tensor(shape: [-1, -4], values: [1, 2, 3, 4]) }
        #expect(throws: SafeTensorsError.self) { try Tensor(shape: [1 << 62, 1 << 62], values: []) }
    }

    @Test func embeddingsConvertToArraysAndTruncate() throws {
        let e = try Embeddings(rows: [[1, 2, 3], [4, 5, 6]])
        #expect(Array(e) == [[1, 2, 3], [4, 5, 6]])
        #expect(e.truncated(to: 2).arrays == [[1, 2], [4, 5]])
        #expect(try Embeddings(rows: []).isEmpty)
    }
}
