/// Where documents and their embeddings are kept and searched: our own ``VectorIndex`` (``VectorIndexStore``) or an
/// external engine (`MilvusVectorStore` in the `STMilvus` target), used the same way by the command-line tool.
///
/// Documents are keyed by ``IndexDocument/id``. Embeddings are rows of an ``Embeddings`` matrix
/// `[documents, dimension]`; scores are higher for closer documents (cosine or dot similarity, negated L2 distance).
///
/// ```swift
/// let store = VectorIndexStore(directory: URL(fileURLWithPath: "my-index"), dimension: 384)
/// try await store.upsert(documents, embeddings: try model.encode(documents.map(\.text)))
/// let hits = try await store.search(try model.encode(["a query"]), topK: 5, filter: .metadata("lang", equals: "en"))
/// ```
public protocol VectorStore: Sendable {
    /// The dimension of the stored vectors.
    var dimension: Int { get }

    /// Adds documents that are not stored yet.
    /// - Throws: ``IndexError/duplicateID(_:)`` when an id is already stored (or given twice); a store's own errors.
    func add(_ documents: [IndexDocument], embeddings: Embeddings) async throws

    /// Adds documents, replacing those stored under the same ids (so that writing a document twice keeps it once).
    /// - Throws: ``IndexError/dimensionMismatch(expected:actual:)`` for rows of another dimension; a store's own errors.
    func upsert(_ documents: [IndexDocument], embeddings: Embeddings) async throws

    /// Removes the documents with these ids; ids not stored are ignored.
    /// - Returns: How many stored documents were removed.
    func delete(ids: [String]) async throws -> Int

    /// Which of `ids` are stored.
    func existingIDs(among ids: [String]) async throws -> Set<String>

    /// The `topK` closest documents to each query row (`queries`: `[queries, dimension]`) among those that match
    /// `filter`, best first.
    func search(_ queries: Embeddings, topK: Int, filter: StoreFilter?) async throws -> [[IndexHit]]

    /// The number of stored documents.
    func count() async throws -> Int

    /// Makes every write so far durable (saves the index, flushes the collection).
    func persist() async throws
}
