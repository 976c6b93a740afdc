import Foundation
import STTestSupport
import SentenceTransformers
import Testing

/// The persistent index: every kind, edits, save and open, and every way its files can be damaged.
@Suite struct VectorIndexTests {
    static func documents(_ count: Int, offset: Int = 0) -> [IndexDocument] {
        (offset..<(offset + count)).map { IndexDocument(id: "doc-\($0)", text: "text \($0)", metadata: ["n": String($0)]) }
    }

    static func temporaryDirectory() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("index-\(UUID())")
    }

    static let kinds: [VectorIndex.Kind] = [.flat(), .flat(precision: .int8), .flat(precision: .binary), .hnsw(m: 8, efConstruction: 64, efSearch: 64)]

    @Test(arguments: 0..<4) func addSearchDeleteUpdateSaveAndOpen(kindIndex: Int) throws {
        let kind = Self.kinds[kindIndex]
        let vectors = SearchUtilityTests.random(rows: 300, dimension: 32, seed: 99)
        var index = VectorIndex(dimension: 32, kind: kind, model: "test-model")
        try index.add(Self.documents(300), embeddings: vectors)
        #expect(index.count == 300)
        let hit = try index.search(vectors[17], topK: 3)
        #expect(hit.first?.document.id == "doc-17" && hit.first?.document.metadata == ["n": "17"], "\(kind)")
        try index.delete(id: "doc-17")
        #expect(try index.search(vectors[17], topK: 3).allSatisfy { $0.document.id != "doc-17" })
        try index.update(IndexDocument(id: "doc-5", text: "changed"), embedding: vectors[200])
        #expect(index.document(id: "doc-5")?.text == "changed")
        #expect(throws: IndexError.dimensionMismatch(expected: 32, actual: 3)) { try index.add(Self.documents(1, offset: 900), embeddings: Embeddings(rows: [[1, 2, 3]])) }
        #expect(throws: IndexError.duplicateID("doc-1")) { try index.add(Self.documents(1, offset: 1), embeddings: vectors.rows(0..<1)) }
        #expect(throws: IndexError.unknownID("nope")) { try index.delete(id: "nope") }
        let directory = Self.temporaryDirectory()
        try index.save(to: directory)
        let reopened = try VectorIndex(contentsOf: directory)
        #expect(reopened == index && reopened.model == "test-model")
        #expect(try reopened.search(vectors[42], topK: 5) == index.search(vectors[42], topK: 5))
        // A second save replaces the version atomically and removes the old one.
        var grown = reopened
        try grown.add(Self.documents(10, offset: 1000), embeddings: SearchUtilityTests.random(rows: 10, dimension: 32, seed: 3))
        try grown.save(to: directory)
        #expect(try VectorIndex(contentsOf: directory).count == index.count + 10)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() == ["CURRENT", "v000002"])
        // A top-k far beyond the rows (a user's `--top-k 99999999999`) returns every row, without reserving for k.
        let everything = try grown.search(vectors[42], topK: 99_999_999_999)
        if case .flat = kind { #expect(everything.count == grown.count, "\(kind)") } else { #expect(everything.count > 0 && everything.count <= grown.count) }
        // A file where the directory should be, and a folder that cannot be written, are errors naming the path.
        let file = directory.appendingPathExtension("txt")
        try Data("x".utf8).write(to: file)
        #expect(throws: IndexError.cannotWrite(path: file.path, reason: "it is a file, not a directory")) { try index.save(to: file) }
        #expect(throws: IndexError.self) { try index.save(to: file.appendingPathComponent("inside")) }
    }

    static func savedIndex() throws -> URL {
        var index = VectorIndex(dimension: 8, kind: .hnsw(m: 4, efConstruction: 16, efSearch: 16))
        try index.add(Self.documents(50), embeddings: SearchUtilityTests.random(rows: 50, dimension: 8, seed: 5))
        let directory = Self.temporaryDirectory()
        try index.save(to: directory)
        return directory
    }

    static func versionFolder(_ directory: URL) throws -> URL {
        directory.appendingPathComponent(try String(contentsOf: directory.appendingPathComponent("CURRENT"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines))
    }

    @Test func damagedFilesAreClearErrors() throws {
        let truncated = try Self.savedIndex()
        let vectors = try Self.versionFolder(truncated).appendingPathComponent("vectors.bin")
        let data = try Data(contentsOf: vectors)
        try data.prefix(data.count - 7).write(to: vectors)
        #expect(throws: IndexError.corrupt(path: vectors.path, reason: "checksum mismatch")) { try VectorIndex(contentsOf: truncated) }

        let flipped = try Self.savedIndex()
        let documents = try Self.versionFolder(flipped).appendingPathComponent("documents.jsonl")
        var bytes = [UInt8](try Data(contentsOf: documents))
        bytes[bytes.count / 2] ^= 0x04
        try Data(bytes).write(to: documents)
        #expect(throws: IndexError.corrupt(path: documents.path, reason: "checksum mismatch")) { try VectorIndex(contentsOf: flipped) }

        let graphless = try Self.savedIndex()
        try FileManager.default.removeItem(at: try Self.versionFolder(graphless).appendingPathComponent("graph.bin"))
        #expect(throws: IndexError.self) { try VectorIndex(contentsOf: graphless) }

        let newer = try Self.savedIndex()
        let manifest = try Self.versionFolder(newer).appendingPathComponent("manifest.json")
        let text = try String(contentsOf: manifest, encoding: .utf8).replacingOccurrences(of: "\"version\":1", with: "\"version\":99")
        try text.write(to: manifest, atomically: true, encoding: .utf8)
        #expect(throws: IndexError.unsupportedVersion(path: manifest.path, version: 99)) { try VectorIndex(contentsOf: newer) }

        let foreign = Self.temporaryDirectory()
        try FileManager.default.createDirectory(at: foreign.appendingPathComponent("v000001"), withIntermediateDirectories: true)
        try "v000001".write(to: foreign.appendingPathComponent("CURRENT"), atomically: true, encoding: .utf8)
        try "{\"format\": \"faiss\"}".write(to: foreign.appendingPathComponent("v000001/manifest.json"), atomically: true, encoding: .utf8)
        #expect(throws: IndexError.notAnIndex(path: foreign.appendingPathComponent("v000001/manifest.json").path)) { try VectorIndex(contentsOf: foreign) }
        #expect(throws: IndexError.notAnIndex(path: "/nonexistent")) { try VectorIndex(contentsOf: URL(fileURLWithPath: "/nonexistent")) }
    }

    /// `sbert index add` killed at random moments (while it opens, embeds, or saves a 50 MB index) never leaves an
    /// index that does not open: it holds either the old documents or all the new ones.
    @Test func killedMidSaveKeepsThePreviousIndex() throws {
        let dimension = 64
        var index = VectorIndex(dimension: dimension, kind: .flat(), model: try TestResources.model("tiny-distilbert-weightedmean").path)
        let rows = 200_000
        try index.add((0..<rows).map { IndexDocument(id: "r\($0)", text: "") }, embeddings: SearchUtilityTests.random(rows: rows, dimension: dimension, seed: 1))
        let directory = Self.temporaryDirectory()
        try index.save(to: directory)
        let input = FileManager.default.temporaryDirectory.appendingPathComponent("add-\(UUID()).jsonl")
        try (0..<20).map { "{\"id\": \"new\($0)\", \"text\": \"sentence number \($0)\"}" }.joined(separator: "\n").write(to: input, atomically: true, encoding: .utf8)
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("sbert")
        func child() throws -> Process {
            let process = Process()
            process.executableURL = executable
            process.arguments = ["index", "add", "--index", directory.path, "--input", input.path]
            process.standardError = FileHandle.nullDevice
            try process.run()
            return process
        }
        // One undisturbed run measures how long an add takes (opening, embedding, saving); kills then land anywhere
        // in its second half, where the save happens.
        let start = Date()
        let measured = try child()
        measured.waitUntilExit()
        let duration = Date().timeIntervalSince(start)
        #expect(try VectorIndex(contentsOf: directory).count == rows + 20)
        try index.save(to: directory)
        var generator = SeededGenerator(seed: 2026)
        var outcomes = Set<Int>()
        // Ten kills with SBERT_FULL_TESTS=1, five in CI (each waits for most of an add of 200,000 rows).
        for attempt in 0..<TestScale.count(whole: 10, sample: 5) {
            let process = try child()
            usleep(UInt32(Double.random(in: (0.4 * duration)...(1.05 * duration), using: &generator) * 1_000_000))
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
            let reopened = try VectorIndex(contentsOf: directory)
            #expect([rows, rows + 20].contains(reopened.count), "attempt \(attempt): \(reopened.count) documents")
            outcomes.insert(reopened.count)
            // Put the old index back for the next attempt.
            if reopened.count == rows + 20 { try index.save(to: directory) }
        }
        print("killed index adds (an add takes \(duration) s): outcomes \(outcomes.sorted())")
    }
}
