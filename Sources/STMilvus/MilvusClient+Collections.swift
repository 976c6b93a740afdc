import Foundation
import SwiftProtobuf

extension MilvusClient {
    /// Creates a collection.
    /// - Parameters:
    ///   - schema: The fields; `schema.name` names the collection.
    ///   - shards: Shards (virtual channels) to spread writes over; Milvus's default is 1.
    ///   - properties: Collection properties kept with it (Milvus reads a few, such as `collection.ttl.seconds`; others
    ///     are the caller's own).
    /// - Throws: ``MilvusError/server(operation:code:legacyCode:message:)`` when the server refuses (e.g. the name
    ///   is taken with another schema, a field is invalid); ``MilvusError/transport(operation:status:message:)``.
    public func createCollection(_ schema: MilvusCollectionSchema, shards: Int = 1, properties: [String: String] = [:]) async throws {
        var request = PBCreateCollectionRequest()
        request.collectionName = schema.name
        request.schema = try schema.wire.serializedBytes()
        request.shardsNum = Int32(clamping: shards)
        request.consistencyLevel = .strong
        request.properties = properties.sorted { $0.key < $1.key }.map { PBKeyValuePair(key: $0.key, value: $0.value) }
        let status = try await call("CreateCollection") { try await $0.createCollection(request, metadata: $1, options: $2) }
        try Self.check(status, "CreateCollection")
    }

    /// Whether a collection of that name exists.
    /// - Throws: ``MilvusError`` when the server cannot be reached or fails.
    public func hasCollection(_ name: String) async throws -> Bool {
        var request = PBHasCollectionRequest()
        request.collectionName = name
        let response = try await call("HasCollection") { try await $0.hasCollection(request, metadata: $1, options: $2) }
        try Self.check(response.status, "HasCollection")
        return response.value
    }

    /// A collection's schema and ids.
    /// - Throws: ``MilvusError/server(operation:code:legacyCode:message:)`` when it does not exist (code 100 on
    ///   Milvus 2.3+).
    public func describeCollection(_ name: String) async throws -> MilvusCollectionDescription {
        var request = PBDescribeCollectionRequest()
        request.collectionName = name
        let response = try await call("DescribeCollection") { try await $0.describeCollection(request, metadata: $1, options: $2) }
        try Self.check(response.status, "DescribeCollection")
        var schema = MilvusCollectionSchema(wire: response.schema)
        if schema.name.isEmpty { schema.name = name }
        return MilvusCollectionDescription(schema: schema, collectionID: response.collectionID, shardsNumber: Int(response.shardsNum),
                                           properties: Dictionary(response.properties.map { ($0.key, $0.value) }, uniquingKeysWith: { $1 }))
    }

    /// Drops a collection and its data.
    /// - Throws: ``MilvusError`` as the server answers (dropping a missing collection succeeds on some versions).
    public func dropCollection(_ name: String) async throws {
        var request = PBDropCollectionRequest()
        request.collectionName = name
        let status = try await call("DropCollection") { try await $0.dropCollection(request, metadata: $1, options: $2) }
        try Self.check(status, "DropCollection")
    }

    /// Loads a collection into memory for search and query, and waits until it is loaded (within the call
    /// deadline).
    /// - Throws: ``MilvusError`` (e.g. a collection without a vector index cannot be loaded).
    public func loadCollection(_ name: String, replicas: Int = 1) async throws {
        var request = PBLoadCollectionRequest()
        request.collectionName = name
        request.replicaNumber = Int32(clamping: replicas)
        let status = try await call("LoadCollection") { try await $0.loadCollection(request, metadata: $1, options: $2) }
        try Self.check(status, "LoadCollection")
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: configuration.timeout)
        while try await loadState(name) != .loaded {
            guard clock.now < deadline else {
                throw MilvusError.transport(operation: "LoadCollection", status: "deadlineExceeded", message: "\(name) was not loaded within \(configuration.timeout)")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// Releases a collection from memory.
    /// - Throws: ``MilvusError`` as the server answers.
    public func releaseCollection(_ name: String) async throws {
        var request = PBReleaseCollectionRequest()
        request.collectionName = name
        let status = try await call("ReleaseCollection") { try await $0.releaseCollection(request, metadata: $1, options: $2) }
        try Self.check(status, "ReleaseCollection")
    }

    /// Whether a collection is loaded.
    /// - Throws: ``MilvusError`` as the server answers.
    public func loadState(_ name: String) async throws -> MilvusLoadState {
        var request = PBGetLoadStateRequest()
        request.collectionName = name
        let response = try await call("GetLoadState") { try await $0.getLoadState(request, metadata: $1, options: $2) }
        try Self.check(response.status, "GetLoadState")
        switch response.state {
        case .loaded: return .loaded
        case .loading: return .loading
        case .notLoad: return .notLoaded
        default: return .notExist
        }
    }

    /// Builds an index on a field.
    /// - Parameters:
    ///   - collection: The collection.
    ///   - field: The vector field.
    ///   - type: The index type and its build parameters.
    ///   - metric: The metric searches will use (binary vectors: HAMMING or JACCARD).
    ///   - name: The index's name (Milvus's default is `_default_idx_FIELDID` or the field's name).
    /// - Throws: ``MilvusError/server(operation:code:legacyCode:message:)`` when the server refuses the type, metric
    ///   or parameters.
    public func createIndex(collection: String, field: String, type: MilvusIndexType, metric: MilvusMetric, name: String = "") async throws {
        var request = PBCreateIndexRequest()
        request.collectionName = collection
        request.fieldName = field
        request.indexName = name
        request.extraParams = [
            PBKeyValuePair(key: "index_type", value: type.name),
            PBKeyValuePair(key: "metric_type", value: metric.rawValue),
            PBKeyValuePair(key: "params", value: type.parametersJSON),
        ]
        let status = try await call("CreateIndex") { try await $0.createIndex(request, metadata: $1, options: $2) }
        try Self.check(status, "CreateIndex")
    }

    /// The indexes of a collection (of one field, when `field` is given).
    /// - Throws: ``MilvusError`` (Milvus answers code 700, index not found, for a collection without an index).
    public func describeIndex(collection: String, field: String = "") async throws -> [MilvusIndexDescription] {
        var request = PBDescribeIndexRequest()
        request.collectionName = collection
        request.fieldName = field
        let response = try await call("DescribeIndex") { try await $0.describeIndex(request, metadata: $1, options: $2) }
        try Self.check(response.status, "DescribeIndex")
        return response.indexDescriptions.map { description in
            MilvusIndexDescription(
                indexName: description.indexName, fieldName: description.fieldName,
                parameters: Dictionary(description.params.map { ($0.key, $0.value) }, uniquingKeysWith: { $1 }),
                indexedRows: description.indexedRows, totalRows: description.totalRows, pendingRows: description.pendingIndexRows,
                isFinished: description.state == .finished, failureReason: description.indexStateFailReason)
        }
    }

    /// Seals the collection's growing segments and waits until they are persisted (within the call deadline).
    /// Searches and queries see inserted rows without a flush; flush makes them durable and indexable.
    /// - Throws: ``MilvusError`` as the server answers.
    public func flush(_ collection: String) async throws {
        var request = PBFlushRequest()
        request.collectionNames = [collection]
        let response = try await call("Flush") { try await $0.flush(request, metadata: $1, options: $2) }
        try Self.check(response.status, "Flush")
        let segments = response.collSegIds[collection]?.data ?? []
        guard !segments.isEmpty || response.collFlushTs[collection] != nil else { return }
        var stateRequest = PBGetFlushStateRequest()
        stateRequest.segmentIds = segments
        stateRequest.flushTs = response.collFlushTs[collection] ?? 0
        stateRequest.collectionName = collection
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: configuration.timeout)
        while true {
            let state = try await call("GetFlushState") { try await $0.getFlushState(stateRequest, metadata: $1, options: $2) }
            try Self.check(state.status, "GetFlushState")
            if state.flushed { return }
            guard clock.now < deadline else {
                throw MilvusError.transport(operation: "Flush", status: "deadlineExceeded", message: "\(collection) was not flushed within \(configuration.timeout)")
            }
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    /// Waits until every index of `field` (every field when empty) covers all the collection's flushed rows and the
    /// query nodes serve the segments through it, so that searches use the index rather than Milvus's interim one
    /// (2.3 searches a sealed segment whose index is not loaded yet through an IVF index with 16 probes: 0.91 of the
    /// exact top 10 on SciFact, where HNSW finds all).
    /// - Parameter timeout: How long to wait (default: the configured call timeout).
    /// - Returns: Whether the index was complete before the timeout.
    /// - Throws: ``MilvusError`` as the server answers, or ``MilvusError/server(operation:code:legacyCode:message:)``
    ///   with the server's reason when the build failed.
    @discardableResult
    public func waitForIndex(collection: String, field: String = "", timeout: Duration? = nil) async throws -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout ?? configuration.timeout)
        while true {
            let indexes = try await describeIndex(collection: collection, field: field)
            if let failed = indexes.first(where: { !$0.failureReason.isEmpty }) {
                throw MilvusError.server(operation: "CreateIndex", code: 0, legacyCode: 0, message: "the index of \(failed.fieldName) failed: \(failed.failureReason)")
            }
            if indexes.allSatisfy({ $0.isFinished && $0.indexedRows >= $0.totalRows && $0.pendingRows == 0 }) {
                // Built is not yet served: the query nodes swap a segment for its indexed copy some seconds later.
                let rows = indexes.map(\.totalRows).max() ?? 0
                guard let segments = try? await querySegments(collection),
                      segments.filter({ !$0.indexName.isEmpty }).reduce(0, { $0 + $1.rows }) < rows else { return true }
            }
            guard clock.now < deadline else { return false }
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    /// The segments the query nodes serve, with the index each is served through (Milvus 2.3 standalone and clusters;
    /// milvus-lite does not implement the call).
    /// - Throws: ``MilvusError`` as the server answers.
    public func querySegments(_ collection: String) async throws -> [MilvusQuerySegment] {
        var request = PBGetQuerySegmentInfoRequest()
        request.collectionName = collection
        let response = try await call("GetQuerySegmentInfo") { try await $0.getQuerySegmentInfo(request, metadata: $1, options: $2) }
        try Self.check(response.status, "GetQuerySegmentInfo")
        return response.infos.map { MilvusQuerySegment(id: $0.segmentID, rows: $0.numRows, indexName: $0.indexName) }
    }
}
