/// Where documents and their embeddings are kept and searched: our own ``VectorIndex`` (``VectorIndexStore``) or an
/// external engine (`MilvusVectorStore` in the `STMilvus` target), used the same way by the command-line tool.
///
/// Documents are keyed by ``IndexDocument/id``. Embeddings are rows of an ``Embeddings`` matrix
/// `[documents, dimension]`; scores are higher for closer documents (cosine or dot similarity, negated L2 distance).
/// A hybrid store (``sparseDimension`` not `nil`) also keeps one ``SparseVector`` per document (a SPLADE model's
/// document embedding), searched by dot product and fused with the dense results by ``searchHybrid(dense:sparse:topK:candidates:fusion:filter:)``.
///
/// ```swift
/// let store = VectorIndexStore(directory: URL(fileURLWithPath: "my-index"), dimension: 384)
/// try await store.upsert(documents, embeddings: try model.encode(documents.map(\.text)))
/// let hits = try await store.search(try model.encode(["a query"]), topK: 5, filter: .metadata("lang", equals: "en"))
/// ```
public protocol VectorStore: Sendable {
    /// The dimension of the stored vectors.
    var dimension: Int { get }

    /// The dimension of the stored sparse vectors (the sparse model's vocabulary), or `nil` for a dense-only store.
    var sparseDimension: Int? { get }

    /// The model the dense vectors came from, and the sparse model of a hybrid store, as recorded when the store was
    /// created (`nil` when unrecorded).
    var model: String? { get }
    var sparseModel: String? { get }

    /// Adds documents that are not stored yet; a hybrid store needs their sparse vectors too, a dense-only one none.
    /// - Throws: ``IndexError/duplicateID(_:)`` when an id is already stored (or given twice);
    ///   ``IndexError/invalidArgument(_:)`` when sparse vectors are missing or unexpected; a store's own errors.
    func add(_ documents: [IndexDocument], embeddings: Embeddings, sparseEmbeddings: [SparseVector]?) async throws

    /// Adds documents, replacing those stored under the same ids (so that writing a document twice keeps it once).
    /// - Throws: ``IndexError/dimensionMismatch(expected:actual:)`` for rows of another dimension;
    ///   ``IndexError/invalidArgument(_:)`` when sparse vectors are missing or unexpected; a store's own errors.
    func upsert(_ documents: [IndexDocument], embeddings: Embeddings, sparseEmbeddings: [SparseVector]?) async throws

    /// Removes the documents with these ids; ids not stored are ignored.
    /// - Returns: How many stored documents were removed.
    func delete(ids: [String]) async throws -> Int

    /// Which of `ids` are stored.
    func existingIDs(among ids: [String]) async throws -> Set<String>

    /// The `topK` closest documents to each query row (`queries`: `[queries, dimension]`) among those that match
    /// `filter`, best first.
    func search(_ queries: Embeddings, topK: Int, filter: StoreFilter?) async throws -> [[IndexHit]]

    /// The `topK` documents of largest sparse dot product with each query among those that match `filter`, best
    /// first (documents that share no dimension with a query may be left out).
    /// - Throws: ``IndexError/invalidArgument(_:)`` for a dense-only store; ``IndexError/dimensionMismatch(expected:actual:)``.
    func searchSparse(_ queries: [SparseVector], topK: Int, filter: StoreFilter?) async throws -> [[IndexHit]]

    /// The number of stored documents.
    func count() async throws -> Int

    /// Makes every write so far durable (saves the index, flushes the collection).
    func persist() async throws
}

extension VectorStore {
    /// Adds documents to a dense-only store.
    public func add(_ documents: [IndexDocument], embeddings: Embeddings) async throws {
        try await add(documents, embeddings: embeddings, sparseEmbeddings: nil)
    }

    /// Upserts documents into a dense-only store.
    public func upsert(_ documents: [IndexDocument], embeddings: Embeddings) async throws {
        try await upsert(documents, embeddings: embeddings, sparseEmbeddings: nil)
    }

    /// Hybrid search: for each query, the dense and the sparse search each return their best `candidates` (default
    /// `max(topK, 100)`, as ``VectorIndex/searchHybrid(dense:sparse:topK:candidates:fusion:)``), and
    /// ``HybridSearch/fuse(documents:fusion:topK:)`` ranks the union; scores are the fused scores, and equal
    /// scores go to the document met first (dense list before sparse). Fusing here rather than in the engine gives
    /// every store the same ranking for the same candidate lists.
    /// - Parameters:
    ///   - dense: Dense queries `[queries, dimension]`.
    ///   - sparse: One sparse query per dense query.
    /// - Throws: ``IndexError/invalidArgument(_:)`` for a dense-only store, unequal query counts or `topK` < 1; the
    ///   searches' errors.
    public func searchHybrid(dense: Embeddings, sparse: [SparseVector], topK: Int, candidates: Int? = nil,
                             fusion: HybridSearch.Fusion = .reciprocalRank(), filter: StoreFilter? = nil) async throws -> [[IndexHit]] {
        guard topK > 0 else { throw IndexError.invalidArgument("topK must be positive") }
        guard dense.count == sparse.count else {
            throw IndexError.invalidArgument("\(dense.count) dense queries but \(sparse.count) sparse queries")
        }
        guard sparseDimension != nil else { throw IndexError.invalidArgument("the store keeps no sparse vectors (create it with a sparse model)") }
        let depth = candidates ?? max(topK, 100)
        let denseLists = try await search(dense, topK: depth, filter: filter)
        let sparseLists = try await searchSparse(sparse, topK: depth, filter: filter)
        return try zip(denseLists, sparseLists).map { try HybridSearch.fuse(documents: [$0, $1], fusion: fusion, topK: topK) }
    }
}
