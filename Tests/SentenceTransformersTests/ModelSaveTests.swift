import Foundation
import STTensor
import STTestSupport
import SentenceTransformers
import Testing

/// Models written by this library's `save(to:)` load back in it with identical outputs, for every model kind.
@Suite struct ModelSaveTests {
    static let texts = ["A man is playing a guitar.", "", "Ein Mann spielt Gitarre!", "The naïve résumé, written in 2021."]

    static func temporary(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("save-\(name)-\(UUID().uuidString)")
    }

    @Test(arguments: ["tiny-static-embedding", "tiny-router-asym", "tiny-xlm-roberta-cls-dense"])
    func denseKindsRoundTrip(_ name: String) throws {
        let model = try SentenceTransformer(directory: try TestResources.model(name))
        let folder = Self.temporary(name)
        defer { try? FileManager.default.removeItem(at: folder) }
        try model.save(to: folder)
        let loaded = try SentenceTransformer(directory: folder)
        #expect(try loaded.encode(Self.texts) == (try model.encode(Self.texts)))
        #expect(try loaded.encodeQuery(Self.texts) == (try model.encodeQuery(Self.texts)))
        #expect(loaded.pipeline.modules.map(\.summary) == model.pipeline.modules.map(\.summary))
        // Saving over an existing model replaces it whole.
        try loaded.save(to: folder)
        #expect(try SentenceTransformer(directory: folder).encode(Self.texts) == (try model.encode(Self.texts)))
    }

    @Test(arguments: ["tiny-splade", "tiny-splade-inference-free"])
    func sparseRoundTrip(_ name: String) throws {
        let model = try SparseEncoder(directory: try TestResources.model(name))
        let folder = Self.temporary(name)
        defer { try? FileManager.default.removeItem(at: folder) }
        try model.save(to: folder)
        let loaded = try SparseEncoder(directory: folder)
        #expect(try loaded.encodeQuery(Self.texts) == (try model.encodeQuery(Self.texts)))
        #expect(try loaded.encodeDocument(Self.texts) == (try model.encodeDocument(Self.texts)))
        #expect(loaded.similarityFunction == .dot)
    }

    @Test func multiVectorRoundTrip() throws {
        let model = try MultiVectorEncoder(directory: try TestResources.model("tiny-colbert"))
        let folder = Self.temporary("colbert")
        defer { try? FileManager.default.removeItem(at: folder) }
        try model.save(to: folder)
        let loaded = try MultiVectorEncoder(directory: folder)
        #expect(try loaded.encodeQuery(Self.texts) == (try model.encodeQuery(Self.texts)))
        #expect(try loaded.encodeDocument(Self.texts) == (try model.encodeDocument(Self.texts)))
    }

    /// Each kind refuses to load as another, with an error that names the right class.
    @Test func kindsAreChecked() throws {
        #expect(throws: SentenceTransformerError.self) { try SentenceTransformer(directory: try TestResources.model("tiny-splade")) }
        #expect(throws: SentenceTransformerError.self) { try SentenceTransformer(directory: try TestResources.model("tiny-colbert")) }
        #expect(throws: SentenceTransformerError.self) { try SparseEncoder(directory: try TestResources.model("tiny-router-asym")) }
        #expect(throws: SentenceTransformerError.self) { try MultiVectorEncoder(directory: try TestResources.model("all-MiniLM-L6-v2")) }
    }
}

/// A model2vec directory (no `modules.json`: `model.safetensors` with `embeddings`, `tokenizer.json`, model2vec's
/// `config.json`) loads as StaticEmbedding (+ Normalize when the config says so, as model2vec's `encode`).
@Suite struct Model2VecDirectoryTests {
    @Test(arguments: [true, false]) func loadsAsStaticEmbedding(normalize: Bool) throws {
        let source = try TestResources.model("tiny-static-embedding")
        let reference = try SentenceTransformer(directory: source)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("model2vec-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: source.appendingPathComponent("tokenizer.json"), to: folder.appendingPathComponent("tokenizer.json"))
        let table = try SafeTensorsFile(path: source.appendingPathComponent("model.safetensors").path).tensor(named: "embedding.weight")
        try SafeTensorsWriter.write(["embeddings": table], to: folder.appendingPathComponent("model.safetensors").path)
        try Data(#"{"model_type": "model2vec", "architectures": ["StaticModel"], "normalize": \#(normalize), "hidden_dim": 32}"#.utf8)
            .write(to: folder.appendingPathComponent("config.json"))
        let model = try SentenceTransformer(directory: folder)
        let texts = ["A man is playing a guitar.", "hello world"]
        #expect(try model.encode(texts) == (try reference.encode(texts, normalize: normalize)))
    }
}
