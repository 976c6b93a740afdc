/// A matrix of embeddings, one row per input, stored row-major in one buffer.
///
/// It is a collection of rows, so `Array(embeddings)` (or ``arrays``) gives `[[Float]]`.
public struct Embeddings: Sendable, Equatable, RandomAccessCollection {
    /// Floats per row.
    public let dimension: Int
    /// All rows, one after another: `[count, dimension]`.
    public internal(set) var values: [Float]

    /// A matrix of `values.count / dimension` rows.
    /// - Throws: ``SentenceTransformerError/invalidArgument(_:)`` when the values do not make whole rows of
    ///   `dimension` (or `dimension` is negative).
    public init(values: [Float], dimension: Int) throws {
        guard dimension >= 0, dimension == 0 ? values.isEmpty : values.count % dimension == 0 else {
            throw SentenceTransformerError.invalidArgument("\(values.count) values do not make rows of \(dimension)")
        }
        self.init(uncheckedValues: values, dimension: dimension)
    }

    /// Builds a matrix from rows of equal length.
    /// - Throws: ``SentenceTransformerError/invalidArgument(_:)`` naming the first row whose length differs.
    public init(rows: [[Float]]) throws {
        let dimension = rows.first?.count ?? 0
        if let row = rows.firstIndex(where: { $0.count != dimension }) {
            throw SentenceTransformerError.invalidArgument("row \(row) has \(rows[row].count) values, row 0 has \(dimension)")
        }
        self.init(uncheckedValues: rows.flatMap { $0 }, dimension: dimension)
    }

    /// The package's own matrices, whose shape its code computed.
    package init(uncheckedValues values: [Float], dimension: Int) {
        assert(dimension >= 0 && (dimension == 0 ? values.isEmpty : values.count % dimension == 0))
        self.values = values
        self.dimension = dimension
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
        return Embeddings(uncheckedValues: result, dimension: newDimension)
    }

    /// Every row scaled to unit L2 norm.
    public func normalized() -> Embeddings {
        var copy = self
        Normalize.normalizeRows(&copy.values, dimension: dimension)
        return copy
    }
}
