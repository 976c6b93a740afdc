import Foundation
import SwiftProtobuf

extension MilvusClient {
    /// Inserts rows, given column by column. Batches larger than ``MilvusConfiguration/maxInsertBytes`` are sent
    /// as several calls of whole rows, in order.
    /// - Parameters:
    ///   - collection: The collection.
    ///   - columns: One column per field, all of the same row count.
    /// - Returns: The primary keys of the inserted rows, in order.
    /// - Throws: ``MilvusError/invalidArgument(_:)`` for columns of different lengths;
    ///   ``MilvusError/server(operation:code:legacyCode:message:)`` when the server refuses the rows (a missing
    ///   field, a wrong dimension, a string over its maximum length). When a later call of a split batch fails,
    ///   the earlier calls' rows stay inserted.
    @discardableResult
    public func insert(collection: String, columns: [MilvusColumn]) async throws -> [MilvusPrimaryKey] {
        try await write("Insert", collection: collection, columns: columns)
    }

    /// Inserts rows, replacing any stored rows with the same primary keys (Milvus 2.3+). Split as ``insert``.
    /// - Returns: The primary keys of the rows, in order.
    /// - Throws: As ``insert(collection:columns:)``.
    @discardableResult
    public func upsert(collection: String, columns: [MilvusColumn]) async throws -> [MilvusPrimaryKey] {
        try await write("Upsert", collection: collection, columns: columns)
    }

    private func write(_ operation: String, collection: String, columns: [MilvusColumn]) async throws -> [MilvusPrimaryKey] {
        guard let rows = columns.first?.count else { return [] }
        for column in columns where column.count != rows {
            throw MilvusError.invalidArgument("column \(column.name) has \(column.count) rows, column \(columns[0].name) \(rows)")
        }
        guard rows > 0 else { return [] }
        let bytesPerRow = max(1, columns.reduce(0) { $0 + $1.estimatedBytes } / rows)
        let rowsPerCall = max(1, configuration.maxInsertBytes / bytesPerRow)
        var keys: [MilvusPrimaryKey] = []
        for start in stride(from: 0, to: rows, by: rowsPerCall) {
            let range = start..<min(start + rowsPerCall, rows)
            let fields = columns.map { $0.rows(range).wire }
            let result: PBMutationResult
            if operation == "Upsert" {
                var request = PBUpsertRequest()
                request.collectionName = collection
                request.fieldsData = fields
                request.numRows = UInt32(range.count)
                result = try await call(operation) { try await $0.upsert(request, metadata: $1, options: $2) }
            } else {
                var request = PBInsertRequest()
                request.collectionName = collection
                request.fieldsData = fields
                request.numRows = UInt32(range.count)
                result = try await call(operation) { try await $0.insert(request, metadata: $1, options: $2) }
            }
            try Self.check(result.status, operation)
            keys += MilvusPrimaryKey.list(result.ids)
        }
        return keys
    }

    /// Deletes the rows that match `filter` (Milvus 2.3 accepts only primary-key expressions: `id in […]`).
    /// - Returns: The number of rows the server reports deleted.
    /// - Throws: ``MilvusError`` as the server answers.
    @discardableResult
    public func delete(collection: String, filter: MilvusExpression) async throws -> Int {
        var request = PBDeleteRequest()
        request.collectionName = collection
        request.expr = filter.text
        let result = try await call("Delete") { try await $0.delete(request, metadata: $1, options: $2) }
        try Self.check(result.status, "Delete")
        return Int(result.deleteCnt)
    }

    /// The rows matching `filter`, column by column.
    /// - Parameters:
    ///   - collection: A loaded collection.
    ///   - filter: The rows' condition.
    ///   - outputFields: Fields returned (the primary key always is).
    ///   - limit: At most this many rows (`nil`: the server's limit, 16,384 on Milvus).
    ///   - offset: Rows skipped first (with `limit`).
    /// - Throws: ``MilvusError`` as the server answers (an unloaded collection: code 101 on Milvus 2.3+).
    public func query(collection: String, filter: MilvusExpression, outputFields: [String] = [], limit: Int? = nil,
                      offset: Int = 0) async throws -> [MilvusColumn] {
        try await query(collection: collection, expression: filter.text, outputFields: outputFields, limit: limit, offset: offset)
    }

    /// The number of rows in a loaded collection, every acknowledged write and delete seen (`count(*)`).
    /// - Throws: ``MilvusError`` as the server answers.
    public func count(collection: String) async throws -> Int {
        let columns = try await query(collection: collection, expression: "", outputFields: ["count(*)"], limit: nil, offset: 0)
        guard let column = columns.first(where: { $0.name == "count(*)" }), case let .int64(values) = column.values, let count = values.first else {
            throw MilvusError.unexpectedResponse(operation: "Query", reason: "no count(*) column")
        }
        return Int(count)
    }

    private func query(collection: String, expression: String, outputFields: [String], limit: Int?, offset: Int) async throws -> [MilvusColumn] {
        var request = PBQueryRequest()
        request.collectionName = collection
        request.expr = expression
        request.outputFields = outputFields
        request.consistencyLevel = .strong
        if let limit {
            request.queryParams = [PBKeyValuePair(key: "limit", value: String(limit)), PBKeyValuePair(key: "offset", value: String(offset))]
        }
        let response = try await call("Query") { try await $0.query(request, metadata: $1, options: $2) }
        try Self.check(response.status, "Query")
        return response.fieldsData.compactMap(MilvusColumn.init(wire:))
    }

    /// Searches a vector field for each query vector's nearest rows.
    /// - Returns: One list of hits per query vector, best first.
    /// - Throws: ``MilvusError/invalidArgument(_:)`` for no query vector or a non-positive top-k;
    ///   ``MilvusError/server(operation:code:legacyCode:message:)`` when the server refuses (another dimension or
    ///   metric than the index's, an unloaded collection, a bad filter); ``MilvusError/unexpectedResponse(operation:reason:)``
    ///   for an answer whose lengths do not add up.
    public func search(_ search: MilvusSearchRequest) async throws -> [[MilvusSearchHit]] {
        let queries = search.vectors.count
        guard queries > 0 else { throw MilvusError.invalidArgument("no query vector") }
        guard search.topK > 0 else { throw MilvusError.invalidArgument("topK must be positive, got \(search.topK)") }
        var placeholder = PBPlaceholderValue()
        placeholder.tag = "$0"
        switch search.vectors {
        case let .float(dimension, values):
            placeholder.type = .placeholderFloatVector
            placeholder.values = (0..<queries).map { row in
                values[(row * dimension)..<((row + 1) * dimension)].withUnsafeBufferPointer { Data(buffer: $0) }
            }
        case let .binary(dimension, bytes):
            placeholder.type = .placeholderBinaryVector
            let width = dimension / 8
            placeholder.values = (0..<queries).map { Data(bytes[($0 * width)..<(($0 + 1) * width)]) }
        case let .sparse(vectors):
            placeholder.type = .placeholderSparseFloatVector
            placeholder.values = vectors.map(MilvusColumn.sparseRow)
        }
        var group = PBPlaceholderGroup()
        group.placeholders = [placeholder]
        var request = PBSearchRequest()
        request.collectionName = search.collection
        request.dsl = search.filter?.text ?? ""
        request.dslType = .boolExprV1
        request.placeholderGroup = try group.serializedBytes()
        request.outputFields = search.outputFields
        request.nq = Int64(queries)
        request.consistencyLevel = search.strongConsistency ? .strong : .bounded
        let parameters = "{" + search.parameters.sorted { $0.key < $1.key }.map { "\"\($0.key)\": \($0.value)" }.joined(separator: ", ") + "}"
        request.searchParams = [
            PBKeyValuePair(key: "anns_field", value: search.vectorField),
            PBKeyValuePair(key: "topk", value: String(search.topK)),
            PBKeyValuePair(key: "metric_type", value: search.metric.rawValue),
            PBKeyValuePair(key: "params", value: parameters),
            PBKeyValuePair(key: "round_decimal", value: "-1"),
        ]
        let response = try await call("Search") { try await $0.search(request, metadata: $1, options: $2) }
        try Self.check(response.status, "Search")
        return try Self.hits(response.results, queries: queries)
    }

    /// Splits a search answer into per-query hit lists.
    static func hits(_ results: PBSearchResultData, queries: Int) throws -> [[MilvusSearchHit]] {
        let ids = MilvusPrimaryKey.list(results.ids)
        guard ids.count == results.scores.count else {
            throw MilvusError.unexpectedResponse(operation: "Search", reason: "\(ids.count) ids but \(results.scores.count) scores")
        }
        // An empty collection answers with no per-query counts at all.
        let counts = results.topks.isEmpty && ids.isEmpty ? [Int64](repeating: 0, count: queries) : results.topks
        guard counts.count == queries, counts.allSatisfy({ $0 >= 0 }), counts.reduce(0, +) == Int64(ids.count) else {
            throw MilvusError.unexpectedResponse(operation: "Search", reason: "per-query counts \(counts) do not add up to \(ids.count) hits for \(queries) queries")
        }
        let columns = results.fieldsData.compactMap(MilvusColumn.init(wire:))
        for column in columns where column.count != ids.count {
            throw MilvusError.unexpectedResponse(operation: "Search", reason: "output field \(column.name) has \(column.count) values for \(ids.count) hits")
        }
        var answer: [[MilvusSearchHit]] = []
        var start = 0
        for count in counts {
            let end = start + Int(count)
            answer.append((start..<end).map { row in
                MilvusSearchHit(id: ids[row], score: results.scores[row],
                                fields: Dictionary(columns.map { ($0.name, $0.rows(row..<(row + 1)).values) }, uniquingKeysWith: { $1 }))
            })
            start = end
        }
        return answer
    }
}
