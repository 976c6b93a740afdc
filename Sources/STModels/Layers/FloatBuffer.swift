/// A zero-initialized `Float` buffer owned by an activation record; freed with it.
public final class FloatBuffer: @unchecked Sendable {
    public let pointer: UnsafeMutablePointer<Float>
    public let count: Int

    /// A buffer of `count` zeros; with `zeroed: false`, of whatever memory held (for a buffer every user writes
    /// before reading, where zeroing megabytes per forward pass would cost time).
    public init(_ count: Int, zeroed: Bool = true) {
        self.count = count
        pointer = .allocate(capacity: max(1, count))
        if zeroed { pointer.initialize(repeating: 0, count: max(1, count)) }
    }

    deinit { pointer.deallocate() }

    public func zero() { pointer.update(repeating: 0, count: count) }
}
