import STKernels
import STTensor

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
