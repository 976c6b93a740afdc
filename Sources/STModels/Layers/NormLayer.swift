import STKernels

/// A normalization over the hidden (or head) dimension: LayerNorm with or without bias (BERT; ModernBERT's
/// `norm_bias: false`), RMSNorm with the weight as is (Qwen3) or as `1 + w` (Gemma).
public struct NormLayer: Sendable {
    public enum Kind: Sendable, Equatable {
        case layerNorm
        /// `weightOffset` 0: `x·r·w`; 1: Gemma's `x·r·(1 + w)`.
        case rmsNorm(weightOffset: Float)
    }

    public let kind: Kind
    let weight: Parameter
    let bias: Parameter?
    public let epsilon: Float
    public var channels: Int { weight.count }

    /// Reads `<name>.weight` (and `<name>.bias` when `bias`).
    public init(_ weights: some WeightSource, _ name: String, kind: Kind, channels: Int, epsilon: Double, bias: Bool = false) throws {
        let scoped = weights.scoped(name)
        self.kind = kind
        weight = try scoped.parameter("weight", shape: [channels])
        self.bias = bias ? try scoped.parameter("bias", shape: [channels]) : nil
        self.epsilon = Float(epsilon)
    }

    /// How many per-row statistics training keeps: mean and reciprocal deviation, or the reciprocal RMS.
    var statisticsPerRow: Int { kind == .layerNorm ? 2 : 1 }

    /// Normalizes `rows` rows of `input` into `output` (they may alias unless `statistics` is given); with
    /// `statistics` `[statisticsPerRow · rows]`, keeps what ``backward`` reads.
    func forward(_ input: UnsafePointer<Float>, rows: Int, into output: UnsafeMutablePointer<Float>, bank: ParameterBank?,
                 statistics: UnsafeMutablePointer<Float>? = nil) {
        let w = weight.values(bank)
        switch kind {
        case .layerNorm:
            let b = bias?.values(bank)
            if let statistics {
                LayerNorm.forwardTraining(output: output, mean: statistics, reciprocalStd: statistics + rows, input: input,
                                          weight: w, bias: b, rows: rows, channels: channels, epsilon: epsilon)
            } else {
                LayerNorm.forward(output: output, input: input, weight: w, bias: b, rows: rows, channels: channels, epsilon: epsilon)
            }
        case .rmsNorm(let offset):
            if let statistics {
                RMSNorm.forwardTraining(output: output, reciprocalRMS: statistics, input: input, weight: w, weightOffset: offset,
                                        rows: rows, channels: channels, epsilon: epsilon)
            } else {
                RMSNorm.forward(output: output, input: input, weight: w, weightOffset: offset, rows: rows, channels: channels,
                                epsilon: epsilon)
            }
        }
    }

    /// Accumulates `dInput` and the parameter gradients from what a forward with `statistics` kept.
    func backward(dInput: UnsafeMutablePointer<Float>, dOutput: UnsafePointer<Float>, input: UnsafePointer<Float>, rows: Int,
                  statistics: UnsafePointer<Float>, bank: ParameterBank) {
        let w = weight.values(bank)
        // A frozen weight's gradient is computed and dropped.
        let sink = FloatBuffer(weight.gradients(bank) == nil ? channels : 0)
        let dWeight = weight.gradients(bank) ?? sink.pointer
        switch kind {
        case .layerNorm:
            LayerNorm.backward(dInput: dInput, dWeight: dWeight, dBias: bias?.gradients(bank), dOutput: dOutput, input: input,
                               weight: w, mean: statistics, reciprocalStd: statistics + rows, rows: rows, channels: channels)
        case .rmsNorm(let offset):
            RMSNorm.backward(dInput: dInput, dWeight: dWeight, dOutput: dOutput, input: input, weight: w, weightOffset: offset,
                             reciprocalRMS: statistics, rows: rows, channels: channels)
        }
    }

    var parameterCount: Int { weight.count + (bias?.count ?? 0) }
}
