import CSTKernels

/// `C = alpha · op(A) · op(B) + beta · C` on the kernel table's packed fp32 GEMM (`st_packed_gemm_f32`, the
/// inference projections' kernel): `op(B)` is packed into panels of 16 columns for the call (from `[n, k]` or
/// `[k, n]`), a transposed `A` is copied to `[m, k]` rows; up to four rows of `A` against `B` stored `[n, k]` are dot
/// products instead (packing would cost more than the product). Each element of `C` is one sum over `k` in order, so
/// the result depends neither on the workers nor on the other rows. Shapes and strides as ``Gemm``.
enum PackedGemm {
    static func multiply(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                         a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                         beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, parallel: Bool) {
        // C ← beta·C first, so that the kernel's plain accumulation adds alpha·op(A)·op(B) to it.
        if beta != 0 && beta != 1 { for i in 0..<m { for j in 0..<n { c[i * ldc + j] *= beta } } }
        guard k > 0 else {
            if beta == 0 { for i in 0..<m { (c + i * ldc).update(repeating: 0, count: n) } }
            return
        }
        if m <= 4 && transposeB && !transposeA {
            // A few rows against B stored [n, k] (queries against a corpus): packing B would cost more than the
            // product, so each output is one dot product of two contiguous rows.
            for i in 0..<m {
                for j in 0..<n {
                    let product = alpha * VectorMath.dot(a + i * lda, b + j * ldb, count: k)
                    c[i * ldc + j] = beta == 0 ? product : c[i * ldc + j] + product
                }
            }
            return
        }
        let panels = (n + Int(ST_PACKED_PANEL) - 1) / Int(ST_PACKED_PANEL)
        let packed = UnsafeMutablePointer<Float>.allocate(capacity: panels * Int(ST_PACKED_PANEL) * k)
        defer { packed.deallocate() }
        if transposeB { st_pack_weights_f32(b, n, k, ldb, packed) } else { st_pack_columns_f32(b, k, n, ldb, packed) }
        var rows = a, stride = lda
        var copy: UnsafeMutablePointer<Float>?
        if transposeA {
            let transposed = UnsafeMutablePointer<Float>.allocate(capacity: m * k)
            transpose(a, rows: k, columns: m, stride: lda, into: transposed, parallel: parallel)
            copy = transposed
            rows = UnsafePointer(transposed)
            stride = k
        }
        defer { copy?.deallocate() }
        // With alpha ≠ 1 the product goes to a scratch buffer and is added scaled.
        let scratch = alpha == 1 ? nil : UnsafeMutablePointer<Float>.allocate(capacity: m * n)
        defer { scratch?.deallocate() }
        let target = scratch ?? c, targetStride = scratch == nil ? ldc : n
        let accumulate: Int32 = scratch == nil && beta != 0 ? 1 : 0
        let pairs = (panels + 1) / 2
        let body = { (range: Range<Int>) in
            st_packed_gemm_f32(rows, m, k, stride, packed, n, range.lowerBound * 2, min(panels, range.upperBound * 2), nil,
                               target, targetStride, accumulate)
        }
        if parallel {
            // Chunks of at least about 2^16 multiply-adds, so that a small product stays on one thread.
            Parallel.forEachChunk(count: pairs, minimumChunk: max(1, 65_536 / max(1, m * k * 32))) { body($0) }
        } else {
            body(0..<pairs)
        }
        if let scratch {
            for i in 0..<m {
                let row = c + i * ldc, product = scratch + i * n
                for j in 0..<n { row[j] = (beta == 0 ? 0 : row[j]) + alpha * product[j] }
            }
        }
    }

    /// `destination[j, i] = source[i, j]` for `source` `[rows, columns]` (row stride `stride`), in 32 × 32 tiles.
    static func transpose(_ source: UnsafePointer<Float>, rows: Int, columns: Int, stride: Int,
                          into destination: UnsafeMutablePointer<Float>, parallel: Bool) {
        let tile = 32
        let body = { (blocks: Range<Int>) in
            for block in blocks {
                let i0 = block * tile
                for j0 in Swift.stride(from: 0, to: columns, by: tile) {
                    for i in i0..<min(rows, i0 + tile) {
                        for j in j0..<min(columns, j0 + tile) { destination[j * rows + i] = source[i * stride + j] }
                    }
                }
            }
        }
        let blocks = (rows + tile - 1) / tile
        if parallel { Parallel.forEachChunk(count: blocks, minimumChunk: max(1, 16_384 / max(1, columns * tile))) { body($0) } } else { body(0..<blocks) }
    }
}
