import STKernels

/// `y = x·Wᵀ + b` inside a transformer layer: a packed or quantized ``Projection`` for inference, or weights in the
/// trainable ``ParameterBank`` (BLAS, since they change every step) with a backward pass.
///
/// Shapes: `x` `[rows, inFeatures]`, `y` `[rows, outFeatures]`; `W` `[outFeatures, inFeatures]` as
/// `torch.nn.Linear` stores it.
public struct LinearLayer: Sendable {
    enum Storage: Sendable {
        case projection(Projection)
        case trainable(weight: Int, bias: Int?)
    }

    let storage: Storage
    public let inFeatures: Int
    public let outFeatures: Int

    init(projection: Projection) {
        storage = .projection(projection)
        inFeatures = projection.inFeatures
        outFeatures = projection.outFeatures
    }

    /// A layer whose weight (and bias) sit at these offsets of the bank.
    public init(trainableWeight weight: Int, bias: Int?, inFeatures: Int, outFeatures: Int) {
        storage = .trainable(weight: weight, bias: bias)
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
    }

    /// `output = input·Wᵀ + b`, plus `output`'s previous content when `accumulate`.
    public func forward(_ input: UnsafePointer<Float>, rows: Int, into output: UnsafeMutablePointer<Float>, accumulate: Bool = false,
                        bank: ParameterBank?) {
        switch storage {
        case .projection(let projection):
            projection.forward(input, rows: rows, into: output, accumulate: accumulate)
        case .trainable(let weight, let bias):
            guard let bank else { preconditionFailure("LinearLayer: trainable weights without their bank") }
            LinearMap.forward(output: output, input: input, weight: bank.values + weight, bias: bias.map { UnsafePointer(bank.values + $0) },
                              rows: rows, inFeatures: inFeatures, outFeatures: outFeatures, accumulate: accumulate)
        }
    }

    /// Accumulates `dInput += dOutput·W` (when given) and the parameter gradients (trainable weights only: the
    /// inference form has none).
    public func backward(dInput: UnsafeMutablePointer<Float>?, dOutput: UnsafePointer<Float>, input: UnsafePointer<Float>, rows: Int,
                         bank: ParameterBank) {
        guard case .trainable(let weight, let bias) = storage else { preconditionFailure("LinearLayer: backward of inference weights") }
        LinearMap.backward(dInput: dInput, dWeight: bank.gradients + weight, dBias: bias.map { bank.gradients + $0 },
                           dOutput: dOutput, input: input, weight: bank.values + weight,
                           rows: rows, inFeatures: inFeatures, outFeatures: outFeatures)
    }

    public var parameterCount: Int {
        switch storage {
        case .projection(let projection): return projection.parameterCount
        case .trainable(_, let bias): return inFeatures * outFeatures + (bias == nil ? 0 : outFeatures)
        }
    }
}
