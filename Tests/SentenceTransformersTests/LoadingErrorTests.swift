import Foundation
import STModels
import STTensor
import STTestSupport
import SentenceTransformers
import Testing

/// Broken or unusual model directories: each gives a typed error that names the file, or loads as Python would.
@Suite struct LoadingErrorTests {
    /// A writable copy of a test model, to break.
    static func copy(_ name: String) throws -> URL {
        let target = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: try TestResources.model(name), to: target)
        return target
    }

    static func write(_ text: String, to url: URL) throws {
        try? FileManager.default.removeItem(at: url)
        try Data(text.utf8).write(to: url)
    }

    @Test func truncatedWeightsNameTheFile() throws {
        let directory = try Self.copy("tiny-bert-legacy-pooling")
        let weights = directory.appendingPathComponent("model.safetensors")
        let data = try Data(contentsOf: weights)
        try? FileManager.default.removeItem(at: weights)
        try data.prefix(data.count / 2).write(to: weights)
        do {
            _ = try SentenceTransformer(directory: directory)
            Issue.record("a truncated model.safetensors loaded")
        } catch let error as SafeTensorsError {
            guard case let .truncated(file, _) = error else { Issue.record("\(error)"); return }
            #expect(file == weights.path)
        }
    }

    @Test func unknownModuleType() throws {
        let directory = try Self.copy("tiny-bert-legacy-pooling")
        try Self.write(#"[{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"}, {"idx": 1, "name": "1", "path": "1_Pooling", "type": "my_package.Whitening"}]"#,
                       to: directory.appendingPathComponent("modules.json"))
        #expect(throws: SentenceTransformerError.unsupportedModule(type: "my_package.Whitening", path: directory.appendingPathComponent("modules.json").path)) {
            try SentenceTransformer(directory: directory)
        }
    }

    @Test func unsupportedArchitectureListsTheSupportedOnes() throws {
        let directory = try Self.copy("tiny-bert-legacy-pooling")
        try Self.write(#"{"model_type": "gpt2", "architectures": ["GPT2Model"]}"#, to: directory.appendingPathComponent("config.json"))
        #expect(throws: ModelError.unsupportedArchitecture(modelType: "gpt2", supported: Architectures.supported)) {
            try SentenceTransformer(directory: directory)
        }
    }

    @Test func configThatDoesNotMatchTheWeights() throws {
        let directory = try Self.copy("tiny-bert-legacy-pooling")
        let configURL = directory.appendingPathComponent("config.json")
        let config = try String(contentsOf: configURL, encoding: .utf8).replacingOccurrences(of: "\"intermediate_size\": 128", with: "\"intermediate_size\": 256")
        try Self.write(config, to: configURL)
        #expect(throws: ModelError.wrongShape(key: "encoder.layer.0.intermediate.dense.weight", file: directory.appendingPathComponent("model.safetensors").path,
                                              expected: [256, 64], actual: [128, 64])) {
            try SentenceTransformer(directory: directory)
        }
    }

    @Test func pickleWeightsOnlyGetAnErrorThatSaysHowToConvert() throws {
        let directory = try Self.copy("tiny-bert-legacy-pooling")
        try FileManager.default.moveItem(at: directory.appendingPathComponent("model.safetensors"), to: directory.appendingPathComponent("pytorch_model.bin"))
        do {
            _ = try SentenceTransformer(directory: directory)
            Issue.record("loaded without model.safetensors")
        } catch {
            #expect("\(error)".contains("pytorch_model.bin") && "\(error)".contains("safetensors"))
        }
    }

    @Test func missingAndMalformedFiles() throws {
        let directory = try Self.copy("tiny-bert-legacy-pooling")
        try FileManager.default.removeItem(at: directory.appendingPathComponent("1_Pooling/config.json"))
        #expect(throws: SentenceTransformerError.missingFile(path: directory.appendingPathComponent("1_Pooling/config.json").path)) {
            try SentenceTransformer(directory: directory)
        }
        try Self.write("{\"pooling_mode\": 3}", to: directory.appendingPathComponent("1_Pooling/config.json"))
        #expect(throws: SentenceTransformerError.self) { try SentenceTransformer(directory: directory) }
        try Self.write("[{", to: directory.appendingPathComponent("modules.json"))
        #expect(throws: SentenceTransformerError.invalidConfig(path: directory.appendingPathComponent("modules.json").path, reason: "not valid JSON")) {
            try SentenceTransformer(directory: directory)
        }
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("empty-\(UUID())")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        #expect(throws: ModelError.self) { try SentenceTransformer(directory: empty) }
    }

    @Test func noModulesJSONMeansTransformerPlusMeanPooling() throws {
        let directory = try Self.copy("tiny-bert-legacy-pooling")
        try FileManager.default.removeItem(at: directory.appendingPathComponent("modules.json"))
        let model = try SentenceTransformer(directory: directory)
        #expect(model.embeddingDimension == 64)
        let tokens = try model.tokenEmbeddings(["a small test"])[0]
        let mean = (0..<64).map { c in (0..<tokens.count).reduce(Float(0)) { $0 + tokens[$1][c] } / Float(tokens.count) }
        let pooled = try model.encode("a small test")
        #expect(zip(pooled, mean).allSatisfy { abs($0 - $1) < 1e-5 })
    }

    @Test func modelIDsResolveThroughTheHuggingFaceCache() throws {
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("hub-\(UUID())")
        let repository = cache.appendingPathComponent("models--sentence-transformers--tiny-test")
        try FileManager.default.createDirectory(at: repository.appendingPathComponent("snapshots"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: repository.appendingPathComponent("refs"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: repository.appendingPathComponent("snapshots/abc123"), withDestinationURL: try TestResources.model("tiny-bert-legacy-pooling"))
        try Data("abc123".utf8).write(to: repository.appendingPathComponent("refs/main"))
        let environment = ["HF_HUB_CACHE": cache.path]
        #expect(try ModelLocator.resolve("tiny-test", environment: environment).lastPathComponent == "abc123")
        #expect(try ModelLocator.resolve("sentence-transformers/tiny-test", environment: environment).lastPathComponent == "abc123")
        #expect(try ModelLocator.resolve("sentence-transformers/tiny-test", revision: "abc123", environment: environment).lastPathComponent == "abc123")
        #expect(ModelLocator.hubCache(environment: ["HF_HOME": "/x"]).path == "/x/hub")
        #expect(throws: SentenceTransformerError.self) { try ModelLocator.resolve("someone/absent", environment: environment) }
        do {
            _ = try ModelLocator.resolve("someone/absent", environment: environment)
        } catch {
            #expect("\(error)".contains("models--someone--absent"))
        }
        // A name written as a path is never a model id; a file is not a model directory; an empty name is no name.
        #expect(throws: SentenceTransformerError.modelNotFound(name: "/nonexistent/model", searched: ["/nonexistent/model"])) {
            try ModelLocator.resolveOrDownload("/nonexistent/model", environment: environment)
        }
        let file = cache.appendingPathComponent("a-file")
        try Data("x".utf8).write(to: file)
        #expect(throws: SentenceTransformerError.self) { try ModelLocator.resolveOrDownload(file.path, environment: environment) }
        #expect(throws: SentenceTransformerError.invalidArgument("the model name is empty")) { try ModelLocator.resolveOrDownload("", environment: environment) }
    }

    @Test func invalidArguments() throws {
        let model = try SentenceTransformer(directory: try TestResources.model("tiny-bert-legacy-pooling"))
        #expect(throws: SentenceTransformerError.self) { try model.encode(["a"], batchSize: 0) }
        #expect(throws: SentenceTransformerError.self) { try model.encode(["a"], truncateDim: 0) }
        #expect(try model.encode([]).isEmpty)
        #expect(try model.encode(["a"], truncateDim: 16).dimension == 16)
        let normalized = try model.encode(["a", "b"], normalize: true, truncateDim: 16)
        #expect(normalized.allSatisfy { abs($0.reduce(0) { $0 + $1 * $1 } - 1) < 1e-5 })
        let encoder = try #require(model.transformer).encoder
        #expect(throws: ModelError.self) {
            try encoder.forward(try TokenBatch([(inputIDs: [101, 999_999], tokenTypeIDs: [])]), outputHiddenStates: false)
        }
        #expect(throws: ModelError.self) {
            try encoder.forward(try TokenBatch([(inputIDs: Array(repeating: 5, count: 600), tokenTypeIDs: [])]), outputHiddenStates: false)
        }
    }
}
