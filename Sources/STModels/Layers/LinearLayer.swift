import CSTKernels
import STKernels
import STTensor

/// `y = x·Wᵀ + b`, the one linear map of the models: transformer projections, classification and MLM heads, Dense.
///
/// Its weights take the form the work needs:
/// - inference on a path with its own packed kernel (AVX-512, AVX2, NEON; ``InstructionSet/packsProjections``): packed
///   once at load (``PackedMatrix``, faster than BLAS at every batch size measured, and much faster for short inputs),
///   and the mapped originals leave memory;
/// - inference with ``ComputePrecision/int8``: quantized (``QuantizedMatrix``); a path without fast int8 instructions
///   runs fp32 arithmetic on the dequantized weights instead, which is faster there and gives the same int8 weights;
/// - inference on the portable path (and with Accelerate): the mapped checkpoint tensors, multiplied per call;
/// - training: offsets into the ``ParameterBank``, with a backward pass.
///
/// Shapes: `x` `[rows, inFeatures]`, `y` `[rows, outFeatures]`; `W` `[outFeatures, inFeatures]` as `torch.nn.Linear`
/// stores it. Several maps over the same input can be fused side by side (`[Q; K; V]`, `[gate; up]`).
public struct LinearLayer: Sendable {
    enum Storage: Sendable {
        case mapped(weight: Tensor, bias: Tensor?)
        case packed(PackedMatrix, bias: Tensor?)
        case quantized(QuantizedMatrix, bias: Tensor?)
        case trainable(weight: Int, bias: Int?)
    }

    let storage: Storage
    public let inFeatures: Int
    public let outFeatures: Int

    /// Inference weights: one map, or several over the same input fused side by side, each `weight`
    /// `[out_i, inFeatures]` with its `bias` `[out_i]` (all with a bias or none), in the form `path` runs fastest.
    public init(fusing parts: [(weight: Tensor, bias: Tensor?)], inFeatures: Int, compute: ComputePrecision = .float32,
                path: InstructionSet = .active) {
        self.inFeatures = inFeatures
        outFeatures = parts.reduce(0) { $0 + ($1.weight.shape.first ?? 0) }
        var weight = parts.count == 1 ? parts[0].weight
            : Tensor(uncheckedShape: [outFeatures, inFeatures], values: parts.flatMap(\.weight.values))
        let bias = parts.first?.bias == nil ? nil
            : parts.count == 1 ? parts[0].bias : Tensor(uncheckedShape: [outFeatures], values: parts.flatMap { $0.bias?.values ?? [] })
        if compute == .int8 {
            let quantized = QuantizedMatrix(weight: weight.baseAddress, outFeatures: outFeatures, inFeatures: inFeatures)
            // The int8 copy (or its dequantized form) is all that is read from now on.
            for part in parts { part.weight.releaseMappedPages() }
            if path.hasFastInt8 {
                storage = .quantized(quantized, bias: bias)
                return
            }
            weight = Tensor(uncheckedShape: [outFeatures, inFeatures], values: quantized.dequantizedWeights())
        }
        guard path.packsProjections else {
            storage = .mapped(weight: weight, bias: bias)
            return
        }
        storage = .packed(PackedMatrix(weight: weight.baseAddress, outFeatures: outFeatures, inFeatures: inFeatures), bias: bias)
        // The packed copy is all that is read from now on.
        for part in parts { part.weight.releaseMappedPages() }
    }

    /// A layer whose weight (and bias) sit at these offsets of the bank.
    public init(trainableWeight weight: Int, bias: Int?, inFeatures: Int, outFeatures: Int) {
        storage = .trainable(weight: weight, bias: bias)
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
    }

    /// `output = input·Wᵀ + b`, plus `output`'s previous content when `accumulate`; `bank` holds trainable weights.
    public func forward(_ input: UnsafePointer<Float>, rows: Int, into output: UnsafeMutablePointer<Float>, accumulate: Bool = false,
                        bank: ParameterBank? = nil) {
        switch storage {
        case .mapped(let weight, let bias):
            withExtendedLifetime((weight, bias)) {
                LinearMap.forward(output: output, input: input, weight: weight.baseAddress, bias: bias?.baseAddress,
                                  rows: rows, inFeatures: inFeatures, outFeatures: outFeatures, accumulate: accumulate)
            }
        case .packed(let matrix, let bias):
            withExtendedLifetime(bias) {
                matrix.multiply(input: input, rows: rows, bias: bias?.baseAddress, output: output, accumulate: accumulate)
            }
        case .quantized(let matrix, let bias):
            withExtendedLifetime(bias) {
                matrix.multiply(input: input, rows: rows, bias: bias?.baseAddress, output: output, accumulate: accumulate)
            }
        case .trainable(let weight, let bias):
            guard let bank else { preconditionFailure("LinearLayer: trainable weights without their bank") }
            LinearMap.forward(output: output, input: input, weight: bank.values + weight, bias: bias.map { UnsafePointer(bank.values + $0) },
                              rows: rows, inFeatures: inFeatures, outFeatures: outFeatures, accumulate: accumulate)
        }
    }

    /// Accumulates `dInput += dOutput·W` (when given) and the parameter gradients (trainable weights only: the
    /// inference forms have none).
    public func backward(dInput: UnsafeMutablePointer<Float>?, dOutput: UnsafePointer<Float>, input: UnsafePointer<Float>, rows: Int,
                         bank: ParameterBank) {
        guard case .trainable(let weight, let bias) = storage else { preconditionFailure("LinearLayer: backward of inference weights") }
        LinearMap.backward(dInput: dInput, dWeight: bank.gradients + weight, dBias: bias.map { bank.gradients + $0 },
                           dOutput: dOutput, input: input, weight: bank.values + weight,
                           rows: rows, inFeatures: inFeatures, outFeatures: outFeatures)
    }

    public var parameterCount: Int {
        let bias: Bool
        switch storage {
        case .mapped(_, let b), .packed(_, let b), .quantized(_, let b): bias = b != nil
        case .trainable(_, let b): bias = b != nil
        }
        return inFeatures * outFeatures + (bias ? outFeatures : 0)
    }
}
