import Foundation
import STTestSupport
import Testing

/// The `sbert` executable run as a user runs it: arguments, standard input and output, exit status.
@Suite struct SbertProcessTests {
    struct Result {
        var status: Int32
        var standardOutput: Data
        var standardError: String
        var text: String { String(decoding: standardOutput, as: UTF8.self) }
    }

    /// `sbert` sits beside the test bundle in the build folder.
    static var executable: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("sbert")
    }

    static func run(_ arguments: [String], input: Data? = nil, environment: [String: String] = [:], directory: URL? = nil) throws -> Result {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let output = Pipe(), error = Pipe(), standardInput = Pipe()
        process.standardOutput = output
        process.standardError = error
        process.standardInput = standardInput
        try process.run()
        if let input { standardInput.fileHandleForWriting.write(input) }
        try standardInput.fileHandleForWriting.close()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, standardOutput: outputData, standardError: String(decoding: errorData, as: UTF8.self))
    }

    static func modelPath() throws -> String { try TestResources.model("all-MiniLM-L6-v2").path }

    static func rows(_ text: String) -> [[Double]] {
        text.split(separator: "\n").map { line in
            ((try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [NSNumber] ?? []).map(\.doubleValue)
        }
    }

    @Test func encodeJSONLinesOneArrayPerTextInOrder() throws {
        let result = try Self.run(["encode", "--model", try Self.modelPath(), "A man is eating food.", "", "A man is riding a horse."])
        #expect(result.status == 0, "\(result.standardError)")
        let rows = Self.rows(result.text)
        #expect(rows.count == 3 && rows.allSatisfy { $0.count == 384 })
        // The empty text's vector from the Python reference (encode.jsonl row 0), first values.
        #expect(abs(rows[1][0] - -0.1188384) < 1e-5 && abs(rows[1][1] - 0.048298758) < 1e-5)
        let norms = rows.map { $0.reduce(0) { $0 + $1 * $1 }.squareRoot() }
        #expect(norms.allSatisfy { abs($0 - 1) < 1e-5 })
    }

    @Test func defaultModelComesFromTheHuggingFaceCache() throws {
        let result = try Self.run(["encode", "hello world"])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(Self.rows(result.text).first?.count == 384)
    }

    @Test func linesFromStandardInputAndTheOtherFormats() throws {
        let model = try Self.modelPath()
        let input = Data("first line\r\nsecond line\n".utf8)
        let jsonl = try Self.run(["encode", "--model", model], input: input)
        #expect(jsonl.status == 0 && Self.rows(jsonl.text).count == 2)
        let json = try Self.run(["encode", "--model", model, "--format", "json", "--normalize", "--truncate-dim", "8"], input: input)
        let matrix = try JSONSerialization.jsonObject(with: json.standardOutput) as? [[NSNumber]]
        #expect(matrix?.count == 2 && matrix?[0].count == 8)
        let csv = try Self.run(["encode", "--model", model, "--format", "csv"], input: input)
        #expect(csv.text.split(separator: "\n").map { $0.split(separator: ",").count } == [384, 384])
        let npyPath = FileManager.default.temporaryDirectory.appendingPathComponent("out-\(UUID()).npy").path
        let npy = try Self.run(["encode", "--model", model, "--format", "npy", "--output", npyPath], input: input)
        #expect(npy.status == 0, "\(npy.standardError)")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: npyPath))
        #expect(bytes.prefix(6) == Data([0x93] + Array("NUMPY".utf8)))
        let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        #expect((10 + headerLength) % 64 == 0 && bytes.count == 10 + headerLength + 2 * 384 * 4)
        #expect(String(decoding: bytes[10..<(10 + headerLength)], as: UTF8.self).contains("'shape': (2, 384)"))
    }

    @Test func invalidUTF8NamesTheLine() throws {
        let result = try Self.run(["encode", "--model", try Self.modelPath()], input: Data("fine\n\u{00}ok\n".utf8) + Data([0x66, 0xFF, 0x0A]))
        #expect(result.status != 0)
        #expect(result.standardError.contains("line 3") && result.standardError.contains("UTF-8"), "\(result.standardError)")
        #expect(result.standardOutput.isEmpty)
    }

    @Test func similarityMatrix() throws {
        let result = try Self.run(["similarity", "--model", try Self.modelPath(), "--format", "json",
                                   "A man is eating food.", "A man is eating a piece of bread.", "The girl is carrying a baby."])
        #expect(result.status == 0, "\(result.standardError)")
        let matrix = (try JSONSerialization.jsonObject(with: result.standardOutput) as? [[NSNumber]] ?? []).map { $0.map(\.doubleValue) }
        #expect(matrix.count == 3 && abs(matrix[0][0] - 1) < 1e-5 && matrix[0][1] > matrix[0][2])
        let table = try Self.run(["similarity", "--model", try Self.modelPath(), "a cat", "a dog"])
        #expect(table.status == 0 && table.text.contains("1.0000") && table.text.contains("a dog"))
    }

    @Test func infoSummarizesTheModel() throws {
        let result = try Self.run(["info", "--model", try Self.modelPath(), "--format", "json"])
        #expect(result.status == 0, "\(result.standardError)")
        let info = try JSONSerialization.jsonObject(with: result.standardOutput) as? [String: Any]
        #expect(info?["embedding_dimension"] as? Int == 384)
        #expect(info?["max_seq_length"] as? Int == 256)
        #expect(info?["architecture"] as? String == "BertModel")
        #expect((info?["modules"] as? [String])?.count == 3)
    }

    @Test func badArgumentsAndMissingModelsAreCleanErrors() throws {
        let zero = try Self.run(["encode", "--batch-size", "0", "x"])
        #expect(zero.status != 0 && zero.standardError.contains("--batch-size must be positive"))
        let missing = try Self.run(["encode", "--model", "nobody/no-such-model", "x"], environment: ["HF_HUB_OFFLINE": "1"])
        #expect(missing.status != 0 && missing.standardError.contains("nobody/no-such-model") && missing.standardError.contains("HF_HUB_OFFLINE"),
                "\(missing.standardError)")
        let notAModel = try Self.run(["encode", "--model", "/no/such/directory", "x"])
        #expect(notAModel.status != 0 && notAModel.standardError.contains("/no/such/directory"), "\(notAModel.standardError)")
        let one = try Self.run(["similarity", "only one"])
        #expect(one.status != 0 && one.standardError.contains("at least two"))
        let unreadable = try Self.run(["encode", "--input", "/nonexistent/file.txt"])
        #expect(unreadable.status != 0 && unreadable.standardError.contains("/nonexistent/file.txt"))
    }

    @Test func helpListsTheCommands() throws {
        let help = try Self.run(["--help"])
        for command in ["encode", "similarity", "info", "bench"] { #expect(help.text.contains(command)) }
    }
}

@Suite struct SbertTokenizeTests {
    @Test func jsonLinesMatchTheFixtureConventions() throws {
        let tokenizer = TestResources.fixture("tokenizers/roberta-bpe/tokenizer.json").path
        let result = try SbertProcessTests.run(["tokenize", "--tokenizer", tokenizer, "--format", "json", "hello    <mask>", "   "])
        #expect(result.status == 0, "\(result.standardError)")
        let lines = result.text.split(separator: "\n").map { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(lines.count == 2)
        let offsets = (lines[0]?["offsets"] as? [[Int]]) ?? []
        #expect(offsets.last == [0, 0] && offsets.dropLast().last == [9, 15], "\(offsets)")  // <mask> trimmed to [9, 15]
        #expect((lines[1]?["offsets"] as? [[Int]])?.dropFirst().prefix(3).map { $0 } == [[1, 1], [2, 2], [3, 3]])
        #expect((lines[0]?["tokens"] as? [String])?.first == "<s>")
    }

    @Test func maxLengthPairsAndTheDefaultModel() throws {
        let truncated = try SbertProcessTests.run(["tokenize", "--format", "json", "--max-length", "5", "--pair", "b c d e", "a x y z"])
        #expect(truncated.status == 0, "\(truncated.standardError)")
        let object = try JSONSerialization.jsonObject(with: Data(truncated.text.utf8)) as? [String: Any]
        #expect((object?["input_ids"] as? [Int])?.count == 5)
        let text = try SbertProcessTests.run(["tokenize", "Hello world!"])
        #expect(text.status == 0 && text.text.contains("hello") && text.text.contains("[CLS]"))
        let bad = try SbertProcessTests.run(["tokenize", "--tokenizer", "/nonexistent/tokenizer.json", "x"])
        #expect(bad.status != 0 && bad.standardError.contains("/nonexistent/tokenizer.json"))
    }
}

@Suite struct SbertRerankTests {
    @Test func rankingAsJSON() throws {
        let model = try TestResources.model("cross-encoder-stsb-MiniLM-L6").path
        let result = try SbertProcessTests.run(["rerank", "--model", model, "--format", "json", "How do you do that?",
                                                "A small bird perches on the feeder.", "How to do that?", "People are cleaning."])
        #expect(result.status == 0, "\(result.standardError)")
        let ranking = try JSONSerialization.jsonObject(with: result.standardOutput) as? [[String: Any]] ?? []
        #expect(ranking.count == 3)
        #expect((ranking.first?["corpus_id"] as? Int) == 1 && (ranking.first?["text"] as? String) == "How to do that?")
        let scores = ranking.compactMap { ($0["score"] as? NSNumber)?.doubleValue }
        #expect(scores == scores.sorted(by: >) && scores.allSatisfy { $0 > 0 && $0 < 1 })
    }
}

@Suite struct SbertIndexAndEvalTests {
    @Test func buildAddSearchAndInfo() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cli-index-\(UUID())").path
        let documents = FileManager.default.temporaryDirectory.appendingPathComponent("docs-\(UUID()).jsonl")
        try """
            {"id": "a", "text": "A man is eating food.", "metadata": {"source": "test"}}
            {"id": "b", "text": "A woman is playing the violin."}
            {"id": "c", "text": "A cheetah is running behind its prey."}
            """.write(to: documents, atomically: true, encoding: .utf8)
        let build = try SbertProcessTests.run(["index", "build", "--model", try TestResources.model("all-MiniLM-L6-v2").path,
                                               "--input", documents.path, "--out", directory, "--kind", "hnsw"])
        #expect(build.status == 0, "\(build.standardError)")
        let more = FileManager.default.temporaryDirectory.appendingPathComponent("more-\(UUID()).txt")
        try "Someone is slicing a tomato.\n".write(to: more, atomically: true, encoding: .utf8)
        let add = try SbertProcessTests.run(["index", "add", "--index", directory, "--input", more.path])
        #expect(add.status == 0, "\(add.standardError)")
        let search = try SbertProcessTests.run(["search", "--index", directory, "--format", "json", "--top-k", "2", "a person eats a meal"])
        #expect(search.status == 0, "\(search.standardError)")
        let hits = try JSONSerialization.jsonObject(with: search.standardOutput) as? [[String: Any]] ?? []
        #expect(hits.count == 2 && hits.first?["id"] as? String == "a" && (hits.first?["metadata"] as? [String: String])?["source"] == "test")
        let reranked = try SbertProcessTests.run(["search", "--index", directory, "--format", "json", "--rerank-with",
                                                  try TestResources.model("cross-encoder-stsb-MiniLM-L6").path, "a person eats a meal"])
        let rerankedHits = try JSONSerialization.jsonObject(with: reranked.standardOutput) as? [[String: Any]]
        #expect(reranked.status == 0 && rerankedHits?.first?["id"] as? String == "a")
        let info = try SbertProcessTests.run(["index", "info", "--index", directory])
        #expect(info.status == 0 && info.text.contains("documents        4") && info.text.contains("hnsw"), "\(info.text)")
        let wrong = try SbertProcessTests.run(["search", "--index", "/nonexistent/index", "x"])
        #expect(wrong.status != 0 && wrong.standardError.contains("not an index"))
        // A second .txt file continues the numbering (ids "0" and "1" here: the index holds "a", "b", "c" and "0").
        let again = try SbertProcessTests.run(["index", "add", "--index", directory, "--input", more.path])
        #expect(again.status == 0 && again.standardError.contains("now holds 5"), "\(again.standardError)")
        // A line without its text is refused rather than indexed empty; so is a file where the index should go.
        let textless = FileManager.default.temporaryDirectory.appendingPathComponent("textless-\(UUID()).jsonl")
        try #"{"id": "q", "body": "hello"}"#.write(to: textless, atomically: true, encoding: .utf8)
        let refused = try SbertProcessTests.run(["index", "add", "--index", directory, "--input", textless.path])
        #expect(refused.status != 0 && refused.standardError.contains("line 1: no \"text\" string"), "\(refused.standardError)")
        let onFile = try SbertProcessTests.run(["index", "build", "--model", try TestResources.model("all-MiniLM-L6-v2").path,
                                                "--input", more.path, "--out", more.path])
        #expect(onFile.status != 0 && onFile.standardError.contains("it is a file, not a directory"), "\(onFile.standardError)")
        let huge = try SbertProcessTests.run(["search", "--index", directory, "--top-k", "99999999999", "x"])
        #expect(huge.status == 0, "\(huge.standardError)")
    }

    @Test func evalPrintsPythonKeysAndDrawsPlots() throws {
        let pairs = FileManager.default.temporaryDirectory.appendingPathComponent("pairs-\(UUID()).tsv")
        try """
            sentence1\tsentence2\tlabel
            A man is eating.\tA man eats something.\t1
            A man is eating.\tA plane is taking off.\t0
            A woman plays guitar.\tA lady is playing a guitar.\t1
            Kids play in the park.\tThe stock market fell.\t0
            """.write(to: pairs, atomically: true, encoding: .utf8)
        let png = FileManager.default.temporaryDirectory.appendingPathComponent("pr-\(UUID()).png").path
        let binary = try SbertProcessTests.run(["eval", "binary", "--data", pairs.path, "--format", "json", "--plot", png])
        #expect(binary.status == 0, "\(binary.standardError)")
        let metrics = try JSONSerialization.jsonObject(with: binary.standardOutput) as? [String: Double] ?? [:]
        #expect(metrics["cosine_accuracy"] == 1 && metrics["cosine_ap"] == 1 && metrics["cosine_f1"] == 1)
        #expect(try Data(contentsOf: URL(fileURLWithPath: png)).prefix(4) == Data([0x89, 0x50, 0x4E, 0x47]))
        let svg = FileManager.default.temporaryDirectory.appendingPathComponent("sts-\(UUID()).svg").path
        let sts = try SbertProcessTests.run(["eval", "sts", "--data", TestResources.fixture("data/stsbenchmark/sts-dev.csv").path, "--plot", svg])
        #expect(sts.status == 0 && sts.text.contains("spearman_cosine"), "\(sts.standardError)")
        #expect(try String(contentsOfFile: svg, encoding: .utf8).contains("<svg"))
        let bad = try SbertProcessTests.run(["eval", "sts", "--data", pairs.path])
        #expect(bad.status != 0 && bad.standardError.contains(pairs.path), "\(bad.standardError)")
    }
}

/// The CLI with the other model kinds: sparse and multi-vector `encode`, a hybrid index.
@Suite struct SbertModelKindsTests {
    @Test func sparseAndMultiVectorEncode() throws {
        let splade = try TestResources.model("tiny-splade").path
        // The golden of sentence-transformers 6.2 for this text (Tests/Fixtures/tiny-splade), cut to its 4 largest entries.
        let rows = try TestResources.jsonLines(TestResources.fixture("tiny-splade/encode.jsonl"))
        let row = try #require(rows.first { $0["label"] as? String == "real_en_test_29" })
        let text = try #require(row["text"] as? String)
        let golden = ((row["embedding"] as? [[NSNumber]]) ?? []).map { (index: $0[0].intValue, value: $0[1].floatValue) }
        let top4 = golden.sorted { $0.value > $1.value }.prefix(4).sorted { $0.index < $1.index }
        let sparse = try SbertProcessTests.run(["encode", "--model", splade, "--max-active-dims", "4", "--decode", text, "hello"])
        #expect(sparse.status == 0, "\(sparse.standardError)")
        let lines = sparse.text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(lines.count == 2)
        #expect((lines.first?["indices"] as? [Int]) == top4.map(\.index) && (lines.first?["tokens"] as? [String])?.count == 4)
        let values = ((lines.first?["values"] as? [NSNumber]) ?? []).map(\.floatValue)
        #expect(values.count == 4 && zip(values, top4.map(\.value)).allSatisfy { abs($0 - $1) <= 1e-5 })
        let colbert = try SbertProcessTests.run(["encode", "--model", try TestResources.model("tiny-colbert").path, "--task", "query", "hi"])
        let matrix = try JSONSerialization.jsonObject(with: colbert.standardOutput) as? [[NSNumber]]
        #expect(colbert.status == 0 && matrix?.count == 32 && matrix?.first?.count == 32)
        let npy = try SbertProcessTests.run(["encode", "--model", splade, "--format", "npy", "--output", "/tmp/never.npy", "hi"])
        #expect(npy.status != 0 && npy.standardError.contains("JSON lines"))
    }

    @Test func hybridIndexBuildAndSearch() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cli-hybrid-\(UUID())").path
        let documents = FileManager.default.temporaryDirectory.appendingPathComponent("docs-\(UUID()).jsonl")
        try """
            {"id": "a", "text": "A man is eating food."}
            {"id": "b", "text": "A woman is playing the violin."}
            {"id": "c", "text": "A cheetah is running behind its prey."}
            """.write(to: documents, atomically: true, encoding: .utf8)
        let build = try SbertProcessTests.run(["index", "build", "--model", try TestResources.model("all-MiniLM-L6-v2").path, "--sparse-model",
                                               try TestResources.model("tiny-splade-inference-free").path, "--input", documents.path, "--out", directory])
        #expect(build.status == 0, "\(build.standardError)")
        for fusion in ["rrf", "weighted"] {
            let search = try SbertProcessTests.run(["search", "--index", directory, "--hybrid", "--fusion", fusion, "--format", "json", "--top-k", "3",
                                                    "the violin player"])
            #expect(search.status == 0, "\(search.standardError)")
            let hits = try JSONSerialization.jsonObject(with: search.standardOutput) as? [[String: Any]] ?? []
            #expect(Set(hits.compactMap { $0["id"] as? String }) == ["a", "b", "c"], "\(fusion)")
        }
        let info = try SbertProcessTests.run(["index", "info", "--index", directory])
        #expect(info.text.contains("sparse           30522"))
        let plain = try SbertProcessTests.run(["index", "build", "--model", try TestResources.model("all-MiniLM-L6-v2").path, "--input", documents.path,
                                               "--out", directory + "-plain"])
        #expect(plain.status == 0)
        let refused = try SbertProcessTests.run(["search", "--index", directory + "-plain", "--hybrid", "x"])
        #expect(refused.status != 0 && refused.standardError.contains("--sparse-model"))
    }
}

/// `sbert bench` shows only what its run measured unless a baseline is named, and finds its corpora from anywhere.
@Suite struct BenchHonestyTests {
    static func bench(_ arguments: [String], directory: URL, environment: [String: String] = [:]) throws -> SbertProcessTests.Result {
        try SbertProcessTests.run(["bench", "--runs", "1", "--latency-calls", "5", "--format", "table"] + arguments, environment: environment,
                                  directory: directory)
    }

    @Test func onlyThisRunsFiguresUnlessABaselineIsNamed() throws {
        let tiny = try TestResources.model("tiny-bert-legacy-pooling").path
        // From a directory outside the repository: the corpora are found beside the package.
        let plain = try Self.bench(["--model", tiny], directory: FileManager.default.temporaryDirectory)
        #expect(plain.status == 0, "\(plain.standardError)")
        #expect(plain.text.contains("| measure | ours (fp32) |") && !plain.text.contains("PyTorch"), "\(plain.text)")
        let baseline = TestResources.packageRoot.deletingLastPathComponent().appendingPathComponent("shared/bench/baseline.json")
        if FileManager.default.fileExists(atPath: baseline.path) {
            // A baseline of another model is refused rather than compared.
            let other = try Self.bench(["--model", tiny, "--baseline", baseline.path], directory: FileManager.default.temporaryDirectory)
            #expect(other.status != 0 && other.standardError.contains("all-MiniLM-L6-v2"), "\(other.standardError)")
        }
        let missing = try Self.bench(["--model", tiny], directory: FileManager.default.temporaryDirectory, environment: ["SBERT_BENCH_DIR": "/nonexistent"])
        #expect(missing.status != 0 && missing.standardError.contains("SBERT_BENCH_DIR"), "\(missing.standardError)")
    }
}
