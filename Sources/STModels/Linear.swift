import STKernels
import STTensor

/// `y = x · Wᵀ + b`, with `weight` `[outFeatures, inFeatures]` as `torch.nn.Linear` stores it.
public struct Linear: Sendable {
    public let weight: Tensor
    public let bias: Tensor?
    public let inFeatures: Int
    public let outFeatures: Int

    public init(weight: Tensor, bias: Tensor?) {
        precondition(weight.shape.count == 2, "Linear: weight must be 2-D")
        self.weight = weight
        self.bias = bias
        outFeatures = weight.shape[0]
        inFeatures = weight.shape[1]
    }

    /// Reads `<name>.weight` and `<name>.bias` (when `hasBias`).
    public init(_ weights: WeightLoader, _ name: String, inFeatures: Int, outFeatures: Int, hasBias: Bool = true) throws {
        let scoped = weights.scoped(name)
        self.init(
            weight: try scoped.tensor("weight", shape: [outFeatures, inFeatures]),
            bias: hasBias ? try scoped.tensor("bias", shape: [outFeatures]) : nil)
    }

    /// Several linear layers over the same input fused into one (`[Q; K; V]`), outputs side by side.
    public init(concatenating parts: [Linear]) {
        let inFeatures = parts.first?.inFeatures ?? 0
        precondition(parts.allSatisfy { $0.inFeatures == inFeatures && ($0.bias != nil) == (parts.first?.bias != nil) },
                     "Linear: fused parts must share their input and bias presence")
        let weights = parts.flatMap(\.weight.values)
        let biases = parts.first?.bias == nil ? nil : parts.flatMap { $0.bias?.values ?? [] }
        let out = parts.reduce(0) { $0 + $1.outFeatures }
        self.init(weight: Tensor(shape: [out, inFeatures], values: weights), bias: biases.map { Tensor(shape: [out], values: $0) })
    }

    /// `output[rows, out] = input[rows, in] · Wᵀ + b`, plus `output`'s previous content when `accumulate`.
    public func forward(_ input: UnsafePointer<Float>, rows: Int, into output: UnsafeMutablePointer<Float>, accumulate: Bool = false) {
        Gemm.multiplyParallel(
            transposeB: true, m: rows, n: outFeatures, k: inFeatures,
            a: input, lda: inFeatures, b: weight.baseAddress, ldb: inFeatures,
            beta: accumulate ? 1 : 0, c: output, ldc: outFeatures)
        if let bias {
            VectorMath.addBias(output, bias: bias.baseAddress, rows: rows, columns: outFeatures)
        }
    }

    public var parameterCount: Int { weight.count + (bias?.count ?? 0) }
}

/// The affine part of a `torch.nn.LayerNorm`: `weight` and `bias` `[channels]`, plus its epsilon.
public struct LayerNormParameters: Sendable {
    public let weight: Tensor
    public let bias: Tensor
    public let epsilon: Float

    public init(_ weights: WeightLoader, _ name: String, channels: Int, epsilon: Float) throws {
        let scoped = weights.scoped(name)
        weight = try scoped.tensor("weight", shape: [channels])
        bias = try scoped.tensor("bias", shape: [channels])
        self.epsilon = epsilon
    }

    /// Normalizes `rows` rows of `input` into `output` (they may alias).
    public func forward(_ input: UnsafePointer<Float>, rows: Int, into output: UnsafeMutablePointer<Float>) {
        LayerNorm.forward(
            output: output, input: input, weight: weight.baseAddress, bias: bias.baseAddress,
            rows: rows, channels: weight.count, epsilon: epsilon)
    }

    public var parameterCount: Int { weight.count + bias.count }
}
