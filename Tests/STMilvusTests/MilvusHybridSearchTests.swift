import Foundation
import SentenceTransformers
import STMilvus
import STTestSupport
import Testing

/// Dense + sparse hybrid search through Milvus: a hybrid `MilvusVectorStore` on milvus-lite (Milvus 2.3.5 has no sparse
/// vectors: a clear error there) against `VectorIndexStore` over the same rows, then the CLI end to end.
@Suite(.serialized) struct MilvusHybridSearchTests {
    static let rows = 300
    static let sparseDimension = 1000

    /// Seeded dense rows (16 dimensions) and sparse rows (at most 20 of 1,000 dimensions active, values in (0, 2]).
    static func data(seed: UInt64) throws -> (documents: [IndexDocument], dense: Embeddings, sparse: [SparseVector]) {
        var generator = SeededGenerator(seed: seed)
        let documents = (0..<rows).map { IndexDocument(id: "doc\($0)", text: "text \($0)", metadata: ["parity": $0 % 2 == 0 ? "even" : "odd"]) }
        let dense = try Embeddings(rows: (0..<rows).map { _ in (0..<16).map { _ in Float.random(in: -1...1, using: &generator) } })
        let sparse = try (0..<rows).map { _ in
            let active = Set((0..<Int.random(in: 1...20, using: &generator)).map { _ in Int.random(in: 0..<sparseDimension, using: &generator) }).sorted()
            return try SparseVector(indices: active, values: active.map { _ in Float.random(in: 0.01...2, using: &generator) }, dimension: sparseDimension)
        }
        return (documents, dense, sparse)
    }

    @Test func hybridStoreOnMilvusLiteRanksAsTheLocalStore() async throws {
        let server = try await MilvusTestServer.shared(.lite)
        let client = try server.client()
        defer { client.close() }
        let name = uniqueCollection("hybrid")
        let (documents, dense, sparse) = try Self.data(seed: 11)
        let milvus = try await MilvusVectorStore.open(client: client, collection: name, dimension: 16, index: .flat, model: "dense-model",
                                                      sparseDimension: Self.sparseDimension, sparseModel: "sparse-model")
        let local = try VectorIndexStore(directory: nil, dimension: 16, sparseDimension: Self.sparseDimension, sparseModel: "sparse-model")
        for store in [milvus, local] as [any VectorStore] {
            await #expect(throws: IndexError.self) { try await store.upsert(documents, embeddings: dense) }   // sparse vectors missing
            try await store.upsert(documents, embeddings: dense, sparseEmbeddings: sparse)
            try await store.persist()
            #expect(try await store.count() == Self.rows)
        }

        // What the collection records, read back by a second open.
        let reopened = try await MilvusVectorStore.open(client: client, collection: name, dimension: nil)
        #expect(reopened.sparseDimension == Self.sparseDimension && reopened.model == "dense-model" && reopened.sparseModel == "sparse-model")
        await #expect(throws: MilvusError.self) {
            _ = try await MilvusVectorStore.open(client: client, collection: name, dimension: 16, sparseDimension: 30522)
        }
        // Sparse rows come back as written, bit for bit.
        let queried = try await client.query(collection: name, filter: try .isIn("id", [.string("doc7"), .string("doc8")]),
                                             outputFields: ["id", "sparse_embedding"])
        if case let .varChar(ids)? = queried.first(where: { $0.name == "id" })?.values,
           case let .sparseFloatVector(vectors)? = queried.first(where: { $0.name == "sparse_embedding" })?.values {
            for (id, vector) in zip(ids, vectors) {
                let row = try #require(Int(id.dropFirst(3)))
                #expect(vector.indices == sparse[row].indices && vector.values == sparse[row].values, "\(id)")
            }
            #expect(ids.count == 2)
        } else {
            Issue.record("no sparse column in \(queried)")
        }

        // Sparse search is exact on both (an inverted index that drops nothing); so is dense search over FLAT; so the
        // fused rankings agree, filtered or not, under both fusions.
        let queries = [3, 42, 199]
        let denseQueries = try Embeddings(rows: queries.map { dense[$0] })
        let sparseQueries = queries.map { sparse[$0] }
        let milvusSparse = try await milvus.searchSparse(sparseQueries, topK: 10, filter: nil)
        let localSparse = try await local.searchSparse(sparseQueries, topK: 10, filter: nil)
        #expect(milvusSparse.map { $0.map(\.document.id) } == localSparse.map { $0.map(\.document.id) })
        for (a, b) in zip(milvusSparse.joined(), localSparse.joined()) { #expect(abs(a.score - b.score) <= 1e-4 * max(1, abs(b.score))) }
        #expect(milvusSparse.map { $0.first?.document.id } == queries.map { "doc\($0)" })
        for fusion in [HybridSearch.Fusion.reciprocalRank(), .weightedScore(weights: [0.3, 0.7])] {
            for filter in [nil, StoreFilter.metadata("parity", equals: "odd")] {
                let fromMilvus = try await milvus.searchHybrid(dense: denseQueries, sparse: sparseQueries, topK: 10, fusion: fusion, filter: filter)
                let fromLocal = try await local.searchHybrid(dense: denseQueries, sparse: sparseQueries, topK: 10, fusion: fusion, filter: filter)
                #expect(fromMilvus.map { $0.map(\.document.id) } == fromLocal.map { $0.map(\.document.id) }, "\(fusion) \(String(describing: filter))")
                if filter != nil { #expect(fromMilvus.joined().allSatisfy { $0.document.metadata["parity"] == "odd" }) }
                #expect(fromMilvus.allSatisfy { $0.count == 10 })
            }
        }
        // A query with no active dimension finds nothing sparse; the hybrid search still ranks the dense hits.
        let empty = SparseVector.zero(dimension: Self.sparseDimension)
        #expect(try await milvus.searchSparse([empty], topK: 5, filter: nil) == [[]])
        #expect(try await milvus.searchHybrid(dense: Embeddings(rows: [dense[5]]), sparse: [empty], topK: 5).first?.first?.document.id == "doc5")
        try await client.dropCollection(name)
    }

    @Test func hybridStoreOnMilvus235IsAClearError() async throws {
        let server = try await MilvusTestServer.shared(.standalone)
        let client = try server.client()
        defer { client.close() }
        let name = uniqueCollection("hybrid")
        do {
            _ = try await MilvusVectorStore.open(client: client, collection: name, dimension: 16, sparseDimension: Self.sparseDimension)
            Issue.record("Milvus 2.3.5 created a collection with a sparse vector field")
        } catch let error as MilvusError {
            #expect("\(error)".contains("sparse"), "\(error)")
        }
        // Nothing was created, and the server is still up (Milvus 2.3.5 aborts loading a sparse vector field).
        #expect(try await client.hasCollection(name) == false)
    }

    @Test func serverVersionsWithSparseVectors() {
        for version in ["v2.4.0", "v2.5.12", "v3.0.0-beta", "milvus_lite-3.2.2", "2.6.1", "unknown"] {
            #expect(MilvusVectorStore.supportsSparseVectors(version: version), "\(version)")
        }
        for version in ["v2.3.5-lite", "v2.3.5", "v2.2.16", "1.1.1"] {
            #expect(!MilvusVectorStore.supportsSparseVectors(version: version), "\(version)")
        }
    }

    @Test func cliHybridSearchThroughMilvusMatchesTheLocalIndex() async throws {
        let server = try await MilvusTestServer.shared(.lite)
        let client = try server.client()
        defer { client.close() }
        let input = try MilvusIngestionTests.subset(400)
        defer { try? FileManager.default.removeItem(at: input) }
        let collection = uniqueCollection("clihybrid")
        let local = FileManager.default.temporaryDirectory.appendingPathComponent("hybrid-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: local) }
        let dense = try TestResources.model("all-MiniLM-L6-v2").path
        let splade = try TestResources.model("tiny-splade-inference-free").path
        let common = ["--input", input.path, "--model", dense, "--sparse-model", splade, "--kind", "flat"]
        let built = try MilvusIngestionTests.run("sbert", ["index", "build", "--store", server.url(collection)] + common)
        #expect(built.status == 0, "\(built.standardError)")
        #expect(built.standardError.contains("400 written"), "\(built.standardError)")
        let builtLocally = try MilvusIngestionTests.run("sbert", ["index", "build", "--out", local] + common)
        #expect(builtLocally.status == 0, "\(builtLocally.standardError)")
        // A rerun without --sparse-model takes the recorded one and adds nothing.
        let rerun = try MilvusIngestionTests.run("sbert", ["index", "add", "--store", server.url(collection), "--input", input.path])
        #expect(rerun.status == 0 && rerun.standardError.contains("400 already stored, 0 written"), "\(rerun.standardError)")

        let queries = ["cancer cells and tumor growth", "vitamin D deficiency", "protein folding"]
        for fusion in ["rrf", "weighted"] {
            // No --model or --sparse-model: the store and the index record both.
            let arguments = ["--hybrid", "--fusion", fusion, "--top-k", "10", "--format", "json"] + queries
            let throughMilvus = try MilvusIngestionTests.runCapturing("sbert", ["search", "--store", server.url(collection)] + arguments)
            let throughIndex = try MilvusIngestionTests.runCapturing("sbert", ["search", "--index", local] + arguments)
            #expect(throughMilvus.status == 0 && throughIndex.status == 0, "\(throughMilvus.standardError) \(throughIndex.standardError)")
            #expect(Self.ids(throughMilvus.standardOutput) == Self.ids(throughIndex.standardOutput), "\(fusion)")
            #expect(Self.ids(throughMilvus.standardOutput).allSatisfy { $0.count == 10 })
        }
        // Reranking what Milvus found, with a metadata filter (BEIR titles are metadata) kept as data.
        let reranker = try TestResources.model("cross-encoder-stsb-MiniLM-L6").path
        let reranked = try MilvusIngestionTests.runCapturing("sbert", ["search", "--store", server.url(collection), "--hybrid", "--top-k", "5",
                                                                       "--rerank-with", reranker, "--format", "json", queries[0]])
        #expect(reranked.status == 0, "\(reranked.standardError)")
        let rerankedHits = (try? JSONSerialization.jsonObject(with: Data(reranked.standardOutput.utf8))) as? [[String: Any]] ?? []
        let scores = rerankedHits.compactMap { ($0["score"] as? NSNumber)?.floatValue }
        #expect(rerankedHits.count == 5 && scores == scores.sorted(by: >), "\(reranked.standardOutput)")
        // Hybrid search of a dense-only collection says what is missing.
        let plain = uniqueCollection("plain")
        let dense400 = try MilvusIngestionTests.run("sbert", ["index", "build", "--store", server.url(plain), "--input", input.path, "--model", dense])
        #expect(dense400.status == 0, "\(dense400.standardError)")
        let refused = try MilvusIngestionTests.runCapturing("sbert", ["search", "--store", server.url(plain), "--hybrid", "x"])
        #expect(refused.status != 0 && refused.standardError.contains("--sparse-model"), "\(refused.standardError)")
        try await client.dropCollection(collection)
        try await client.dropCollection(plain)
    }

    /// The ids of `sbert search --format json` output, one list per query.
    static func ids(_ output: String) -> [[String]] {
        output.split(separator: "\n").map { line in
            ((try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        }
    }
}
