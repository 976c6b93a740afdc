/// A matrix of embeddings, one row per input, stored row-major in one buffer.
///
/// It is a collection of rows, so `Array(embeddings)` (or ``arrays``) gives `[[Float]]`.
public struct Embeddings: Sendable, Equatable, RandomAccessCollection {
    /// Floats per row.
    public let dimension: Int
    /// All rows, one after another: `[count, dimension]`.
    public internal(set) var values: [Float]

    public init(values: [Float], dimension: Int) {
        precondition(dimension >= 0 && (dimension == 0 ? values.isEmpty : values.count % dimension == 0),
                     "Embeddings: \(values.count) values do not make rows of \(dimension)")
        self.values = values
        self.dimension = dimension
    }

    /// Builds a matrix from rows of equal length.
    public init(rows: [[Float]]) {
        let dimension = rows.first?.count ?? 0
        precondition(rows.allSatisfy { $0.count == dimension }, "Embeddings: rows of different lengths")
        self.init(values: rows.flatMap { $0 }, dimension: dimension)
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { dimension == 0 ? 0 : values.count / dimension }
    public subscript(row: Int) -> [Float] { Array(values[(row * dimension)..<((row + 1) * dimension)]) }

    /// The rows as arrays.
    public var arrays: [[Float]] { map { $0 } }

    /// The first `dimension` columns of every row (Matryoshka truncation).
    public func truncated(to newDimension: Int) -> Embeddings {
        guard newDimension < dimension else { return self }
        var result: [Float] = []
        result.reserveCapacity(count * newDimension)
        for row in 0..<count { result += values[(row * dimension)..<(row * dimension + newDimension)] }
        return Embeddings(values: result, dimension: newDimension)
    }

    /// Every row scaled to unit L2 norm.
    public func normalized() -> Embeddings {
        var copy = self
        Normalize.normalizeRows(&copy.values, dimension: dimension)
        return copy
    }
}
