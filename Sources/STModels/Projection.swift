import CSTKernels
import STKernels
import STTensor

/// A projection inside a transformer layer, `y = x·Wᵀ + b`: on CPUs with AVX-512 the weights are packed once at load
/// (``PackedMatrix``, faster than BLAS at every batch size measured, and much faster for short inputs) and the mapped
/// originals leave memory; elsewhere BLAS runs on the mapped weights. With ``Precision/int8`` the weights are
/// quantized instead (``QuantizedMatrix``).
struct Projection: Sendable {
    let inFeatures: Int
    let outFeatures: Int
    private let packed: PackedMatrix?
    private let linear: Linear?
    private let quantized: QuantizedMatrix?
    private let bias: Tensor?

    /// Whether this machine runs the packed kernel.
    static let packs: Bool = st_cpu_has_avx512f() != 0

    /// One projection, or several over the same input fused side by side (`[Q; K; V]`).
    init(fusing parts: [Linear], precision: Precision = .float32) {
        inFeatures = parts.first?.inFeatures ?? 0
        outFeatures = parts.reduce(0) { $0 + $1.outFeatures }
        let biases = parts.compactMap(\.bias)
        if precision == .int8 {
            let weights = parts.count == 1 ? parts[0].weight : Linear(concatenating: parts).weight
            quantized = QuantizedMatrix(weight: weights.baseAddress, outFeatures: outFeatures, inFeatures: inFeatures)
            for part in parts { part.weight.releaseMappedPages() }
            packed = nil
            linear = nil
            bias = biases.count == parts.count ? Tensor(shape: [outFeatures], values: biases.flatMap(\.values)) : nil
            return
        }
        quantized = nil
        guard Self.packs else {
            packed = nil
            linear = parts.count == 1 ? parts[0] : Linear(concatenating: parts)
            bias = nil
            return
        }
        let weights = parts.count == 1 ? parts[0].weight : Linear(concatenating: parts).weight
        packed = PackedMatrix(weight: weights.baseAddress, outFeatures: outFeatures, inFeatures: inFeatures)
        for part in parts { part.weight.releaseMappedPages() }
        linear = nil
        bias = biases.count == parts.count ? Tensor(shape: [outFeatures], values: biases.flatMap(\.values)) : nil
    }

    /// `output[rows, out] = input[rows, in] · Wᵀ + b`, plus `output`'s previous content when `accumulate`.
    func forward(_ input: UnsafePointer<Float>, rows: Int, into output: UnsafeMutablePointer<Float>, accumulate: Bool = false) {
        if let quantized {
            withExtendedLifetime(bias) {
                quantized.multiply(input: input, rows: rows, bias: bias?.baseAddress, output: output, accumulate: accumulate)
            }
        } else if let packed {
            withExtendedLifetime(bias) {
                packed.multiply(input: input, rows: rows, bias: bias?.baseAddress, output: output, accumulate: accumulate)
            }
        } else if let linear {
            linear.forward(input, rows: rows, into: output, accumulate: accumulate)
        }
    }

    var parameterCount: Int { inFeatures * outFeatures + (bias?.count ?? linear?.bias?.count ?? 0) }
}
