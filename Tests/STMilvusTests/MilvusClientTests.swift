import Foundation
import STMilvus
import Testing

/// The client's RPCs against real servers: Milvus 2.3.5 standalone and milvus-lite 3.2.2, each started once.
@Suite(.serialized) struct MilvusClientTests {
    static func schema(_ name: String) -> MilvusCollectionSchema {
        MilvusCollectionSchema(name: name, fields: [
            MilvusField(name: "pk", type: .int64, isPrimaryKey: true),
            MilvusField(name: "title", type: .varChar(maxLength: 64)),
            MilvusField(name: "info", type: .json),
            MilvusField(name: "vector", type: .floatVector(dimension: 4)),
        ])
    }

    static func rows(_ keys: [Int64], titles: [String], vectors: [[Float]]) -> [MilvusColumn] {
        [
            MilvusColumn(name: "pk", values: .int64(keys)),
            MilvusColumn(name: "title", values: .varChar(titles)),
            MilvusColumn(name: "info", values: .json(titles.map { Data("{\"title\": \"\($0)\"}".utf8) })),
            MilvusColumn(name: "vector", values: .floatVector(dimension: 4, values: vectors.flatMap { $0 })),
        ]
    }

    @Test(arguments: MilvusServerKind.allCases)
    func collectionLifecycleAndData(_ kind: MilvusServerKind) async throws {
        let server = try await MilvusTestServer.shared(kind)
        let client = try server.client()
        defer { client.close() }
        let name = uniqueCollection("lifecycle")
        #expect(try await client.hasCollection(name) == false)
        try await client.createCollection(Self.schema(name))
        #expect(try await client.hasCollection(name))
        let described = try await client.describeCollection(name)
        #expect(described.schema.fields.map(\.name) == ["pk", "title", "info", "vector"])
        #expect(described.schema.field("vector")?.type == .floatVector(dimension: 4))
        #expect(described.schema.field("title")?.type == .varChar(maxLength: 64))
        #expect(described.schema.primaryKey?.name == "pk")

        try await client.createIndex(collection: name, field: "vector", type: .hnsw(m: 8, efConstruction: 64), metric: .cosine)
        let indexes = try await client.describeIndex(collection: name, field: "vector")
        #expect(indexes.count == 1)
        #expect(indexes.first?.parameters["index_type"] == "HNSW")
        try await client.loadCollection(name)
        #expect(try await client.loadState(name) == .loaded)

        let keys = try await client.insert(collection: name, columns: Self.rows(
            [1, 2, 3], titles: ["one", "two", "three"], vectors: [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]]))
        #expect(keys == [.int64(1), .int64(2), .int64(3)])
        #expect(try await client.count(collection: name) == 3)
        // Upsert replaces row 2 and adds row 4.
        try await client.upsert(collection: name, columns: Self.rows([2, 4], titles: ["two again", "four"], vectors: [[0, 1, 1, 0], [0, 0, 0, 1]]))
        #expect(try await client.count(collection: name) == 4)
        let queried = try await client.query(collection: name, filter: try .isIn("pk", [.int(2)]), outputFields: ["title", "info"])
        #expect(queried.first { $0.name == "title" }?.values == .varChar(["two again"]))
        if case let .json(documents)? = queried.first(where: { $0.name == "info" })?.values {
            let object = try JSONSerialization.jsonObject(with: documents[0]) as? [String: String]
            #expect(object == ["title": "two again"])
        } else {
            Issue.record("no JSON column in \(queried)")
        }

        let hits = try await client.search(MilvusSearchRequest(
            collection: name, vectorField: "vector", vectors: .float(dimension: 4, values: [1, 0, 0, 0, 0, 0, 0, 1]), topK: 2,
            metric: .cosine, outputFields: ["title"], parameters: ["ef": 16]))
        #expect(hits.count == 2)
        #expect(hits[0].first?.id == .int64(1))
        #expect(abs((hits[0].first?.score ?? 0) - 1) < 1e-5)
        #expect(hits[0].first?.fields["title"] == .varChar(["one"]))
        #expect(hits[1].first?.id == .int64(4))
        // A filter on a JSON key and on the primary key.
        let filtered = try await client.search(MilvusSearchRequest(
            collection: name, vectorField: "vector", vectors: .float(dimension: 4, values: [1, 0, 0, 0]), topK: 3, metric: .cosine,
            filter: try .jsonEquals("info", key: "title", .string("three")).or(try .equals("pk", .int(4))), outputFields: ["title"]))
        #expect(Set(filtered[0].map(\.id)) == [.int64(3), .int64(4)])

        #expect(try await client.delete(collection: name, filter: try .isIn("pk", [.int(1), .int(3)])) >= 0)
        #expect(try await client.count(collection: name) == 2)
        try await client.flush(name)
        #expect(try await client.count(collection: name) == 2)
        try await client.releaseCollection(name)
        #expect(try await client.loadState(name) == .notLoaded)
        try await client.dropCollection(name)
        #expect(try await client.hasCollection(name) == false)
    }

    @Test(arguments: MilvusServerKind.allCases)
    func binaryVectorsWithHamming(_ kind: MilvusServerKind) async throws {
        let server = try await MilvusTestServer.shared(kind)
        let client = try server.client()
        defer { client.close() }
        let name = uniqueCollection("binary")
        let schema = MilvusCollectionSchema(name: name, fields: [
            MilvusField(name: "pk", type: .varChar(maxLength: 16), isPrimaryKey: true),
            MilvusField(name: "bits", type: .binaryVector(dimension: 16)),
        ])
        if kind == .lite {
            // milvus-lite 3.2.2 has no binary vectors: its refusal arrives as a server error with its message.
            await #expect {
                try await client.createCollection(schema)
            } throws: { error in
                guard case let MilvusError.server(_, code, _, message) = error else { return false }
                return code != 0 && message.contains("BinaryVector")
            }
            return
        }
        try await client.createCollection(schema)
        try await client.createIndex(collection: name, field: "bits", type: .binFlat, metric: .hamming)
        try await client.loadCollection(name)
        try await client.insert(collection: name, columns: [
            MilvusColumn(name: "pk", values: .varChar(["a", "b", "c"])),
            MilvusColumn(name: "bits", values: .binaryVector(dimension: 16, bytes: [0x00, 0x00, 0xFF, 0x00, 0xFF, 0xFF])),
        ])
        let hits = try await client.search(MilvusSearchRequest(
            collection: name, vectorField: "bits", vectors: .binary(dimension: 16, bytes: [0x0F, 0x00]), topK: 3, metric: .hamming))
        // Hamming distances from 0x0F00: a (0x0000) 4 bits, b (0xFF00) 4 bits, c (0xFFFF) 12 bits.
        #expect(hits[0].map(\.score) == [4, 4, 12])
        #expect(Set(hits[0].prefix(2).map(\.id)) == [.string("a"), .string("b")])
        #expect(hits[0].last?.id == .string("c"))
        try await client.dropCollection(name)
    }

    @Test(arguments: MilvusServerKind.allCases)
    func serverErrorsNameTheCodeAndMessage(_ kind: MilvusServerKind) async throws {
        let server = try await MilvusTestServer.shared(kind)
        let client = try server.client()
        defer { client.close() }
        do {
            _ = try await client.describeCollection("no_such_collection_here")
            Issue.record("describing a missing collection succeeded")
        } catch let MilvusError.server(operation, code, legacyCode, message) {
            #expect(operation == "DescribeCollection")
            #expect(code != 0 || legacyCode != 0)
            #expect(message.lowercased().contains("no_such_collection_here") || message.lowercased().contains("not"))
        }
        // Rows of the wrong dimension.
        let name = uniqueCollection("errors")
        try await client.createCollection(Self.schema(name))
        await #expect(throws: MilvusError.self) {
            try await client.insert(collection: name, columns: [
                MilvusColumn(name: "pk", values: .int64([1])), MilvusColumn(name: "title", values: .varChar(["x"])),
                MilvusColumn(name: "info", values: .json([Data("{}".utf8)])),
                MilvusColumn(name: "vector", values: .floatVector(dimension: 3, values: [1, 2, 3])),
            ])
        }
        try await client.dropCollection(name)
    }

    @Test func unreachableServerIsATransportErrorAfterRetries() async throws {
        var configuration = MilvusConfiguration(host: "127.0.0.1", port: try MilvusTestServer.freePort())
        configuration.timeout = .seconds(3)
        configuration.maxAttempts = 3
        configuration.initialBackoff = .milliseconds(50)
        let client = try MilvusClient(configuration)
        defer { client.close() }
        let start = ContinuousClock.now
        do {
            _ = try await client.hasCollection("anything")
            Issue.record("a call to a closed port succeeded")
        } catch let MilvusError.transport(operation, status, _) {
            #expect(operation == "HasCollection")
            #expect(status == "unavailable" || status == "deadlineExceeded")
        }
        #expect(ContinuousClock.now - start < .seconds(10))
    }

    @Test func configurationAndLocationsAreChecked() throws {
        #expect(throws: MilvusError.self) { try MilvusClient(MilvusConfiguration(host: "127.0.0.1", port: 0)) }
        let location = try MilvusStoreLocation("milvus://alice:s%3Acret@db.example:19531/docs?timeout=5&db=research", environment: [:])
        #expect(location.collection == "docs")
        #expect(location.configuration.host == "db.example")
        #expect(location.configuration.port == 19531)
        #expect(location.configuration.credentials == .user("alice", password: "s:cret"))
        #expect(location.configuration.database == "research")
        #expect(location.configuration.timeout == .seconds(5))
        let fromEnvironment = try MilvusStoreLocation("milvus://localhost/docs", environment: ["MILVUS_TOKEN": "root:Milvus"])
        #expect(fromEnvironment.configuration.port == 19530)
        #expect(fromEnvironment.configuration.credentials == .token("root:Milvus"))
        for bad in ["http://h:1/c", "milvus://h:1/", "milvus://h:1/a/b", "milvus://h:1/1abc", "milvus://h:1/c?x=1", "milvus://h:1/bad-name"] {
            #expect(throws: MilvusError.self, "\(bad)") { try MilvusStoreLocation(bad, environment: [:]) }
        }
    }
}
