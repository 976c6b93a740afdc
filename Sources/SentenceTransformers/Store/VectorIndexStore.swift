import Foundation
import Synchronization

/// A ``VectorStore`` over a ``VectorIndex`` kept in memory and saved to a directory by ``persist()``.
///
/// Filtered searches are exact: the index is searched for every stored document and the matches kept, so a filter
/// never loses a hit that an unfiltered search would rank.
public final class VectorIndexStore: VectorStore {
    private let state: Mutex<VectorIndex>
    /// Where ``persist()`` saves the index (`nil`: memory only).
    public let directory: URL?
    public let dimension: Int
    public let sparseDimension: Int?
    public let model: String?
    public let sparseModel: String?

    /// A store over an index read from `directory`, or a new empty index of `kind` when the directory holds none.
    /// - Parameters:
    ///   - directory: The index directory (read when it exists, written by ``persist()``); `nil` keeps it in memory.
    ///   - dimension: The vector dimension of a new index (an existing index keeps its own).
    ///   - kind: The kind of a new index.
    ///   - metric: The metric of a new index.
    ///   - model: The model name recorded in a new index.
    ///   - sparseDimension: For a new hybrid index, the sparse vectors' dimension; `nil` for dense only.
    ///   - sparseModel: The sparse model name recorded in a new hybrid index.
    /// - Throws: ``IndexError`` when the directory holds an unreadable index.
    public init(directory: URL?, dimension: Int, kind: VectorIndex.Kind = .flat(), metric: VectorIndex.Metric = .cosine, model: String? = nil,
                sparseDimension: Int? = nil, sparseModel: String? = nil) throws {
        let index: VectorIndex
        if let directory, FileManager.default.fileExists(atPath: directory.appendingPathComponent("CURRENT").path) {
            index = try VectorIndex(contentsOf: directory)
        } else {
            index = VectorIndex(dimension: dimension, kind: kind, metric: metric, model: model, sparseDimension: sparseDimension, sparseModel: sparseModel)
        }
        self.directory = directory
        self.dimension = index.dimension
        self.sparseDimension = index.sparseDimension
        self.model = index.model
        self.sparseModel = index.sparseModel
        state = Mutex(index)
    }

    /// A copy of the index as it is now.
    public var index: VectorIndex { state.withLock { $0 } }

    public func add(_ documents: [IndexDocument], embeddings: Embeddings, sparseEmbeddings: [SparseVector]?) async throws {
        try state.withLock { try $0.add(documents, embeddings: embeddings, sparseEmbeddings: sparseEmbeddings) }
    }

    public func upsert(_ documents: [IndexDocument], embeddings: Embeddings, sparseEmbeddings: [SparseVector]?) async throws {
        guard documents.count == embeddings.count else {
            throw IndexError.invalidArgument("\(documents.count) documents but \(embeddings.count) embeddings")
        }
        guard embeddings.isEmpty || embeddings.dimension == dimension else {
            throw IndexError.dimensionMismatch(expected: dimension, actual: embeddings.dimension)
        }
        // The last of repeated ids wins, as in a series of single upserts.
        var last: [String: Int] = [:]
        for (row, document) in documents.enumerated() { last[document.id] = row }
        let rows = documents.indices.filter { last[documents[$0].id] == $0 }
        try state.withLock { index in
            for row in rows where index.document(id: documents[row].id) != nil { try index.delete(id: documents[row].id) }
            let values = rows.flatMap { embeddings[$0] }
            let sparse = try sparseEmbeddings.map { vectors in
                guard vectors.count == documents.count else {
                    throw IndexError.invalidArgument("\(documents.count) documents but \(vectors.count) sparse vectors")
                }
                return rows.map { vectors[$0] }
            }
            try index.add(rows.map { documents[$0] }, embeddings: Embeddings(uncheckedValues: values, dimension: dimension), sparseEmbeddings: sparse)
        }
    }

    public func delete(ids: [String]) async throws -> Int {
        try state.withLock { index in
            var removed = 0
            for id in Set(ids) where index.document(id: id) != nil {
                try index.delete(id: id)
                removed += 1
            }
            return removed
        }
    }

    public func existingIDs(among ids: [String]) async throws -> Set<String> {
        state.withLock { index in Set(ids.filter { index.document(id: $0) != nil }) }
    }

    public func search(_ queries: Embeddings, topK: Int, filter: StoreFilter?) async throws -> [[IndexHit]] {
        let index = self.index
        return try (0..<queries.count).map { row in
            guard let filter else { return try index.search(queries[row], topK: topK) }
            let all = try index.search(queries[row], topK: max(1, index.count), efSearch: max(1, index.count))
            return Array(all.filter { filter.matches($0.document) }.prefix(topK))
        }
    }

    public func searchSparse(_ queries: [SparseVector], topK: Int, filter: StoreFilter?) async throws -> [[IndexHit]] {
        let index = self.index
        return try queries.map { query in
            guard let filter else { return try index.searchSparse(query, topK: topK) }
            return Array(try index.searchSparse(query, topK: max(1, index.count)).filter { filter.matches($0.document) }.prefix(topK))
        }
    }

    public func count() async throws -> Int { index.count }

    public func persist() async throws {
        guard let directory else { return }
        try index.save(to: directory)
    }
}
