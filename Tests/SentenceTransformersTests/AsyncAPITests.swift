import Foundation
import SentenceTransformers
import STTestSupport
import Testing

/// The async forms give what the synchronous ones give, on every model kind; load options act as Python's arguments.
/// Everything here is named through `import SentenceTransformers` alone.
@Suite struct AsyncAPITests {
    struct Goldens: Decodable {
        var sentences: [String]
        var longSentences: [String]
        var maxSeqLength16: [[Float]]
        enum CodingKeys: String, CodingKey {
            case sentences, longSentences = "long_sentences", maxSeqLength16 = "max_seq_length_16"
        }
    }

    /// Runs `body` in a synchronous context, where the synchronous overloads are the ones chosen.
    static func sync<T>(_ body: () throws -> T) rethrows -> T { try body() }

    static func expectCosines(_ ours: Embeddings, _ python: [[Float]], _ what: String) {
        #expect(ours.count == python.count, "\(what): rows")
        for (row, expected) in python.enumerated() where row < ours.count {
            let cosine = ParityChecks.cosine(ours[row], expected)
            #expect(cosine >= 0.99999, "\(what): row \(row) cosine \(cosine)")
        }
    }

    @Test func maxSeqLengthFromCodeGivesPythonsVectors() async throws {
        let data = try Data(contentsOf: TestResources.fixture("encode-output/goldens.json"))
        let goldens = try JSONDecoder().decode(Goldens.self, from: data)
        let texts = goldens.sentences + goldens.longSentences
        let directory = try TestResources.model("all-MiniLM-L6-v2")
        let options = LoadOptions(maxSeqLength: 16)
        let loaded = try await SentenceTransformer(directory: directory, options: options)
        #expect(loaded.maxSeqLength == 16)
        Self.expectCosines(try await loaded.encode(texts, batchSize: 4), goldens.maxSeqLength16, "async")
        let synchronous = try Self.sync { try SentenceTransformer(directory: directory, options: options).encode(texts, batchSize: 4) }
        Self.expectCosines(synchronous, goldens.maxSeqLength16, "sync")
        // The long texts really are cut: without the option they give other vectors.
        let uncut = try Self.sync { try SentenceTransformer(directory: directory, options: LoadOptions()).encode(goldens.longSentences) }
        #expect(ParityChecks.cosine(uncut[0], goldens.maxSeqLength16[goldens.sentences.count]) < 0.999)
    }

    @Test func asyncFormsEqualTheSynchronousOnes() async throws {
        let texts = ["A man is playing a guitar.", "A woman is slicing an onion.", "Three men are playing chess in the park."]
        let dense = try await SentenceTransformer(directory: try TestResources.model("all-MiniLM-L6-v2"), options: LoadOptions(threads: 1))
        #expect(dense.threads == 1)
        let rows = try await dense.encode(texts, normalize: true)
        #expect(rows == (try Self.sync { try dense.encode(texts, normalize: true) }))
        #expect((try await dense.encodeQuery(texts)) == (try Self.sync { try dense.encodeQuery(texts) }))
        #expect((try await dense.encode(texts[0])) == (try Self.sync { try dense.encode(texts[0]) }))
        #expect((try await dense.similarity(rows, rows)) == (try Self.sync { try dense.similarity(rows, rows) }))
        let hits = try await semanticSearch(queries: rows, corpus: rows, topK: 2)
        #expect(hits.map { $0.map(\.corpusID) } == (try Self.sync { try semanticSearch(queries: rows, corpus: rows, topK: 2) }).map { $0.map(\.corpusID) })

        let reranker = try await CrossEncoder(directory: try TestResources.model("cross-encoder-stsb-MiniLM-L6"))
        let ranked = try await reranker.rank(query: "A man plays guitar.", documents: texts)
        #expect(ranked == (try Self.sync { try reranker.rank(query: "A man plays guitar.", documents: texts) }))
        #expect(ranked.first?.corpusID == 0)
        let pairs = texts.map { ("A man plays guitar.", $0) }
        #expect((try await reranker.predict(pairs)) == (try Self.sync { try reranker.predict(pairs) }))

        let sparse = try await SparseEncoder(directory: try TestResources.model("tiny-splade"))
        #expect((try await sparse.encodeDocument(texts)) == (try Self.sync { try sparse.encodeDocument(texts) }))
        let colbert = try await MultiVectorEncoder(directory: try TestResources.model("tiny-colbert"))
        #expect((try await colbert.encodeQuery(texts)) == (try Self.sync { try colbert.encodeQuery(texts) }))
    }

    @Test func threadsDoNotChangeTheVectors() throws {
        let directory = try TestResources.model("all-MiniLM-L6-v2")
        let texts = ["A man is playing a guitar.", "A woman is slicing an onion into thin rings on a wooden board."]
        let one = try SentenceTransformer(directory: directory, options: LoadOptions(threads: 1)).encode(texts)
        let four = try SentenceTransformer(directory: directory, options: LoadOptions(threads: 4)).encode(texts)
        #expect(one == four)
    }

    @Test func badOptionsAreRefusedWithTheirName() async throws {
        let directory = try TestResources.model("all-MiniLM-L6-v2")
        for (options, message) in [(LoadOptions(maxSeqLength: 0), "maxSeqLength"), (LoadOptions(threads: 0), "threads"),
                                   (LoadOptions(threads: 1_000_000), "threads"), (LoadOptions(maxSeqLength: 100_000), "max_seq_length")] {
            let error = #expect(throws: (any Error).self) { try SentenceTransformer(directory: directory, options: options) }
            #expect(error?.localizedDescription.contains(message) == true, "\(String(describing: error))")
            await #expect(throws: (any Error).self) { try await CrossEncoder(directory: try TestResources.model("cross-encoder-stsb-MiniLM-L6"), options: options) }
        }
        #expect(throws: ParallelError.invalidWorkerCount(0)) { try Parallel.setDefaultWorkerCount(0) }
        // Offline, an id that is not in the given cache is refused without a request.
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("empty-hub-cache-\(UUID().uuidString)")
        let offline = LoadOptions(cacheFolder: cache, localFilesOnly: true)
        await #expect(throws: HubError.self) { try await SentenceTransformer("org/not-downloaded", options: offline) }
    }

    @Test func batcherGivesEachCallerItsOwnRows() async throws {
        let model = try await SentenceTransformer(directory: try TestResources.model("all-MiniLM-L6-v2"))
        let batcher = try EmbeddingBatcher(model: model, maxBatchTokens: 64)
        let texts = (0..<24).map { "Sentence number \($0) is about \($0 % 2 == 0 ? "cooking" : "music")." }
        let expected = try await model.encode(texts)
        try await withThrowingTaskGroup(of: (Int, Embeddings).self) { group in
            for index in texts.indices { group.addTask { (index, try await batcher.encode([texts[index]])) } }
            for try await (index, rows) in group {
                #expect(rows.count == 1)
                #expect(ParityChecks.cosine(rows[0], expected[index]) >= 0.99999, "text \(index)")
            }
        }
        #expect(await batcher.lastPassSucceeded == true)
        #expect(throws: SentenceTransformerError.self) { try EmbeddingBatcher(model: model, maxBatchTokens: 0) }
    }
}
