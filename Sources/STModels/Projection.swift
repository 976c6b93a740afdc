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
    private let storage: Storage
    /// The fused bias of the packed and quantized forms (BLAS's `Linear` keeps its own).
    private let bias: Tensor?
    private let biasCount: Int

    private enum Storage: Sendable {
        case blas(Linear)
        case packed(PackedMatrix)
        case quantized(QuantizedMatrix)
    }

    /// Whether this machine runs the packed kernel.
    static let packs: Bool = st_cpu_has_avx512f() != 0

    /// One projection, or several over the same input fused side by side (`[Q; K; V]`).
    init(fusing parts: [Linear], precision: Precision = .float32) {
        inFeatures = parts.first?.inFeatures ?? 0
        outFeatures = parts.reduce(0) { $0 + $1.outFeatures }
        let fused = parts.count == 1 ? parts[0] : Linear(concatenating: parts)
        biasCount = fused.bias?.count ?? 0
        guard precision == .int8 || Self.packs else {
            storage = .blas(fused)
            bias = nil
            return
        }
        let weight = fused.weight.baseAddress
        storage = precision == .int8
            ? .quantized(QuantizedMatrix(weight: weight, outFeatures: outFeatures, inFeatures: inFeatures))
            : .packed(PackedMatrix(weight: weight, outFeatures: outFeatures, inFeatures: inFeatures))
        // The packed or quantized copy is all that is read from now on.
        for part in parts { part.weight.releaseMappedPages() }
        bias = fused.bias
    }

    /// `output[rows, out] = input[rows, in] · Wᵀ + b`, plus `output`'s previous content when `accumulate`.
    func forward(_ input: UnsafePointer<Float>, rows: Int, into output: UnsafeMutablePointer<Float>, accumulate: Bool = false) {
        withExtendedLifetime(bias) {
            switch storage {
            case .blas(let linear):
                linear.forward(input, rows: rows, into: output, accumulate: accumulate)
            case .packed(let matrix):
                matrix.multiply(input: input, rows: rows, bias: bias?.baseAddress, output: output, accumulate: accumulate)
            case .quantized(let matrix):
                matrix.multiply(input: input, rows: rows, bias: bias?.baseAddress, output: output, accumulate: accumulate)
            }
        }
    }

    var parameterCount: Int { inFeatures * outFeatures + biasCount }
}
