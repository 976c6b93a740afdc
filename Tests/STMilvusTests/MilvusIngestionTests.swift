import Foundation
import SentenceTransformers
import STMilvus
import STTestSupport
import Testing

/// SciFact through `sbert index build --store milvus://…` (the `sbert` executable hands the command to
/// `sbert-milvus`), against both servers: the whole corpus once with a rerun and retrieval quality; a run killed at a
/// random moment and rerun, and two shards run at once, on the first 600 documents (a real subset: each full
/// encoding of the corpus costs about 2.5 minutes of the two cores).
@Suite(.serialized) struct MilvusIngestionTests {
    static let scifact = TestResources.fixture("data/beir-scifact")
    static var buildFolder: URL { URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent() }
    static let model = Result { try TestResources.model("all-MiniLM-L6-v2") }
    /// The documents of the killed-run and shard tests (and milvus-lite's SciFact run in CI): with
    /// `SBERT_FULL_TESTS=1` 600, four chunks of 128 and a part; in CI 200, three chunks of 64 and a part (the
    /// 600-document tests took 100 s each on a two-core Xeon, the 300-document ones 40 s).
    static let subsetSize = TestScale.count(whole: 600, sample: 200)

    struct Run {
        var status: Int32
        var standardError: String
    }

    /// Runs `executable` (in the build folder) to completion.
    static func run(_ executable: String, _ arguments: [String]) throws -> Run {
        let process = try start(executable, arguments)
        let errorData = (process.standardError as? Pipe)?.fileHandleForReading.readDataToEndOfFile() ?? Data()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, standardError: String(decoding: errorData, as: UTF8.self))
    }

    struct CapturedRun {
        var status: Int32
        var standardOutput: String
        var standardError: String
    }

    /// Runs `executable` (in the build folder) to completion, keeping both outputs (through files: no pipe fills up).
    static func runCapturing(_ executable: String, _ arguments: [String]) throws -> CapturedRun {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let outputURL = folder.appendingPathComponent("out"), errorURL = folder.appendingPathComponent("err")
        _ = FileManager.default.createFile(atPath: outputURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errorURL.path, contents: nil)
        let process = Process()
        process.executableURL = buildFolder.appendingPathComponent(executable)
        process.arguments = arguments
        process.standardOutput = try FileHandle(forWritingTo: outputURL)
        process.standardError = try FileHandle(forWritingTo: errorURL)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return CapturedRun(status: process.terminationStatus, standardOutput: try String(contentsOf: outputURL, encoding: .utf8),
                           standardError: try String(contentsOf: errorURL, encoding: .utf8))
    }

    static func start(_ executable: String, _ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = buildFolder.appendingPathComponent(executable)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = Pipe()
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return process
    }

    static func buildArguments(_ url: String, input: URL, extra: [String] = []) throws -> [String] {
        ["index", "build", "--store", url, "--input", input.path, "--model", try model.get().path] + extra
    }

    /// The first `count` documents of the corpus, in a file of their own.
    static func subset(_ count: Int) throws -> URL {
        let lines = try String(contentsOf: scifact.appendingPathComponent("corpus.jsonl"), encoding: .utf8).split(separator: "\n").prefix(count)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("scifact-\(count)-\(UUID().uuidString).jsonl")
        try (lines.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    /// Every id in the collection, with repeats (a duplicate shows as a repeat).
    static func allIDs(_ client: MilvusClient, _ collection: String) async throws -> [String] {
        let columns = try await client.query(collection: collection, filter: try .compare("id", .notEqual, .string("")), outputFields: ["id"], limit: 16_384)
        guard case let .varChar(ids)? = columns.first(where: { $0.name == "id" })?.values else { return [] }
        return ids
    }

    @Test(arguments: MilvusServerKind.allCases)
    func sciFactIngestedOnceAndSearchedAsExactSearch(_ kind: MilvusServerKind) async throws {
        let server = try await MilvusTestServer.shared(kind)
        let client = try server.client(timeout: .seconds(120))
        defer { client.close() }
        let dataset = try BEIRDataset(directory: Self.scifact)
        let collection = uniqueCollection("scifact")
        let url = server.url(collection)
        // The whole corpus with SBERT_FULL_TESTS=1 (both servers gave NDCG@10 64.51). In CI the real server takes the
        // first 1,200 documents (two ingestion chunks of 1,024) and milvus-lite `subsetSize`: the whole corpus cost
        // a two-core machine 3 minutes of encoding per server.
        let full = TestScale.full
        let sampleSize = kind == .standalone ? 1_200 : Self.subsetSize
        let corpus = full ? Self.scifact.appendingPathComponent("corpus.jsonl") : try Self.subset(sampleSize)
        let expected = full ? dataset.corpus.count : sampleSize
        defer { if !full { try? FileManager.default.removeItem(at: corpus) } }

        let first = try Self.run("sbert", try Self.buildArguments(url, input: corpus))
        #expect(first.status == 0, "\(first.standardError)")
        print("[\(kind)] \(first.standardError.split(separator: "\n").last ?? "")")
        #expect(try await client.count(collection: collection) == expected)
        let second = try Self.run("sbert-milvus", try Self.buildArguments(url, input: corpus))
        #expect(second.status == 0, "\(second.standardError)")
        #expect(second.standardError.contains("\(expected) already stored, 0 written"), "\(second.standardError)")
        #expect(try await client.count(collection: collection) == expected)
        #expect(Set(try await Self.allIDs(client, collection)).count == expected)

        // Retrieval through Milvus (HNSW, COSINE) against exact search over the same vectors, read back.
        let model = try await SentenceTransformer(directory: try Self.model.get())
        let queries = try await model.encode(dataset.queries.map(\.text))
        let store = try await MilvusVectorStore.open(client: client, collection: collection, dimension: nil)
        let hits = try await store.search(queries, topK: 10, filter: nil)
        let columns = try await client.query(collection: collection, filter: try .compare("id", .notEqual, .string("")),
                                             outputFields: ["id", "embedding"], limit: 16_384)
        guard case let .varChar(ids)? = columns.first(where: { $0.name == "id" })?.values,
              case let .floatVector(dimension, values)? = columns.first(where: { $0.name == "embedding" })?.values else {
            Issue.record("no id and embedding columns")
            return
        }
        #expect(dimension == 384 && ids.count == expected)
        let exact = try await semanticSearch(queries: queries, corpus: Embeddings(values: values, dimension: dimension), topK: 10)
        let evaluator = InformationRetrievalEvaluator(dataset: dataset)
        let milvusNDCG = try #require(evaluator.metrics(rankings: hits.map { $0.map(\.document.id) })["ndcg@10"])
        let exactNDCG = try #require(evaluator.metrics(rankings: exact.map { $0.map { ids[$0.corpusID] } })["ndcg@10"])
        var found = 0
        for (query, approximate) in hits.enumerated() {
            let wanted = Set(exact[query].map { ids[$0.corpusID] })
            found += approximate.filter { wanted.contains($0.document.id) }.count
        }
        let recall = Double(found) / Double(10 * queries.count)
        print("[\(kind)] SciFact NDCG@10 through Milvus \(milvusNDCG), exact over the stored vectors \(exactNDCG), recall@10 \(recall)")
        if full { #expect(abs(exactNDCG * 100 - 64.51) <= 0.1, "exact NDCG@10 \(exactNDCG)") }
        #expect(abs(milvusNDCG - exactNDCG) * 100 <= 0.3, "Milvus NDCG@10 \(milvusNDCG) vs exact \(exactNDCG)")
        #expect(recall >= 0.98, "recall@10 \(recall)")

        // The same rows and searches through the Python client.
        let sample = Array(stride(from: 0, to: ids.count, by: 257).map { ids[$0] })
        let sampleQueries = Array(0..<5)
        let answer = try Self.crossCheck(kind, port: server.port, collection: collection, ids: sample,
                                         queries: sampleQueries.map { queries[$0] })
        let corpusText = Dictionary(dataset.corpus.map { ($0.id, $0.text) }, uniquingKeysWith: { $1 })
        let rows = answer["rows"] as? [String: [String: Any]] ?? [:]
        #expect(rows.count == sample.count)
        for id in sample {
            let row = rows[id] ?? [:]
            #expect(row["text"] as? String == corpusText[id], "text of \(id)")
            let stored = (row["metadata"] as? [String: Any])?["title"] as? String
            if let stored { #expect(corpusText[id]?.hasPrefix(stored) ?? false, "metadata title of \(id)") }
            let position = try #require(ids.firstIndex(of: id))
            #expect(TestResources.floats(row["embedding"]) == Array(values[(position * 384)..<((position + 1) * 384)]), "embedding of \(id)")
        }
        let pythonHits = answer["hits"] as? [[String]] ?? []
        #expect(pythonHits == sampleQueries.map { hits[$0].map(\.document.id) })
        try await client.dropCollection(collection)
    }

    /// Runs Tests/Milvus/crosscheck.py (pymilvus) in the server's venv.
    static func crossCheck(_ kind: MilvusServerKind, port: Int, collection: String, ids: [String], queries: [[Float]]) throws -> [String: Any] {
        let root = TestResources.packageRoot
        let process = Process()
        process.executableURL = root.appendingPathComponent("\(kind.venv)/bin/python")
        process.arguments = [root.appendingPathComponent("Tests/Milvus/crosscheck.py").path, "--port", String(port), "--collection", collection]
        let input = Pipe(), output = Pipe(), error = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let request: [String: Any] = ["ids": ids, "queries": queries.map { $0.map(Double.init) }, "top_k": 10, "ef": 200]
        input.fileHandleForWriting.write(try JSONSerialization.data(withJSONObject: request))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let errorText = String(decoding: error.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "crosscheck.py: \(errorText)")
        return (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
    }

    @Test(arguments: MilvusServerKind.allCases)
    func killedRunRerunKeepsEveryDocumentOnce(_ kind: MilvusServerKind) async throws {
        let server = try await MilvusTestServer.shared(kind)
        let client = try server.client(timeout: .seconds(120))
        defer { client.close() }
        let input = try Self.subset(Self.subsetSize)
        defer { try? FileManager.default.removeItem(at: input) }
        let collection = uniqueCollection("killed")
        let url = server.url(collection)
        // Kill at a random moment (seeded) once the run has written its first chunk: while it encodes the next one,
        // writes it or waits for the server, with some documents stored and some not.
        var generator = SeededGenerator(seed: UInt64(ProcessInfo.processInfo.environment["SBERT_MILVUS_KILL_SEED"] ?? "") ?? 20261201)
        let process = try Self.start("sbert-milvus", try Self.buildArguments(url, input: input, extra: ["--chunk-size", TestScale.full ? "128" : "64"]))
        let watchStart = Date()
        while process.isRunning, Date().timeIntervalSince(watchStart) < 300 {
            if (try? await client.hasCollection(collection)) == true, (try? await client.count(collection: collection)) ?? 0 > 0 { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        let delay = Double.random(in: 0...8, using: &generator)
        try await Task.sleep(for: .milliseconds(Int(delay * 1000)))
        let killed = process.isRunning
        if killed { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        let before = (try? await client.hasCollection(collection)) == true ? try await client.count(collection: collection) : 0
        print("[\(kind)] killed \(String(format: "%.1f", delay)) s after the first write (\(killed ? "running" : "already done")) with \(before) documents stored")
        let rerun = try Self.run("sbert-milvus", try Self.buildArguments(url, input: input))
        #expect(rerun.status == 0, "\(rerun.standardError)")
        #expect(rerun.standardError.contains("\(Self.subsetSize) documents, \(before) already stored, \(Self.subsetSize - before) written"), "\(rerun.standardError)")
        let ids = try await Self.allIDs(client, collection)
        #expect(ids.count == Self.subsetSize && Set(ids).count == Self.subsetSize)
        #expect(try await client.count(collection: collection) == Self.subsetSize)
        try await client.dropCollection(collection)
    }

    @Test(arguments: MilvusServerKind.allCases)
    func twoShardsAtOnceFillTheCollectionOnce(_ kind: MilvusServerKind) async throws {
        let server = try await MilvusTestServer.shared(kind)
        let client = try server.client(timeout: .seconds(120))
        defer { client.close() }
        let input = try Self.subset(Self.subsetSize)
        defer { try? FileManager.default.removeItem(at: input) }
        let collection = uniqueCollection("shards")
        let url = server.url(collection)
        let shards = try (0..<2).map { try Self.start("sbert-milvus", try Self.buildArguments(url, input: input, extra: ["--shard", "\($0)/2"])) }
        var written = 0
        for shard in shards {
            let errorData = (shard.standardError as? Pipe)?.fileHandleForReading.readDataToEndOfFile() ?? Data()
            shard.waitUntilExit()
            let text = String(decoding: errorData, as: UTF8.self)
            #expect(shard.terminationStatus == 0, "\(text)")
            if let range = text.range(of: #"(\d+) written"#, options: .regularExpression) {
                written += Int(text[range].split(separator: " ")[0]) ?? 0
            }
        }
        #expect(written == Self.subsetSize)
        let ids = try await Self.allIDs(client, collection)
        #expect(ids.count == Self.subsetSize && Set(ids).count == Self.subsetSize)
        try await client.dropCollection(collection)
    }

    @Test func milvusStoresNeedSbertMilvusAndDownServersAreClearErrors() throws {
        let port = try MilvusTestServer.freePort()
        let input = try Self.subset(3)
        defer { try? FileManager.default.removeItem(at: input) }
        let down = try Self.run("sbert", try Self.buildArguments("milvus://127.0.0.1:\(port)/docs?timeout=2", input: input))
        #expect(down.status != 0)
        #expect(down.standardError.contains("gRPC unavailable") || down.standardError.contains("gRPC deadlineExceeded"), "\(down.standardError)")
        let bad = try Self.run("sbert", try Self.buildArguments("milvus://127.0.0.1:\(port)/bad-name", input: input))
        #expect(bad.status != 0)
        #expect(bad.standardError.contains("collection name"), "\(bad.standardError)")
    }
}
