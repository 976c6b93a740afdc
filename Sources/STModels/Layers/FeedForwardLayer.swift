import STKernels

/// The position-wise feed-forward network: `down(act(up(x)))` (BERT), or gated, `down(act(a) · g)` with
/// `[a | g] = up(x)` (GeGLU, SwiGLU: ModernBERT's `Wi`; Llama-style `gate_proj` and `up_proj` fused in that order).
///
/// Shapes: input `[T, C]`; `up` output `[T, I]` (`[T, 2I]` gated); output `[T, C]`.
public struct FeedForwardLayer: Sendable {
    let up: LinearLayer
    let down: LinearLayer
    public let activation: Activation
    public let gated: Bool

    public init(up: LinearLayer, down: LinearLayer, activation: Activation, gated: Bool) {
        self.up = up
        self.down = down
        self.activation = activation
        self.gated = gated
    }

    var width: Int { down.inFeatures }

    func forward(_ input: UnsafePointer<Float>, into result: UnsafeMutablePointer<Float>, accumulate: Bool,
                 record: ActivationRecord, pass: ForwardPass) {
        let t = pass.tokens
        let upOutput = record.buffer(.up, t * up.outFeatures)
        up.forward(input, rows: t, into: upOutput, bank: pass.bank)
        let activated: UnsafeMutablePointer<Float>
        if gated {
            activated = record.buffer(.activated, t * width)
            GatedActivation.forward(output: activated, input: upOutput, rows: t, width: width, activation: activation)
        } else if record.keeps {
            activated = record.buffer(.activated, t * width)
            activated.update(from: upOutput, count: t * width)
            activation.apply(activated, count: t * width)
        } else {
            activated = upOutput
            activation.apply(activated, count: t * width)
        }
        down.forward(activated, rows: t, into: result, accumulate: accumulate, bank: pass.bank)
    }

    /// Accumulates `dInput` `[T, C]` and the parameter gradients from `dResult` `[T, C]`.
    func backward(dResult: UnsafePointer<Float>, dInput: UnsafeMutablePointer<Float>, input: UnsafePointer<Float>,
                  record: ActivationRecord, pass: ForwardPass, bank: ParameterBank) {
        let t = pass.tokens
        guard let upOutput = record[.up], let activated = record[.activated] else {
            preconditionFailure("FeedForwardLayer: backward without a training forward")
        }
        let dActivated = FloatBuffer(t * width)
        down.backward(dInput: dActivated.pointer, dOutput: dResult, input: activated, rows: t, bank: bank)
        let dUp = FloatBuffer(t * up.outFeatures)
        if gated {
            GatedActivation.backward(dInput: dUp.pointer, dOutput: dActivated.pointer, input: upOutput, rows: t, width: width,
                                     activation: activation)
        } else {
            activation.backward(dInput: dUp.pointer, dOutput: dActivated.pointer, input: upOutput, count: t * width)
        }
        up.backward(dInput: dInput, dOutput: dUp.pointer, input: input, rows: t, bank: bank)
    }

    var parameterCount: Int { up.parameterCount + down.parameterCount }
}
