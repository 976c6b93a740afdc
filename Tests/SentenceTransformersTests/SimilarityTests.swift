import SentenceTransformers
import Testing

@Suite struct SimilarityTests {
    let a = Embeddings(rows: [[1, 0], [3, 4]])
    let b = Embeddings(rows: [[0, 2], [3, 4], [-1, 0]])

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
        let c = Embeddings(rows: [[2, 0], [3, 4]])
        #expect(try SimilarityFunction.dot.pairwise(a, c) == [2, 25])
        #expect(try SimilarityFunction.manhattan.pairwise(a, c) == [-1, 0])
        #expect(throws: SentenceTransformerError.self) { try SimilarityFunction.dot.pairwise(a, b) }
        #expect(throws: SentenceTransformerError.self) { try SimilarityFunction.dot.matrix(a, Embeddings(rows: [[1, 2, 3]])) }
    }

    @Test func embeddingsConvertToArraysAndTruncate() {
        let e = Embeddings(rows: [[1, 2, 3], [4, 5, 6]])
        #expect(Array(e) == [[1, 2, 3], [4, 5, 6]])
        #expect(e.truncated(to: 2).arrays == [[1, 2], [4, 5]])
        #expect(Embeddings(rows: []).isEmpty)
    }
}
