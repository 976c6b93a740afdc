/// A fully connected layer over rows, `y = x·Wᵀ + b`, with `W` stored `[out, in]` as `torch.nn.Linear.weight`:
/// forward and backward over weights in memory (checkpoint tensors or training parameters).
///
/// Shapes: `x` `[rows, in]`, `y` `[rows, out]`, `weight` `[out, in]`, `bias` `[out]`.
public enum LinearMap {
    /// `y = x·Wᵀ + b` (`y += …` with `accumulate`).
    public static func forward(
        output: UnsafeMutablePointer<Float>, input: UnsafePointer<Float>,
        weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
        rows: Int, inFeatures: Int, outFeatures: Int, accumulate: Bool = false
    ) {
        Gemm.multiplyParallel(transposeB: true, m: rows, n: outFeatures, k: inFeatures,
                              a: input, lda: inFeatures, b: weight, ldb: inFeatures,
                              beta: accumulate ? 1 : 0, c: output, ldc: outFeatures)
        if let bias { VectorMath.addBias(output, bias: bias, rows: rows, columns: outFeatures) }
    }

    /// Accumulates `dInput += dY·W` (when given), `dWeight += dYᵀ·x`, `dBias += Σ_rows dY`.
    public static func backward(
        dInput: UnsafeMutablePointer<Float>?, dWeight: UnsafeMutablePointer<Float>, dBias: UnsafeMutablePointer<Float>?,
        dOutput: UnsafePointer<Float>, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        rows: Int, inFeatures: Int, outFeatures: Int
    ) {
        guard rows > 0 else { return }
        if let dInput {
            Gemm.multiplyParallel(m: rows, n: inFeatures, k: outFeatures, a: dOutput, lda: outFeatures,
                                  b: weight, ldb: inFeatures, beta: 1, c: dInput, ldc: inFeatures)
        }
        Gemm.multiplyParallel(transposeA: true, m: outFeatures, n: inFeatures, k: rows, a: dOutput, lda: outFeatures,
                              b: input, ldb: inFeatures, beta: 1, c: dWeight, ldc: inFeatures)
        if let dBias {
            Parallel.forEachChunk(count: outFeatures, minimumChunk: 64) { columns in
                for row in 0..<rows {
                    let dy = dOutput + row * outFeatures
                    for column in columns { dBias[column] += dy[column] }
                }
            }
        }
    }
}
