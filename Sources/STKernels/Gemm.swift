#if canImport(Accelerate)
import Accelerate
#else
import CBLAS
#endif

/// Single-precision matrix multiply, row-major: the only place that talks to BLAS (Accelerate on Apple platforms;
/// elsewhere the kernel table's packed GEMM, see ``usesKernelTable``).
///
/// Shapes (row-major): `op(A)` is `[m, k]`, `op(B)` is `[k, n]`, `C` is `[m, n]`;
/// `lda`, `ldb`, `ldc` are the row strides of the stored (untransposed) matrices.
///
/// ```swift
/// // C = X · Wᵀ, with X [rows, in] and W [out, in] as PyTorch stores nn.Linear.weight
/// Gemm.multiply(transposeB: true, m: rows, n: out, k: in, a: x, lda: in, b: w, ldb: in, c: y, ldc: out)
/// ```
public enum Gemm {
    /// `C = alpha · op(A) · op(B) + beta · C`.
    public static func multiply(
        transposeA: Bool = false, transposeB: Bool = false,
        m: Int, n: Int, k: Int,
        alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        precondition(m >= 0 && n >= 0 && k >= 0, "Gemm: negative dimension")
        if m == 0 || n == 0 { return }
        if usesKernelTable {
            PackedGemm.multiply(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                                b: b, ldb: ldb, beta: beta, c: c, ldc: ldc, parallel: false)
            return
        }
        cblas_sgemm(
            CblasRowMajor,
            transposeA ? CblasTrans : CblasNoTrans,
            transposeB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k),
            alpha, a, Int32(lda), b, Int32(ldb),
            beta, c, Int32(ldc)
        )
    }

    /// Whether products run on the kernel table's packed fp32 GEMM (``PackedGemm``) instead of BLAS: on Linux, where
    /// OpenBLAS picks its kernels from a list of CPU models and runs its SSE3 ones (`Prescott`) on a model it does not
    /// know (Debian's 0.3.21 on Intel Emerald Rapids: training 2x slower than PyTorch), while the kernel table picks by
    /// instruction set. On Apple platforms, Accelerate.
    public static let usesKernelTable: Bool = {
        #if canImport(Accelerate)
        return false
        #else
        return true
        #endif
    }()

    /// The number of threads BLAS uses inside one call (OpenBLAS only; Accelerate manages its own).
    public static var blasThreadCount: Int {
        get {
            #if canImport(Accelerate)
            return 1
            #else
            return Int(openblas_get_num_threads())
            #endif
        }
    }

    /// Sets the number of threads BLAS uses inside one call (OpenBLAS only).
    public static func setBLASThreadCount(_ count: Int) {
        #if !canImport(Accelerate)
        openblas_set_num_threads(Int32(max(1, count)))
        #endif
    }

    /// Naive twin of ``multiply(transposeA:transposeB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)``,
    /// accumulating in `Double`; the oracle for tests.
    public static func multiplyReference(
        transposeA: Bool = false, transposeB: Bool = false,
        m: Int, n: Int, k: Int,
        alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        for i in 0..<m {
            for j in 0..<n {
                var sum = 0.0
                for p in 0..<k {
                    let aValue = transposeA ? a[p * lda + i] : a[i * lda + p]
                    let bValue = transposeB ? b[j * ldb + p] : b[p * ldb + j]
                    sum += Double(aValue) * Double(bValue)
                }
                let previous = beta == 0 ? 0 : Double(beta) * Double(c[i * ldc + j])
                c[i * ldc + j] = Float(Double(alpha) * sum + previous)
            }
        }
    }
}
