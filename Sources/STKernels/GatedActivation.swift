import CSTKernels

/// The gated linear unit of GeGLU / SwiGLU feed-forward layers: `y = act(a) · g` where each input row is
/// `[a | g]`, both `width` wide (ModernBERT's `Wi` output split in halves, the first activated; Llama-style
/// `gate_proj` then `up_proj` fused side by side in that order).
///
/// Shapes: `input` `[rows, 2·width]`, `output` `[rows, width]`. GELU, GELU-tanh and SiLU (GeGLU, SwiGLU) run the
/// vectorized C kernels (`st_gated`, `st_gated_backward`); the others a Swift loop.
public enum GatedActivation {
    public static func forward(output: UnsafeMutablePointer<Float>, input: UnsafePointer<Float>, rows: Int, width: Int,
                               activation: Activation) {
        Parallel.forEachChunk(count: rows, minimumChunk: 8) { range in
            for row in range {
                let y = output + row * width, a = input + row * 2 * width, g = a + width
                if let kind = activation.kernelKind {
                    st_gated(y, a, g, width, kind)
                    continue
                }
                y.update(from: a, count: width)
                activation.apply(y, count: width, parallel: false)
                for c in 0..<width { y[c] *= g[c] }
            }
        }
    }

    /// Accumulates `dInput` `[rows, 2·width]`: `da += dy·g·act′(a)`, `dg += dy·act(a)`.
    public static func backward(dInput: UnsafeMutablePointer<Float>, dOutput: UnsafePointer<Float>, input: UnsafePointer<Float>,
                                rows: Int, width: Int, activation: Activation) {
        Parallel.forEachChunk(count: rows, minimumChunk: 8) { range in
            for row in range {
                let dy = dOutput + row * width, a = input + row * 2 * width, g = a + width
                let da = dInput + row * 2 * width, dg = da + width
                if let kind = activation.kernelKind {
                    st_gated_backward(da, dg, dy, a, g, width, kind)
                    continue
                }
                for c in 0..<width {
                    da[c] += dy[c] * g[c] * activation.derivative(a[c])
                    dg[c] += dy[c] * activation.value(a[c])
                }
            }
        }
    }
}
