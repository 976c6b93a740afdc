import STTensor

/// Where an architecture's layers get their parameters while it is built: one implementation for inference
/// (``InferenceWeights``: checkpoint tensors, projections packed for the kernel path) and one for training (the
/// training target's, which copies every tensor into a flat parameter buffer). Architectures build their layers
/// through this protocol only, so inference and training run the same layers.
public protocol WeightSource {
    /// The checkpoint under the current prefix.
    var loader: WeightLoader { get }
    /// A source whose names start with `component` inside this one.
    func scoped(_ component: String) -> Self
    /// The tensor `name`, checked against `shape`.
    func parameter(_ name: String, shape: [Int]) throws -> Parameter
    /// One linear map, or several over the same input fused side by side (`[Q; K; V]`, `[gate; up]`), each
    /// `<name>.weight` `[outFeatures[i], inFeatures]` and, with `bias`, `<name>.bias`.
    func linear(_ names: [String], inFeatures: Int, outFeatures: [Int], bias: Bool) throws -> LinearLayer
}

extension WeightSource {
    /// Whether the checkpoint has `name` under this prefix.
    public func contains(_ name: String) -> Bool { loader.contains(name) }

    public func linear(_ name: String, inFeatures: Int, outFeatures: Int, bias: Bool) throws -> LinearLayer {
        try linear([name], inFeatures: inFeatures, outFeatures: [outFeatures], bias: bias)
    }
}

/// Picks the ``WeightSource`` a model's layers are built on, for every module of a model directory: inference
/// (``InferenceWeightProvider``, the default) or the parameter set of a model being trained, so that one loading path
/// serves both.
public protocol WeightSourceProvider: Sendable {
    /// The source over `loader`, whose tensors are stored in `file` (the checkpoint's path relative to the model
    /// directory, where training saves them back), its linear maps computing in `compute`.
    /// - Throws: when the source cannot compute in `compute` (training weights are fp32).
    func source(_ loader: WeightLoader, file: String, compute: ComputePrecision) throws -> any WeightSource
}

extension WeightSourceProvider {
    /// The source over `loader` in fp32.
    public func source(_ loader: WeightLoader, file: String) throws -> any WeightSource {
        try source(loader, file: file, compute: .float32)
    }
}

/// Inference weights (``InferenceWeights``) for every module.
public struct InferenceWeightProvider: WeightSourceProvider {
    public init() {}

    public func source(_ loader: WeightLoader, file: String, compute: ComputePrecision) -> any WeightSource {
        InferenceWeights(loader, compute: compute)
    }
}

/// Checkpoint tensors for inference: vectors and tables read in place (memory-mapped), projections in the form the
/// active kernel path runs fastest (``LinearLayer``).
public struct InferenceWeights: WeightSource {
    public let loader: WeightLoader
    /// The arithmetic of the linear maps built from these weights.
    public let compute: ComputePrecision

    public init(_ loader: WeightLoader, compute: ComputePrecision = .float32) {
        self.loader = loader
        self.compute = compute
    }

    public func scoped(_ component: String) -> InferenceWeights { InferenceWeights(loader.scoped(component), compute: compute) }

    public func parameter(_ name: String, shape: [Int]) throws -> Parameter {
        Parameter(.tensor(try loader.tensor(name, shape: shape)), shape: shape)
    }

    public func linear(_ names: [String], inFeatures: Int, outFeatures: [Int], bias: Bool) throws -> LinearLayer {
        let parts = try zip(names, outFeatures).map { name, out in
            let scoped = loader.scoped(name)
            return (weight: try scoped.tensor("weight", shape: [out, inFeatures]), bias: bias ? try scoped.tensor("bias", shape: [out]) : nil)
        }
        return LinearLayer(fusing: parts, inFeatures: inFeatures, compute: compute)
    }
}
