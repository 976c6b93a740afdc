import Foundation

/// Hybrid indexes: a sparse vector (SPLADE) stored beside each dense one, searched through an inverted index
/// (``SparseIndex``) and fused with the dense results (``HybridSearch``).
extension VectorIndex {
    /// The dimension of the sparse vectors, when the index keeps them.
    public var sparseDimension: Int? { sparse?.dimension }

    /// The `topK` documents of largest sparse dot product with `query` (documents sharing no dimension with it
    /// are not returned).
    /// - Throws: ``IndexError/invalidArgument(_:)`` for an index without sparse vectors, another dimension or `topK` < 1.
    public func searchSparse(_ query: SparseVector, topK: Int = 10) throws -> [IndexHit] {
        try sparseHits(query, topK: topK).map { IndexHit(document: documents[$0.corpusID], score: $0.score) }
    }

    /// Dense and sparse search fused: each side returns its best `candidates` (default `max(topK, 100)`), then
    /// ``HybridSearch`` ranks the union (reciprocal rank fusion with k = 60 by default). Scores are the fused scores;
    /// equal scores go to the document met first, dense results before sparse (as in every ``VectorStore``).
    /// - Throws: ``IndexError`` for an index without sparse vectors or mismatched queries.
    public func searchHybrid(dense: [Float], sparse query: SparseVector, topK: Int = 10, candidates: Int? = nil,
                             fusion: HybridSearch.Fusion = .reciprocalRank()) throws -> [IndexHit] {
        guard topK > 0 else { throw IndexError.invalidArgument("topK must be positive") }
        let depth = candidates ?? max(topK, 100)
        return try HybridSearch.fuse(documents: [try search(dense, topK: depth), try searchSparse(query, topK: depth)], fusion: fusion, topK: topK)
    }

    private func sparseHits(_ query: SparseVector, topK: Int) throws -> [SearchHit] {
        guard let sparse else { throw IndexError.invalidArgument("the index keeps no sparse vectors (build it with a sparse model)") }
        guard query.dimension == sparse.dimension else { throw IndexError.dimensionMismatch(expected: sparse.dimension, actual: query.dimension) }
        guard topK > 0 else { throw IndexError.invalidArgument("topK must be positive") }
        return try sparse.search(query, topK: topK, excluded: { self.deleted[$0] })
    }

    /// `sparse.bin`: per row a little-endian `UInt32` count, then that many (`UInt32` index, `Float32` value) pairs.
    static func encodeSparse(_ vectors: [SparseVector]) -> Data {
        var data = Data()
        func append(_ word: UInt32) { withUnsafeBytes(of: word.littleEndian) { data.append(contentsOf: $0) } }
        for vector in vectors {
            append(UInt32(vector.nonzeroCount))
            for (index, value) in zip(vector.indices, vector.values) {
                append(UInt32(index))
                append(value.bitPattern)
            }
        }
        return data
    }

    /// Reads `sparse.bin`; `nil` when it does not hold exactly `rows` valid vectors of `dimension`.
    static func decodeSparse(_ data: Data, rows: Int, dimension: Int) -> [SparseVector]? {
        var offset = 0
        func next() -> UInt32? {
            guard offset + 4 <= data.count else { return nil }
            defer { offset += 4 }
            return data.withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: offset, as: UInt32.self)) }
        }
        var vectors: [SparseVector] = []
        for _ in 0..<rows {
            guard let count = next(), Int(count) <= dimension, offset + Int(count) * 8 <= data.count else { return nil }
            var indices: [Int] = [], values: [Float] = []
            for _ in 0..<count {
                guard let index = next(), let bits = next() else { return nil }
                indices.append(Int(index))
                values.append(Float(bitPattern: bits))
            }
            guard let vector = try? SparseVector(indices: indices, values: values, dimension: dimension) else { return nil }
            vectors.append(vector)
        }
        return offset == data.count ? vectors : nil
    }
}
