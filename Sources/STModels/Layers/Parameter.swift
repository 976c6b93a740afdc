import STTensor

/// The flat buffers of a trainable model's parameters and gradients (``Parameter/Storage/slot(_:)`` offsets point
/// into them); a training forward and backward pass read and accumulate through them.
public struct ParameterBank: @unchecked Sendable {
    public let values: UnsafeMutablePointer<Float>
    public let gradients: UnsafeMutablePointer<Float>

    public init(values: UnsafeMutablePointer<Float>, gradients: UnsafeMutablePointer<Float>) {
        self.values = values
        self.gradients = gradients
    }
}

/// One parameter tensor as a layer reads it: inside a loaded checkpoint (inference), or at an offset of the
/// ``ParameterBank`` of a model being trained, whose values change every step.
public struct Parameter: Sendable {
    public enum Storage: Sendable {
        case tensor(Tensor)
        case slot(Int)
    }

    public let storage: Storage
    public let shape: [Int]

    public init(_ storage: Storage, shape: [Int]) {
        self.storage = storage
        self.shape = shape
    }

    public var count: Int { shape.reduce(1, *) }

    /// The values; a slot needs the bank of the pass.
    @inline(__always)
    func values(_ bank: ParameterBank?) -> UnsafePointer<Float> {
        switch storage {
        case .tensor(let tensor): return tensor.baseAddress
        case .slot(let offset):
            guard let bank else { preconditionFailure("Parameter: a trainable parameter read without its bank") }
            return UnsafePointer(bank.values + offset)
        }
    }

    /// Where the gradient accumulates; nil for a checkpoint tensor (not trained).
    @inline(__always)
    func gradients(_ bank: ParameterBank?) -> UnsafeMutablePointer<Float>? {
        guard case .slot(let offset) = storage, let bank else { return nil }
        return bank.gradients + offset
    }
}
