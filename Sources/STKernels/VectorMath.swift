/// Small vector reductions and element-wise operations over raw buffers: a SIMD body over
/// 16-wide blocks and a scalar loop for the tail.
public enum VectorMath {
    /// `Σ x[i]`.
    @inlinable
    public static func sum(_ x: UnsafePointer<Float>, count: Int) -> Float {
        var accumulator = SIMD16<Float>()
        var i = 0
        while i + 16 <= count {
            accumulator += UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self)
            i += 16
        }
        var total = accumulator.sum()
        while i < count { total += x[i]; i += 1 }
        return total
    }

    /// `Σ (x[i] − mean)²`.
    @inlinable
    public static func sumOfSquaredDeviations(_ x: UnsafePointer<Float>, mean: Float, count: Int) -> Float {
        var accumulator = SIMD16<Float>()
        let center = SIMD16<Float>(repeating: mean)
        var i = 0
        while i + 16 <= count {
            let d = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self) - center
            accumulator += d * d
            i += 16
        }
        var total = accumulator.sum()
        while i < count { let d = x[i] - mean; total += d * d; i += 1 }
        return total
    }

    /// `Σ x[i]·y[i]`.
    @inlinable
    public static func dot(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, count: Int) -> Float {
        var accumulator = SIMD16<Float>()
        var i = 0
        while i + 16 <= count {
            accumulator += UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self)
                * UnsafeRawPointer(y + i).loadUnaligned(as: SIMD16<Float>.self)
            i += 16
        }
        var total = accumulator.sum()
        while i < count { total += x[i] * y[i]; i += 1 }
        return total
    }

    /// Adds `bias` (`[columns]`) to every row of `matrix` (`[rows, columns]`), in place.
    public static func addBias(_ matrix: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>, rows: Int, columns: Int) {
        Parallel.forEachChunk(count: rows, minimumChunk: 32) { range in
            for row in range {
                let y = matrix + row * columns
                for c in 0..<columns { y[c] += bias[c] }
            }
        }
    }

    /// `y[i] += x[i]` for `count` elements.
    public static func add(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { y[i] += x[i] }
    }
}
