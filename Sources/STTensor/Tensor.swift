/// A dense, immutable, row-major `Float` tensor.
///
/// Its storage is either owned memory or a window into a memory-mapped weight file (kept alive by the tensor),
/// so F32 weights load without a copy.
public struct Tensor: Sendable {
    /// Dimensions, outermost first (PyTorch order: `nn.Linear.weight` is `[out, in]`).
    public let shape: [Int]
    let storage: TensorStorage

    /// The number of elements.
    public var count: Int { storage.count }

    /// Creates a tensor that owns a copy of `values`.
    /// - Throws: ``SafeTensorsError/invalidTensor(file:tensor:reason:)`` when `shape` has a negative dimension or does not hold
    ///   exactly `values.count` elements.
    public init(shape: [Int], values: [Float]) throws {
        let (elements, overflow) = shape.reduce((1, false)) { partial, size in
            let product = partial.0.multipliedReportingOverflow(by: size)
            return (product.partialValue, partial.1 || product.overflow || size < 0)
        }
        guard !overflow, elements == values.count else {
            throw SafeTensorsError.invalidTensor(file: "memory", tensor: "Tensor(shape:values:)", reason: "shape \(shape) does not hold \(values.count) values")
        }
        self.init(uncheckedShape: shape, values: values)
    }

    /// The package's own tensors, whose shape its code computed from checked ones.
    package init(uncheckedShape shape: [Int], values: [Float]) {
        assert(shape.reduce(1, *) == values.count)
        self.shape = shape
        let pointer = UnsafeMutablePointer<Float>.allocate(capacity: max(1, values.count))
        values.withUnsafeBufferPointer { source in
            if let base = source.baseAddress { pointer.initialize(from: base, count: values.count) }
        }
        storage = TensorStorage(pointer: pointer, count: values.count, owner: nil)
    }

    /// Creates a tensor over `count` floats owned by `owner` (e.g. a ``MappedFile``), without copying.
    init(shape: [Int], borrowing pointer: UnsafePointer<Float>, owner: AnyObject & Sendable) {
        self.shape = shape
        storage = TensorStorage(pointer: UnsafeMutablePointer(mutating: pointer), count: shape.reduce(1, *), owner: owner)
    }

    /// Creates a tensor that takes ownership of `pointer` (allocated with `UnsafeMutablePointer.allocate`).
    init(shape: [Int], adopting pointer: UnsafeMutablePointer<Float>) {
        self.shape = shape
        storage = TensorStorage(pointer: pointer, count: shape.reduce(1, *), owner: nil)
    }

    /// Calls `body` with the tensor's elements.
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try withExtendedLifetime(storage) {
            try body(UnsafeBufferPointer(start: storage.pointer, count: storage.count))
        }
    }

    /// The elements as an array (a copy).
    public var values: [Float] { withUnsafeBufferPointer { Array($0) } }

    /// A raw pointer to the elements, valid as long as this tensor (or a copy of it) is alive.
    /// Model code keeps its tensors for its whole life, so it may hold on to this.
    public var baseAddress: UnsafePointer<Float> { UnsafePointer(storage.pointer) }
}

/// Backing memory of a ``Tensor``: either owned (freed on deinit) or borrowed from `owner`.
final class TensorStorage: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Float>
    let count: Int
    let owner: (AnyObject & Sendable)?

    init(pointer: UnsafeMutablePointer<Float>, count: Int, owner: (AnyObject & Sendable)?) {
        self.pointer = pointer
        self.count = count
        self.owner = owner
    }

    deinit {
        if owner == nil { pointer.deallocate() }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Tensor {
    /// Tells the kernel that the whole pages of a memory-mapped tensor will not be read again, so they leave the
    /// process's resident set (a later read maps them back from the file). Used once a layer has packed its own copy
    /// of the weights. Does nothing for tensors that own their memory.
    public func releaseMappedPages() {
        guard storage.owner is MappedFile else { return }
        let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = Int(bitPattern: storage.pointer)
        let end = start + storage.count * MemoryLayout<Float>.size
        let first = (start + pageSize - 1) / pageSize * pageSize
        let last = end / pageSize * pageSize
        guard last > first, let address = UnsafeMutableRawPointer(bitPattern: first) else { return }
        _ = madvise(address, last - first, Int32(MADV_DONTNEED))
    }
}
