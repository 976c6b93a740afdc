import CSTKernels
import STKernels
import STTensor

/// A projection inside a transformer layer, `y = x·Wᵀ + b`: on every path with its own packed kernel (AVX-512, AVX2,
/// NEON; ``InstructionSet/packsProjections``) the weights are packed once at load (``PackedMatrix``, faster than BLAS
/// at every batch size measured, and much faster for short inputs) and the mapped originals leave memory; on the
/// portable path (and with Accelerate) BLAS runs on the mapped weights. With ``ComputePrecision/int8`` the weights are
/// quantized (``QuantizedMatrix``); a path without fast int8 instructions runs fp32 arithmetic on the dequantized
/// weights instead, which is faster there than integer arithmetic and gives the same int8 weights.
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

    /// One projection, or several over the same input fused side by side (`[Q; K; V]`), in the form the active
    /// kernel path runs fastest.
    init(fusing parts: [Linear], compute: ComputePrecision = .float32, path: InstructionSet = .active) {
        inFeatures = parts.first?.inFeatures ?? 0
        outFeatures = parts.reduce(0) { $0 + $1.outFeatures }
        var fused = parts.count == 1 ? parts[0] : Linear(concatenating: parts)
        biasCount = fused.bias?.count ?? 0
        if compute == .int8 {
            let quantized = QuantizedMatrix(weight: fused.weight.baseAddress, outFeatures: outFeatures, inFeatures: inFeatures)
            // The int8 copy (or its dequantized form) is all that is read from now on.
            for part in parts { part.weight.releaseMappedPages() }
            if path.hasFastInt8 {
                storage = .quantized(quantized)
                bias = fused.bias
                return
            }
            fused = Linear(weight: Tensor(shape: [outFeatures, inFeatures], values: quantized.dequantizedWeights()),
                           bias: fused.bias)
        }
        guard path.packsProjections else {
            storage = .blas(fused)
            bias = nil
            return
        }
        storage = .packed(PackedMatrix(weight: fused.weight.baseAddress, outFeatures: outFeatures, inFeatures: inFeatures))
        // The packed copy is all that is read from now on.
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
