import CSTKernels
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Row-wise softmax, in place: `x[r, c] ← exp(x[r, c] − max_r) / Σ_c exp(x[r, c] − max_r)`.
///
/// Shapes: `x` `[rows, columns]` with row stride `rowStride` (≥ `columns`).
public enum Softmax {
    public static func forward(_ x: UnsafeMutablePointer<Float>, rows: Int, columns: Int, rowStride: Int) {
        for row in 0..<rows {
            let values = x + row * rowStride
            let maximum = st_max(values, columns)
            let total = st_exp_shifted_sum(values, columns, maximum)
            st_scale(values, columns, 1 / total)
        }
    }

    /// Naive twin of ``forward(_:rows:columns:rowStride:)`` in `Double`.
    public static func forwardReference(_ x: UnsafeMutablePointer<Float>, rows: Int, columns: Int, rowStride: Int) {
        for row in 0..<rows {
            let values = x + row * rowStride
            var maximum = -Double.infinity
            for c in 0..<columns { maximum = max(maximum, Double(values[c])) }
            var exps = [Double](repeating: 0, count: columns)
            for c in 0..<columns { exps[c] = exp(Double(values[c]) - maximum) }
            let total = exps.reduce(0, +)
            for c in 0..<columns { values[c] = Float(exps[c] / total) }
        }
    }
}
