import STKernels

/// How two embeddings are compared, by the names sentence-transformers uses (`similarity_fn_name`).
/// Distances are negated so that a larger score always means more similar, as in Python.
public enum SimilarityFunction: String, Sendable, CaseIterable {
    case cosine
    case dot
    case euclidean
    case manhattan

    /// Scores of every row of `a` against every row of `b`: `[a.count, b.count]`.
    public func matrix(_ a: Embeddings, _ b: Embeddings) throws -> Embeddings {
        try Self.checkDimensions(a, b)
        switch self {
        case .cosine: return Self.product(a.normalized(), b.normalized())
        case .dot: return Self.product(a, b)
        case .euclidean, .manhattan:
            var scores = [Float](repeating: 0, count: a.count * b.count)
            for i in 0..<a.count {
                for j in 0..<b.count { scores[i * b.count + j] = distanceScore(a, i, b, j) }
            }
            return Embeddings(uncheckedValues: scores, dimension: b.count)
        }
    }

    /// Scores of row `i` of `a` against row `i` of `b`.
    public func pairwise(_ a: Embeddings, _ b: Embeddings) throws -> [Float] {
        try Self.checkDimensions(a, b)
        guard a.count == b.count else {
            throw SentenceTransformerError.invalidArgument("pairwise similarity needs as many rows in both inputs (\(a.count) and \(b.count))")
        }
        switch self {
        case .cosine, .dot:
            let (x, y) = self == .cosine ? (a.normalized(), b.normalized()) : (a, b)
            return x.values.withUnsafeBufferPointer { xs in
                y.values.withUnsafeBufferPointer { ys in
                    guard let xBase = xs.baseAddress, let yBase = ys.baseAddress else { return Array(repeating: 0, count: a.count) }
                    return (0..<a.count).map { VectorMath.dot(xBase + $0 * a.dimension, yBase + $0 * a.dimension, count: a.dimension) }
                }
            }
        case .euclidean, .manhattan:
            return (0..<a.count).map { distanceScore(a, $0, b, $0) }
        }
    }

    private func distanceScore(_ a: Embeddings, _ i: Int, _ b: Embeddings, _ j: Int) -> Float {
        var total: Double = 0
        for c in 0..<a.dimension {
            let difference = Double(a.values[i * a.dimension + c]) - Double(b.values[j * b.dimension + c])
            total += self == .euclidean ? difference * difference : abs(difference)
        }
        return Float(-(self == .euclidean ? total.squareRoot() : total))
    }

    private static func product(_ a: Embeddings, _ b: Embeddings) -> Embeddings {
        var scores = [Float](repeating: 0, count: a.count * b.count)
        a.values.withUnsafeBufferPointer { x in
            b.values.withUnsafeBufferPointer { y in
                scores.withUnsafeMutableBufferPointer { z in
                    guard let xBase = x.baseAddress, let yBase = y.baseAddress, let zBase = z.baseAddress else { return }
                    Gemm.multiply(transposeB: true, m: a.count, n: b.count, k: a.dimension,
                                  a: xBase, lda: a.dimension, b: yBase, ldb: b.dimension, c: zBase, ldc: b.count)
                }
            }
        }
        return Embeddings(uncheckedValues: scores, dimension: b.count)
    }

    private static func checkDimensions(_ a: Embeddings, _ b: Embeddings) throws {
        guard a.dimension == b.dimension || a.isEmpty || b.isEmpty else {
            throw SentenceTransformerError.invalidArgument("cannot compare embeddings of dimension \(a.dimension) and \(b.dimension)")
        }
    }
}
