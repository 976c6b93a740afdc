/// A sparse vector: the nonzero entries of a `dimension`-long vector as (index, value) pairs sorted by index (the
/// coalesced COO tensor sentence-transformers' `SparseEncoder.encode` returns).
public struct SparseVector: Sendable, Equatable, Hashable, Codable {
    /// Indices of the nonzero entries, strictly increasing, each below ``dimension``.
    public let indices: [Int]
    /// The values, one per index.
    public let values: [Float]
    /// The length of the dense vector (a SPLADE model's vocabulary size).
    public let dimension: Int

    /// A vector from sorted, distinct indices and their values.
    /// - Throws: ``SentenceTransformerError/invalidArgument(_:)`` when the arrays differ in length or an index is
    ///   out of order or out of range.
    public init(indices: [Int], values: [Float], dimension: Int) throws {
        guard indices.count == values.count else {
            throw SentenceTransformerError.invalidArgument("sparse vector: \(indices.count) indices but \(values.count) values")
        }
        for (position, index) in indices.enumerated() {
            guard index >= 0, index < dimension, position == 0 || indices[position - 1] < index else {
                throw SentenceTransformerError.invalidArgument(
                    "sparse vector: index \(index) at position \(position) is out of order or outside 0..<\(dimension)")
            }
        }
        self.init(trustedIndices: indices, values: values, dimension: dimension)
    }

    init(trustedIndices indices: [Int], values: [Float], dimension: Int) {
        self.indices = indices
        self.values = values
        self.dimension = dimension
    }

    /// The nonzero entries of a dense vector.
    public init(dense: [Float]) {
        var indices: [Int] = []
        var values: [Float] = []
        for (index, value) in dense.enumerated() where value != 0 {
            indices.append(index)
            values.append(value)
        }
        self.init(trustedIndices: indices, values: values, dimension: dense.count)
    }

    /// The empty vector of `dimension`.
    public static func zero(dimension: Int) -> SparseVector { SparseVector(trustedIndices: [], values: [], dimension: dimension) }

    /// The number of stored (nonzero) entries.
    public var nonzeroCount: Int { indices.count }

    /// The dense form, `[dimension]`.
    public var dense: [Float] {
        var result = [Float](repeating: 0, count: dimension)
        for (index, value) in zip(indices, values) { result[index] = value }
        return result
    }

    /// The value at `index` (0 when absent).
    public subscript(index: Int) -> Float {
        var low = 0, high = indices.count
        while low < high {
            let middle = (low + high) / 2
            if indices[middle] < index { low = middle + 1 } else { high = middle }
        }
        return low < indices.count && indices[low] == index ? values[low] : 0
    }

    /// The dot product (sentence-transformers' `"dot"` similarity of sparse vectors), by merging the two index
    /// lists; accumulated in `Double`.
    public func dot(_ other: SparseVector) -> Float {
        var i = 0, j = 0
        var sum = 0.0
        while i < indices.count, j < other.indices.count {
            if indices[i] == other.indices[j] {
                sum += Double(values[i]) * Double(other.values[j])
                i += 1
                j += 1
            } else if indices[i] < other.indices[j] {
                i += 1
            } else {
                j += 1
            }
        }
        return Float(sum)
    }

    /// The `k` entries of largest absolute value (sentence-transformers' `max_active_dims`: `torch.topk` on the
    /// values, the rest set to 0); ties keep the lower index. `k` at or above the count keeps everything.
    public func keepingTop(_ k: Int) -> SparseVector {
        guard k < indices.count else { return self }
        guard k > 0 else { return .zero(dimension: dimension) }
        let kept = indices.indices
            .sorted { abs(values[$0]) > abs(values[$1]) || (abs(values[$0]) == abs(values[$1]) && $0 < $1) }
            .prefix(k).sorted()
        return SparseVector(trustedIndices: kept.map { indices[$0] }, values: kept.map { values[$0] }, dimension: dimension)
    }
}
