extension Gemm {
    /// BLAS runs single-threaded; the library splits the work itself (``multiplyParallel``), so that BLAS's own
    /// threads never spin against the library's workers. Set once, before the first parallel multiply.
    static let singleThreadedBLAS: Void = setBLASThreadCount(1)

    /// ``multiply(transposeA:transposeB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)`` split across ``Parallel/workerCount``
    /// workers: by rows of `C` for tall products, else by columns. Each element is computed exactly as one call
    /// computes it, so the result does not depend on the number of workers.
    public static func multiplyParallel(
        transposeA: Bool = false, transposeB: Bool = false,
        m: Int, n: Int, k: Int,
        alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        _ = singleThreadedBLAS
        if usesKernelTable {
            guard m > 0, n > 0 else { return }
            PackedGemm.multiply(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                                b: b, ldb: ldb, beta: beta, c: c, ldc: ldc, parallel: true)
            return
        }
        if m >= 4 * Parallel.workerCount {
            Parallel.forEachChunk(count: m, minimumChunk: 4) { rows in
                let aStart = transposeA ? a + rows.lowerBound : a + rows.lowerBound * lda
                multiply(transposeA: transposeA, transposeB: transposeB, m: rows.count, n: n, k: k, alpha: alpha,
                         a: aStart, lda: lda, b: b, ldb: ldb, beta: beta, c: c + rows.lowerBound * ldc, ldc: ldc)
            }
        } else {
            Parallel.forEachChunk(count: n, minimumChunk: 64) { columns in
                let bStart = transposeB ? b + columns.lowerBound * ldb : b + columns.lowerBound
                multiply(transposeA: transposeA, transposeB: transposeB, m: m, n: columns.count, k: k, alpha: alpha,
                         a: a, lda: lda, b: bStart, ldb: ldb, beta: beta, c: c + columns.lowerBound, ldc: ldc)
            }
        }
    }
}
