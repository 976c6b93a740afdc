import Foundation
import SentenceTransformers
import STMilvus
import Testing

/// `MilvusVectorStore` as a `VectorStore`, beside `VectorIndexStore` on the same operations.
@Suite(.serialized) struct MilvusVectorStoreTests {
    static let hostile = #"x" || id != "" || metadata["k"] == "y\n'\t\\"#

    static func documents() -> [IndexDocument] {
        [
            IndexDocument(id: "a", text: "alpha", metadata: ["lang": "en", "k": hostile]),
            IndexDocument(id: "b", text: "beta", metadata: ["lang": "de", "k": "plain"]),
            IndexDocument(id: "c\"quoted", text: "gamma", metadata: ["lang": "en", "k": "x"]),
            IndexDocument(id: "ü-unicode", text: String(repeating: "é", count: 40_000), metadata: ["lang": "fr"]),
        ]
    }

    static func embeddings(_ rows: Int, dimension: Int = 8, seed: Float = 0) -> Embeddings {
        Embeddings(uncheckedValues: (0..<(rows * dimension)).map { Float(($0 * 7 + 3) % 11) - 5 + seed + Float($0 % dimension == $0 / dimension ? 9 : 0) },
                   dimension: dimension)
    }

    /// The store contract, run against a store.
    static func exercise(_ store: any VectorStore) async throws {
        let documents = Self.documents()
        try await store.upsert(documents, embeddings: Self.embeddings(4))
        #expect(try await store.count() == 4)
        // Writing the same documents again keeps each once.
        try await store.upsert(documents, embeddings: Self.embeddings(4))
        #expect(try await store.count() == 4)
        await #expect(throws: IndexError.duplicateID("b")) {
            try await store.add([documents[1]], embeddings: Self.embeddings(1))
        }
        #expect(try await store.existingIDs(among: ["a", "zzz", "c\"quoted"]) == ["a", "c\"quoted"])

        // Each document finds itself first.
        let all = try await store.search(Self.embeddings(4), topK: 4, filter: nil)
        #expect(all.map { $0.first?.document.id } == documents.map(\.id))
        #expect(all[0].first?.document.metadata == documents[0].metadata)
        #expect(all[3].first?.document.text.unicodeScalars.count ?? 0 > 30_000)

        // Filter values are data: quotes, operators and escapes match only the document that holds them.
        let hostile = try await store.search(Self.embeddings(1), topK: 4, filter: .metadata("k", equals: Self.hostile))
        #expect(hostile[0].map(\.document.id) == ["a"])
        let english = try await store.search(Self.embeddings(1, seed: 1), topK: 4, filter: .all([.metadata("lang", equals: "en"), .not(.ids(["a"]))]))
        #expect(english[0].map(\.document.id) == ["c\"quoted"])
        let either = try await store.search(Self.embeddings(1), topK: 4, filter: .any([.ids(["b"]), .metadataIn("lang", values: ["fr"])]))
        #expect(Set(either[0].map(\.document.id)) == ["b", "ü-unicode"])
        let nothing = try await store.search(Self.embeddings(1), topK: 4, filter: .metadata("lang", equals: "en\" || \"1\" == \"1"))
        #expect(nothing[0].isEmpty)

        #expect(try await store.delete(ids: ["b", "missing"]) == 1)
        #expect(try await store.count() == 3)
        try await store.persist()
        #expect(try await store.count() == 3)
        await #expect(throws: IndexError.dimensionMismatch(expected: 8, actual: 4)) {
            try await store.upsert([IndexDocument(id: "d", text: "delta")], embeddings: Self.embeddings(1, dimension: 4))
        }
    }

    @Test func vectorIndexStore() async throws {
        try await Self.exercise(try VectorIndexStore(directory: nil, dimension: 8))
    }

    @Test(arguments: MilvusServerKind.allCases)
    func milvusStore(_ kind: MilvusServerKind) async throws {
        let server = try await MilvusTestServer.shared(kind)
        let client = try server.client()
        defer { client.close() }
        let name = uniqueCollection("store")
        let store = try await MilvusVectorStore.open(client: client, collection: name, dimension: 8)
        try await Self.exercise(store)

        // Reopening with another dimension is a schema mismatch, before anything is written.
        await #expect(throws: MilvusError.schemaMismatch(collection: name, reason: "its vectors have 8 dimensions, the embeddings 16")) {
            _ = try await MilvusVectorStore.open(client: client, collection: name, dimension: 16)
        }
        // A collection that is not a store's.
        let other = uniqueCollection("other")
        try await client.createCollection(MilvusCollectionSchema(name: other, fields: [
            MilvusField(name: "pk", type: .int64, isPrimaryKey: true), MilvusField(name: "v", type: .floatVector(dimension: 8)),
        ]))
        await #expect(throws: MilvusError.self) { _ = try await MilvusVectorStore.open(client: client, collection: other, dimension: 8) }
        // An id too long for the schema is refused before anything is sent.
        await #expect(throws: MilvusError.self) {
            try await store.upsert([IndexDocument(id: String(repeating: "x", count: 600), text: "")], embeddings: Self.embeddings(1))
        }
        #expect(try await store.count() == 3)
        try await client.dropCollection(name)
        try await client.dropCollection(other)
    }

    @Test(arguments: MilvusServerKind.allCases)
    func oversizedBatchesAreSplit(_ kind: MilvusServerKind) async throws {
        let server = try await MilvusTestServer.shared(kind)
        var configuration = MilvusConfiguration(host: "127.0.0.1", port: server.port)
        configuration.maxInsertBytes = 1 << 20   // 1 MiB messages: the batch below takes 7
        let client = try MilvusClient(configuration)
        defer { client.close() }
        let name = uniqueCollection("split")
        let store = try await MilvusVectorStore.open(client: client, collection: name, dimension: 384, index: .flat)
        let rows = 4000
        let documents = (0..<rows).map { IndexDocument(id: "doc\($0)", text: "text \($0)") }
        let values = (0..<(rows * 384)).map { Float(($0 &* 2_654_435_761) % 1000) / 1000 }
        try await store.upsert(documents, embeddings: Embeddings(values: values, dimension: 384))
        #expect(try await store.count() == rows)
        #expect(try await store.existingIDs(among: documents.map(\.id)).count == rows)
        try await client.dropCollection(name)
    }
}
