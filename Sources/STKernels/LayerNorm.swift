/// Layer normalization over the last dimension: `y = (x − mean) / sqrt(var + eps) · weight + bias`.
///
/// Shapes: `input`, `output` `[rows, channels]` (may alias); `weight`, `bias` `[channels]` (`bias` nil: none, as
/// ModernBERT's `norm_bias: false`).
/// Statistics use the biased variance, as `torch.nn.LayerNorm` does, computed in two passes for accuracy.
public enum LayerNorm {
    public static func forward(
        output: UnsafeMutablePointer<Float>, input: UnsafePointer<Float>,
        weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
        rows: Int, channels: Int, epsilon: Float
    ) {
        precondition(channels > 0, "LayerNorm: no channels")
        Parallel.forEachChunk(count: rows, minimumChunk: 16) { range in
            for row in range {
                _ = normalizeRow(input + row * channels, into: output + row * channels, weight: weight, bias: bias,
                                 channels: channels, epsilon: epsilon)
            }
        }
    }

    /// One row: writes `y` (which may alias `x`) and returns the row's mean and reciprocal standard deviation.
    @inline(__always)
    static func normalizeRow(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, weight: UnsafePointer<Float>,
                             bias: UnsafePointer<Float>?, channels: Int, epsilon: Float) -> (mean: Float, reciprocalStd: Float) {
        let mean = VectorMath.sum(x, count: channels) / Float(channels)
        let variance = VectorMath.sumOfSquaredDeviations(x, mean: mean, count: channels) / Float(channels)
        let reciprocalStd = 1 / (variance + epsilon).squareRoot()
        if let bias {
            for c in 0..<channels { y[c] = (x[c] - mean) * reciprocalStd * weight[c] + bias[c] }
        } else {
            for c in 0..<channels { y[c] = (x[c] - mean) * reciprocalStd * weight[c] }
        }
        return (mean, reciprocalStd)
    }

    /// Naive twin of ``forward(output:input:weight:bias:rows:channels:epsilon:)`` in `Double`.
    public static func forwardReference(
        output: UnsafeMutablePointer<Float>, input: UnsafePointer<Float>,
        weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
        rows: Int, channels: Int, epsilon: Float
    ) {
        for row in 0..<rows {
            let x = input + row * channels
            var mean = 0.0
            for c in 0..<channels { mean += Double(x[c]) }
            mean /= Double(channels)
            var variance = 0.0
            for c in 0..<channels { variance += (Double(x[c]) - mean) * (Double(x[c]) - mean) }
            variance /= Double(channels)
            let reciprocalStd = 1 / (variance + Double(epsilon)).squareRoot()
            for c in 0..<channels {
                output[row * channels + c] = Float((Double(x[c]) - mean) * reciprocalStd * Double(weight[c]) + Double(bias?[c] ?? 0))
            }
        }
    }
}
