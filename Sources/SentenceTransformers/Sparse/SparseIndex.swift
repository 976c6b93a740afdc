/// An inverted index over sparse vectors: for each dimension, the rows that have it and their values. Exact
/// dot-product search visits only the posting lists of the query's dimensions, so a query of 20 tokens over a
/// million SPLADE documents reads a few thousand entries instead of every vector.
///
/// Scores are summed in `Double` in ascending dimension order, the order ``SparseVector/dot(_:)`` uses, so the
/// results equal a brute-force scan exactly (ties: lower row first).
///
/// ```swift
/// var index = SparseIndex(dimension: 30522)
/// try index.add(try splade.encodeDocument(documents))
/// let hits = try index.search(try splade.encodeQuery(["who plays guitar"])[0], topK: 10)
/// ```
public struct SparseIndex: Sendable, Equatable {
    /// The length of the vectors (a SPLADE model's vocabulary size).
    public let dimension: Int
    /// Per dimension: the rows holding it, ascending, and their values.
    private var postingRows: [[Int32]]
    private var postingValues: [[Float]]
    /// The vectors, one per row, as added.
    public private(set) var vectors: [SparseVector] = []

    public init(dimension: Int) {
        self.dimension = max(0, dimension)
        postingRows = Array(repeating: [], count: self.dimension)
        postingValues = Array(repeating: [], count: self.dimension)
    }

    /// The number of rows.
    public var count: Int { vectors.count }

    /// Appends `newVectors` as the next rows.
    /// - Throws: ``SentenceTransformerError/invalidArgument(_:)`` for a vector of another dimension or past 2³¹ rows.
    public mutating func add(_ newVectors: [SparseVector]) throws {
        guard vectors.count + newVectors.count < Int(Int32.max) else {
            throw SentenceTransformerError.invalidArgument("a SparseIndex holds at most \(Int32.max) rows")
        }
        for vector in newVectors where vector.dimension != dimension {
            throw SentenceTransformerError.invalidArgument("sparse vector of dimension \(vector.dimension) given to an index of dimension \(dimension)")
        }
        for vector in newVectors {
            let row = Int32(vectors.count)
            for (index, value) in zip(vector.indices, vector.values) {
                postingRows[index].append(row)
                postingValues[index].append(value)
            }
            vectors.append(vector)
        }
    }

    /// The `topK` rows of largest dot product with `query`, best first; rows in `excluded` (e.g. deleted ones) are
    /// skipped, and rows sharing no dimension with the query (score 0) are not returned.
    /// - Throws: ``SentenceTransformerError/invalidArgument(_:)`` for a query of another dimension or `topK` < 1.
    public func search(_ query: SparseVector, topK: Int, excluded: (Int) -> Bool = { _ in false }) throws -> [SearchHit] {
        guard query.dimension == dimension else {
            throw SentenceTransformerError.invalidArgument("query of dimension \(query.dimension) given to an index of dimension \(dimension)")
        }
        guard topK > 0 else { throw SentenceTransformerError.invalidArgument("topK must be positive, got \(topK)") }
        var scores = [Double](repeating: 0, count: vectors.count)
        var touched = [Bool](repeating: false, count: vectors.count)
        var candidates: [Int] = []
        for (index, weight) in zip(query.indices, query.values) {
            let rows = postingRows[index], values = postingValues[index]
            let w = Double(weight)
            for position in rows.indices {
                let row = Int(rows[position])
                scores[row] += w * Double(values[position])
                if !touched[row] {
                    touched[row] = true
                    candidates.append(row)
                }
            }
        }
        var best = TopK(topK)
        for row in candidates where !excluded(row) {
            let score = Float(scores[row])
            if score != 0 { best.insert(SearchHit(corpusID: row, score: score)) }
        }
        return best.sorted
    }

    /// The same result by scoring every row (the naive twin of ``search(_:topK:excluded:)``).
    public func bruteForceSearch(_ query: SparseVector, topK: Int) -> [SearchHit] {
        var best = TopK(max(topK, 1))
        for (row, vector) in vectors.enumerated() {
            let score = query.dot(vector)
            if score != 0 { best.insert(SearchHit(corpusID: row, score: score)) }
        }
        return best.sorted
    }
}
