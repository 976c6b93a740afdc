import Foundation
import SentenceTransformers

/// A ``VectorStore`` backed by one Milvus collection, so that the command-line tool and the library write and search
/// Milvus as they do a local ``VectorIndex``.
///
/// The collection's fields: `id` (VARCHAR primary key, at most ``maxIDBytes`` bytes), `text` (VARCHAR, at most
/// 65,535 bytes: longer texts are stored cut at a character boundary; their embeddings are computed from the whole
/// text), `metadata` (JSON object of strings) and `embedding` (FLOAT_VECTOR); a hybrid store adds `sparse_embedding`
/// (SPARSE_FLOAT_VECTOR, Milvus 2.4+ or milvus-lite; an exact `SPARSE_INVERTED_INDEX`, metric IP). The models' names
/// (and the sparse dimension, which Milvus does not keep) are recorded in collection properties (``Property``).
/// Reads and searches use Milvus's Strong consistency, so they see every write acknowledged before them.
///
/// ```swift
/// let client = try MilvusClient(MilvusConfiguration(host: "127.0.0.1", port: 19530))
/// let store = try await MilvusVectorStore.open(client: client, collection: "scifact", dimension: 384)
/// try await store.upsert(documents, embeddings: embeddings)
/// let hits = try await store.search(try model.encode(["query"]), topK: 10, filter: nil)
/// ```
public final class MilvusVectorStore: VectorStore {
    /// The longest document id, in UTF-8 bytes.
    public static let maxIDBytes = 512
    /// The HNSW search width when none is given. Milvus 2.3.5's HNSW (M 16, efConstruction 200) finds 0.91 of the
    /// exact top 10 on SciFact at ef 200 (measured by MilvusIngestionTests); ef 400 gives 0.98 and 500 0.99 on random unit
    /// vectors of 384 dimensions, so stores search at 512 unless told otherwise.
    public static let defaultEfSearch = 512
    /// The longest stored text, in UTF-8 bytes (Milvus's VARCHAR maximum).
    public static let maxTextBytes = 65_535

    public let client: MilvusClient
    public let collection: String
    public let dimension: Int
    public let sparseDimension: Int?
    public let model: String?
    public let sparseModel: String?
    /// The metric of the collection's vector index.
    public let metric: MilvusMetric
    /// Search parameters passed with every search (`ef` for HNSW, `nprobe` for IVF); `ef` is raised to top-k.
    public let searchParameters: [String: Int]

    /// The sparse vectors' field of a hybrid store.
    static let sparseField = "sparse_embedding"

    init(client: MilvusClient, collection: String, fields: StoreFields, metric: MilvusMetric, searchParameters: [String: Int]) {
        self.client = client
        self.collection = collection
        self.dimension = fields.dimension
        self.sparseDimension = fields.sparseDimension
        self.model = fields.model
        self.sparseModel = fields.sparseModel
        self.metric = metric
        self.searchParameters = searchParameters
    }

    /// What a store's collection holds beyond its fixed fields: its vectors' dimensions and the models they came from.
    struct StoreFields: Equatable {
        var dimension: Int
        var model: String?
        var sparseDimension: Int?
        var sparseModel: String?
    }

    /// The schema of a store's collection; with `sparse`, a hybrid store's.
    public static func schema(collection: String, dimension: Int, sparse: Bool = false) -> MilvusCollectionSchema {
        var fields = [
            MilvusField(name: "id", type: .varChar(maxLength: maxIDBytes), isPrimaryKey: true),
            MilvusField(name: "text", type: .varChar(maxLength: maxTextBytes)),
            MilvusField(name: "metadata", type: .json),
            MilvusField(name: "embedding", type: .floatVector(dimension: dimension)),
        ]
        if sparse { fields.append(MilvusField(name: sparseField, type: .sparseFloatVector)) }
        return MilvusCollectionSchema(name: collection, description: "documents and embeddings written by swift-sentence-transformers", fields: fields)
    }

    /// The collection properties that record a store's models and sparse dimension (milvus-lite keeps no field or
    /// collection descriptions; both servers keep properties).
    enum Property {
        static let model = "sentence_transformers.model"
        static let sparseModel = "sentence_transformers.sparse_model"
        static let sparseDimension = "sentence_transformers.sparse_dimension"
    }

    /// Opens a store's collection, creating it (with its vector index) when it does not exist, and loads it.
    ///
    /// Several processes may open the same new collection at once (sharded ingestion): a creation that loses the
    /// race finds the winner's collection and uses it.
    /// - Parameters:
    ///   - client: The connection.
    ///   - collection: The collection's name.
    ///   - dimension: The embeddings' dimension; `nil` to open an existing collection with whatever it holds.
    ///   - model: The dense model's name, recorded in a new collection.
    ///   - sparseDimension: The sparse vectors' dimension: a new collection becomes a hybrid store; an existing one
    ///     must be one, of that dimension. `nil` opens whatever is there.
    ///   - sparseModel: The sparse model's name, recorded in a new hybrid collection.
    ///   - metric: The metric of a new collection's index (`cosine` → COSINE, `dot` → IP, `l2` → L2).
    ///   - index: The index of a new collection.
    ///   - efSearch: The HNSW search width (raised to top-k per search); default ``defaultEfSearch``.
    /// - Throws: ``MilvusError/schemaMismatch(collection:reason:)`` when an existing collection lacks the store's
    ///   fields or holds another dimension (or no sparse vectors when they are asked for), or when the server cannot
    ///   store sparse vectors (Milvus before 2.4); ``MilvusError/invalidArgument(_:)`` when the collection does not exist
    ///   and no dimension is given; ``MilvusError`` from the server.
    public static func open(client: MilvusClient, collection: String, dimension: Int?, metric: VectorIndex.Metric = .cosine,
                            index: MilvusIndexType = .hnsw(m: 16, efConstruction: 200), efSearch: Int = defaultEfSearch, model: String? = nil,
                            sparseDimension: Int? = nil, sparseModel: String? = nil) async throws -> MilvusVectorStore {
        if !(try await client.hasCollection(collection)) {
            guard let dimension else {
                throw MilvusError.invalidArgument("collection \(collection) does not exist (give a model to create it)")
            }
            guard dimension > 0 else { throw MilvusError.invalidArgument("dimension must be positive, got \(dimension)") }
            if sparseDimension != nil {
                // Milvus 2.3 accepts a SPARSE_FLOAT_VECTOR field and then aborts when it loads the collection: ask first.
                let version = try await client.version()
                guard supportsSparseVectors(version: version) else {
                    throw MilvusError.schemaMismatch(collection: collection, reason: "the server (\(version)) has no sparse vectors: hybrid stores need Milvus 2.4 or later, or milvus-lite")
                }
            }
            do {
                var properties: [String: String] = [:]
                properties[Property.model] = model
                properties[Property.sparseModel] = sparseModel
                properties[Property.sparseDimension] = sparseDimension.map(String.init)
                try await client.createCollection(schema(collection: collection, dimension: dimension, sparse: sparseDimension != nil),
                                                  properties: properties)
            } catch let error as MilvusError {
                guard try await client.hasCollection(collection) else { throw error }   // another process created it
            }
        }
        let description = try await client.describeCollection(collection)
        let stored = try checkSchema(description.schema, properties: description.properties, collection: collection, dimension: dimension,
                                     sparseDimension: sparseDimension)
        let indexes = (try? await client.describeIndex(collection: collection, field: "embedding")) ?? []
        var indexMetric = indexes.first?.parameters["metric_type"].flatMap { MilvusMetric(rawValue: $0.uppercased()) }
        if indexes.isEmpty {
            let wanted: MilvusMetric = metric == .cosine ? .cosine : metric == .dot ? .ip : .l2
            do {
                try await client.createIndex(collection: collection, field: "embedding", type: index, metric: wanted)
            } catch let error as MilvusError {
                // Another process may have built it meanwhile.
                guard let built = try? await client.describeIndex(collection: collection, field: "embedding"), !built.isEmpty else { throw error }
            }
            indexMetric = indexMetric ?? wanted
        }
        if stored.sparseDimension != nil, ((try? await client.describeIndex(collection: collection, field: sparseField)) ?? []).isEmpty {
            do {
                try await client.createIndex(collection: collection, field: sparseField, type: .sparseInvertedIndex, metric: .ip)
            } catch let error as MilvusError {
                guard let built = try? await client.describeIndex(collection: collection, field: sparseField), !built.isEmpty else { throw error }
            }
        }
        if try await client.loadState(collection) != .loaded { try await client.loadCollection(collection) }
        return MilvusVectorStore(client: client, collection: collection, fields: stored, metric: indexMetric ?? .cosine,
                                 searchParameters: ["ef": efSearch])
    }

    /// Whether a server of this version (`GetVersion`: `v2.4.5`, `v2.3.5-lite`, `milvus_lite-3.2.2`) stores sparse
    /// vectors: Milvus from 2.4 on, and milvus-lite. A version that does not parse is given the benefit of the doubt.
    public static func supportsSparseVectors(version: String) -> Bool {
        if version.hasPrefix("milvus_lite") { return true }
        let numbers = version.drop { !$0.isNumber }.split(whereSeparator: { !$0.isNumber }).prefix(2).compactMap { Int($0) }
        guard numbers.count == 2 else { return true }
        return (numbers[0], numbers[1]) >= (2, 4)
    }

    /// Checks that `schema` has the store's fields (and sparse vectors of `sparseDimension` when given); returns what
    /// its vector fields hold.
    static func checkSchema(_ schema: MilvusCollectionSchema, properties: [String: String], collection: String, dimension: Int?,
                            sparseDimension: Int? = nil) throws -> StoreFields {
        guard let id = schema.field("id"), id.isPrimaryKey, case .varChar = id.type else {
            throw MilvusError.schemaMismatch(collection: collection, reason: "no VARCHAR primary key field `id`")
        }
        guard case .varChar? = schema.field("text")?.type else { throw MilvusError.schemaMismatch(collection: collection, reason: "no VARCHAR field `text`") }
        guard case .json? = schema.field("metadata")?.type else { throw MilvusError.schemaMismatch(collection: collection, reason: "no JSON field `metadata`") }
        guard case let .floatVector(stored)? = schema.field("embedding")?.type else {
            throw MilvusError.schemaMismatch(collection: collection, reason: "no FLOAT_VECTOR field `embedding`")
        }
        if let dimension, dimension != stored {
            throw MilvusError.schemaMismatch(collection: collection, reason: "its vectors have \(stored) dimensions, the embeddings \(dimension)")
        }
        var fields = StoreFields(dimension: stored, model: properties[Property.model])
        if let sparse = schema.field(sparseField) {
            guard case .sparseFloatVector = sparse.type else {
                throw MilvusError.schemaMismatch(collection: collection, reason: "its field `\(sparseField)` is not a SPARSE_FLOAT_VECTOR")
            }
            let recordedDimension = properties[Property.sparseDimension].flatMap { Int($0) }
            // A collection made by other tools records no dimension: take the one asked for, else the largest possible.
            fields.sparseDimension = recordedDimension ?? sparseDimension ?? Int(UInt32.max)
            fields.sparseModel = properties[Property.sparseModel]
            if let sparseDimension, let recordedDimension, recordedDimension != sparseDimension {
                throw MilvusError.schemaMismatch(collection: collection, reason: "its sparse vectors have \(recordedDimension) dimensions, the sparse model's \(sparseDimension)")
            }
        } else if sparseDimension != nil {
            throw MilvusError.schemaMismatch(collection: collection, reason: "it keeps no sparse vectors (no `\(sparseField)` field); create a new collection for hybrid search")
        }
        return fields
    }

    // MARK: - VectorStore

    public func add(_ documents: [IndexDocument], embeddings: Embeddings, sparseEmbeddings: [SparseVector]?) async throws {
        let columns = try columns(documents, embeddings, sparseEmbeddings)
        var seen = Set<String>()
        for document in documents where !seen.insert(document.id).inserted { throw IndexError.duplicateID(document.id) }
        if let existing = try await existingIDs(among: documents.map(\.id)).first { throw IndexError.duplicateID(existing) }
        try await client.insert(collection: collection, columns: columns)
    }

    public func upsert(_ documents: [IndexDocument], embeddings: Embeddings, sparseEmbeddings: [SparseVector]?) async throws {
        try await client.upsert(collection: collection, columns: try columns(documents, embeddings, sparseEmbeddings))
    }

    public func delete(ids: [String]) async throws -> Int {
        let existing = try await existingIDs(among: ids)
        guard !existing.isEmpty else { return 0 }
        try await client.delete(collection: collection, filter: try .isIn("id", existing.sorted().map { .string($0) }))
        return existing.count
    }

    public func existingIDs(among ids: [String]) async throws -> Set<String> {
        var found = Set<String>()
        let unique = Array(Set(ids))
        for start in stride(from: 0, to: unique.count, by: 1000) {
            let chunk = unique[start..<min(start + 1000, unique.count)]
            let columns = try await client.query(collection: collection, filter: try .isIn("id", chunk.map { .string($0) }), outputFields: ["id"])
            if case let .varChar(values)? = columns.first(where: { $0.name == "id" })?.values { found.formUnion(values) }
        }
        return found
    }

    public func search(_ queries: Embeddings, topK: Int, filter: StoreFilter?) async throws -> [[IndexHit]] {
        guard queries.isEmpty || queries.dimension == dimension else {
            throw IndexError.dimensionMismatch(expected: dimension, actual: queries.dimension)
        }
        guard topK > 0 else { throw IndexError.invalidArgument("topK must be positive") }
        guard !queries.isEmpty else { return [] }
        var parameters = searchParameters
        if let ef = parameters["ef"] { parameters["ef"] = max(ef, topK) }
        let request = MilvusSearchRequest(collection: collection, vectorField: "embedding",
                                          vectors: .float(dimension: dimension, values: queries.values), topK: topK, metric: metric,
                                          filter: try filter.flatMap(Self.expression), outputFields: ["text", "metadata"], parameters: parameters)
        return try await client.search(request).map { try $0.map(Self.indexHit(higherIsCloser: metric.higherIsCloser)) }
    }

    /// A search hit as a store hit: the document from the output fields, the score negated for a distance.
    static func indexHit(higherIsCloser: Bool) -> (MilvusSearchHit) throws -> IndexHit {
        { hit in
            guard case let .string(id) = hit.id else {
                throw MilvusError.unexpectedResponse(operation: "Search", reason: "an integer id in a store collection")
            }
            var text = ""
            if case let .varChar(values)? = hit.fields["text"], let value = values.first { text = value }
            var metadata: [String: String] = [:]
            if case let .json(values)? = hit.fields["metadata"], let data = values.first { metadata = Self.metadata(from: data) }
            return IndexHit(document: IndexDocument(id: id, text: text, metadata: metadata), score: higherIsCloser ? hit.score : -hit.score)
        }
    }

    public func searchSparse(_ queries: [SparseVector], topK: Int, filter: StoreFilter?) async throws -> [[IndexHit]] {
        guard let sparseDimension else { throw IndexError.invalidArgument("the collection \(collection) keeps no sparse vectors") }
        if let bad = queries.first(where: { $0.dimension != sparseDimension }) {
            throw IndexError.dimensionMismatch(expected: sparseDimension, actual: bad.dimension)
        }
        guard topK > 0 else { throw IndexError.invalidArgument("topK must be positive") }
        // A query with no nonzero dimension matches nothing (and Milvus refuses an empty row): search the others.
        let searched = queries.indices.filter { queries[$0].nonzeroCount > 0 }
        var results = [[IndexHit]](repeating: [], count: queries.count)
        guard !searched.isEmpty else { return results }
        let request = MilvusSearchRequest(collection: collection, vectorField: Self.sparseField, vectors: .sparse(searched.map { queries[$0] }),
                                          topK: topK, metric: .ip, filter: try filter.flatMap(Self.expression),
                                          outputFields: ["text", "metadata"], parameters: ["drop_ratio_search": 0])
        for (position, hits) in zip(searched, try await client.search(request)) { results[position] = try hits.map(Self.indexHit(higherIsCloser: true)) }
        return results
    }

    public func count() async throws -> Int {
        try await client.count(collection: collection)
    }

    /// Flushes the collection (its rows are durable), then waits, up to the client's call timeout, until its indexes
    /// cover every row, so that the searches that follow use them (a slower build is left to finish on its own).
    public func persist() async throws {
        try await client.flush(collection)
        try await client.waitForIndex(collection: collection)
    }

    // MARK: - Rows

    /// The store's columns for `documents`: four, and the sparse vectors of a hybrid store.
    func columns(_ documents: [IndexDocument], _ embeddings: Embeddings, _ sparseEmbeddings: [SparseVector]?) throws -> [MilvusColumn] {
        guard documents.count == embeddings.count else {
            throw IndexError.invalidArgument("\(documents.count) documents but \(embeddings.count) embeddings")
        }
        guard embeddings.isEmpty || embeddings.dimension == dimension else {
            throw IndexError.dimensionMismatch(expected: dimension, actual: embeddings.dimension)
        }
        for document in documents where document.id.utf8.count > Self.maxIDBytes || document.id.isEmpty {
            throw MilvusError.invalidArgument("document id \(String(reflecting: String(document.id.prefix(80)))) must be 1…\(Self.maxIDBytes) UTF-8 bytes, it has \(document.id.utf8.count)")
        }
        try IndexError.checkSparse(sparseEmbeddings, documents: documents.count, storedDimension: sparseDimension, in: "the collection \(collection)")
        let metadata = try documents.map { document in
            try JSONSerialization.data(withJSONObject: document.metadata, options: [.sortedKeys])
        }
        return [
            MilvusColumn(name: "id", values: .varChar(documents.map(\.id))),
            MilvusColumn(name: "text", values: .varChar(documents.map { Self.cut($0.text, toBytes: Self.maxTextBytes) })),
            MilvusColumn(name: "metadata", values: .json(metadata)),
            MilvusColumn(name: "embedding", values: .floatVector(dimension: dimension, values: embeddings.values)),
        ] + (sparseEmbeddings.map { [MilvusColumn(name: Self.sparseField, values: .sparseFloatVector($0))] } ?? [])
    }

    /// `text` cut to at most `limit` UTF-8 bytes at a character boundary.
    static func cut(_ text: String, toBytes limit: Int) -> String {
        guard text.utf8.count > limit else { return text }
        var bytes = 0
        var end = text.startIndex
        for index in text.indices {
            let next = text.index(after: index)
            bytes += text.utf8.distance(from: index, to: next)
            if bytes > limit { break }
            end = next
        }
        return String(text[..<end])
    }

    /// A metadata object read back; values that are not strings are kept as their JSON text.
    static func metadata(from data: Data) -> [String: String] {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [:] }
        return object.mapValues { value in
            if let string = value as? String { return string }
            return (try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed])).map { String(decoding: $0, as: UTF8.self) } ?? "\(value)"
        }
    }

    /// `parts` joined left to right, or `nil` for none.
    static func joined(_ parts: [MilvusExpression], _ join: (MilvusExpression, MilvusExpression) -> MilvusExpression) -> MilvusExpression? {
        guard var result = parts.first else { return nil }
        for part in parts.dropFirst() { result = join(result, part) }
        return result
    }

    /// A store filter as a Milvus expression over the store's fields; `nil` for a filter that keeps everything.
    static func expression(_ filter: StoreFilter) throws -> MilvusExpression? {
        switch filter {
        case let .ids(ids): return try .isIn("id", ids.map { .string($0) })
        case let .metadata(key, value): return try .jsonEquals("metadata", key: key, .string(value))
        case let .metadataIn(key, values):
            // Spelled as equalities joined by `or`: milvus-lite 3.2.2 refuses `json["key"] in [...]`.
            return try joined(values.map { try .jsonEquals("metadata", key: key, .string($0)) }) { $0.or($1) } ?? .isIn("id", [])
        case let .all(filters):
            return joined(try filters.compactMap(expression)) { $0.and($1) }
        case let .any(filters):
            let parts = try filters.map { try expression($0) }
            if parts.contains(where: { $0 == nil }) { return nil }   // one branch keeps everything
            return try joined(parts.compactMap { $0 }) { $0.or($1) } ?? .isIn("id", [])
        case let .not(inner):
            return try expression(inner)?.negated() ?? .isIn("id", [])
        }
    }
}
