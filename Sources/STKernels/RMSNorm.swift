import CSTKernels

/// Root-mean-square normalization over the last dimension (Llama, Qwen, Gemma):
/// `y = x · rsqrt(mean(x²) + eps) · (weightOffset + weight)`.
///
/// Each row runs the vectorized C kernels `st_rms_norm_row` and `st_rms_norm_backward_row`.
///
/// `weightOffset` is 0 for Llama/Qwen (`weight` used as is) and 1 for Gemma, whose checkpoints store `w` and scale by
/// `1 + w` (transformers' `Gemma3RMSNorm`). Shapes: `input`, `output` `[rows, channels]` (may alias in ``forward``);
/// `weight` `[channels]`; `reciprocalRMS` `[rows]`.
public enum RMSNorm {
    public static func forward(
        output: UnsafeMutablePointer<Float>, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        weightOffset: Float, rows: Int, channels: Int, epsilon: Float
    ) {
        precondition(channels > 0, "RMSNorm: no channels")
        Parallel.forEachChunk(count: rows, minimumChunk: 16) { range in
            for row in range {
                _ = normalizeRow(input + row * channels, into: output + row * channels, weight: weight,
                                 weightOffset: weightOffset, channels: channels, epsilon: epsilon)
            }
        }
    }

    /// ``forward(output:input:weight:weightOffset:rows:channels:epsilon:)`` that keeps each row's `rsqrt(mean(x²) + eps)`
    /// for ``backward(dInput:dWeight:dOutput:input:weight:weightOffset:reciprocalRMS:rows:channels:)``; `output` must not
    /// alias `input`.
    public static func forwardTraining(
        output: UnsafeMutablePointer<Float>, reciprocalRMS: UnsafeMutablePointer<Float>, input: UnsafePointer<Float>,
        weight: UnsafePointer<Float>, weightOffset: Float, rows: Int, channels: Int, epsilon: Float
    ) {
        precondition(channels > 0, "RMSNorm: no channels")
        Parallel.forEachChunk(count: rows, minimumChunk: 16) { range in
            for row in range {
                reciprocalRMS[row] = normalizeRow(input + row * channels, into: output + row * channels, weight: weight,
                                                  weightOffset: weightOffset, channels: channels, epsilon: epsilon)
            }
        }
    }

    @inline(__always)
    static func normalizeRow(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, weight: UnsafePointer<Float>,
                             weightOffset: Float, channels: Int, epsilon: Float) -> Float {
        st_rms_norm_row(y, x, weight, weightOffset, channels, epsilon)
    }

    /// Accumulates the gradients: with `r = rsqrt(mean(x²) + eps)`, `g = dy·(offset + w)`,
    /// `dx += r·g − x·r³·mean(g·x)`, `dWeight += Σ_rows dy·x·r`. Rows are split across workers with partial `dWeight`
    /// sums added in worker order, so the result does not depend on scheduling.
    public static func backward(
        dInput: UnsafeMutablePointer<Float>, dWeight: UnsafeMutablePointer<Float>, dOutput: UnsafePointer<Float>,
        input: UnsafePointer<Float>, weight: UnsafePointer<Float>, weightOffset: Float,
        reciprocalRMS: UnsafePointer<Float>, rows: Int, channels: Int
    ) {
        let chunks = min(Parallel.workerCount, max(1, rows / 16))
        let partials = UnsafeMutablePointer<Float>.allocate(capacity: chunks * channels)
        partials.initialize(repeating: 0, count: chunks * channels)
        defer { partials.deallocate() }
        Parallel.forEachChunk(count: chunks, minimumChunk: 1) { chunkRange in
            for chunk in chunkRange {
                let partial = partials + chunk * channels
                for row in (chunk * rows / chunks)..<((chunk + 1) * rows / chunks) {
                    st_rms_norm_backward_row(dInput + row * channels, partial, dOutput + row * channels, input + row * channels,
                                             weight, weightOffset, reciprocalRMS[row], channels)
                }
            }
        }
        for chunk in 0..<chunks { VectorMath.add(partials + chunk * channels, into: dWeight, count: channels) }
    }

    /// Naive twin of ``forward(output:input:weight:weightOffset:rows:channels:epsilon:)`` in `Double`.
    public static func forwardReference(
        output: UnsafeMutablePointer<Float>, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        weightOffset: Float, rows: Int, channels: Int, epsilon: Float
    ) {
        for row in 0..<rows {
            let x = input + row * channels
            var meanSquare = 0.0
            for c in 0..<channels { meanSquare += Double(x[c]) * Double(x[c]) }
            meanSquare /= Double(channels)
            let reciprocal = 1 / (meanSquare + Double(epsilon)).squareRoot()
            for c in 0..<channels {
                output[row * channels + c] = Float(Double(x[c]) * reciprocal * (Double(weightOffset) + Double(weight[c])))
            }
        }
    }
}
