import Foundation
import STModels
import STTensor
import STTestSupport
import SentenceTransformers
import Testing

/// Broken or hostile directories of the newer model kinds (Router, SPLADE, static, ColBERT): each is a typed error
/// that names the file, never a crash or a silent wrong answer.
@Suite struct HostileModuleTests {
    typealias Hostile = HostileModelTests

    @Test(arguments: [
        (#"query_0_SparseStaticEmbedding"#, #"../../escape"#),                              // a module folder outside the model
        (#""default_route": "document""#, #""default_route": "summary""#),                 // a default route that does not exist
        (#""structure""#, #""structurez""#),                                               // no structure
        (#""document_0_Transformer","#, #""unknown_id","#),                                 // a route naming a module without a type
        (#""route_mappings": \{\}"#, #""route_mappings": {"('query', None)": "nowhere"}"#), // a mapping to a missing route
    ])
    func brokenRouterConfig(pattern: String, replacement: String) throws {
        let directory = try Hostile.edited("tiny-splade-inference-free", "router_config.json", Hostile.replacing(pattern, with: replacement))
        #expect(throws: SentenceTransformerError.self) { try SparseEncoder(directory: directory) }
    }

    @Test func spladePoolingWithUnknownStrategyOrDimension() throws {
        for (pattern, value) in [(#""max""#, #""mean""#), (#""relu""#, #""gelu""#), (#""embedding_dimension": 30522"#, #""embedding_dimension": -5"#)] {
            let directory = try Hostile.edited("tiny-splade", "1_SpladePooling/config.json", Hostile.replacing(pattern, with: value))
            #expect(throws: SentenceTransformerError.self, "\(value)") { try SparseEncoder(directory: directory) }
        }
        // A dimension that disagrees with the vocabulary is caught when the module runs, naming both.
        let directory = try Hostile.edited("tiny-splade", "1_SpladePooling/config.json", Hostile.replacing(#"30522"#, with: "30000"))
        let model = try SparseEncoder(directory: directory)
        #expect(throws: SentenceTransformerError.self) { try model.encode(["a"]) }
    }

    @Test func fillMaskTransformerWithoutItsHead() throws {
        let directory = try LoadingErrorTests.copy("tiny-splade")
        let url = directory.appendingPathComponent("model.safetensors")
        let file = try SafeTensorsFile(path: url.path)
        var tensors: [String: Tensor] = [:]
        for name in file.tensorNames where name != "cls.predictions.bias" { tensors[name] = try file.tensor(named: name) }
        try FileManager.default.removeItem(at: url)
        try SafeTensorsWriter.write(tensors, to: url.path)
        #expect(throws: ModelError.self) { try SparseEncoder(directory: directory) }
    }

    @Test func sparseStaticWeightsOfTheWrongShape() throws {
        let directory = try LoadingErrorTests.copy("tiny-splade-inference-free")
        let url = directory.appendingPathComponent("query_0_SparseStaticEmbedding/model.safetensors")
        try FileManager.default.removeItem(at: url)
        try SafeTensorsWriter.write(["weight": Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6])], to: url.path)
        #expect(throws: SentenceTransformerError.self) { try SparseEncoder(directory: directory) }
    }

    /// A table with fewer rows than the tokenizer's vocabulary: a text whose ids fall outside is an error naming the
    /// table, not a read past its end.
    @Test func staticTableSmallerThanTheVocabulary() throws {
        let directory = try LoadingErrorTests.copy("tiny-static-embedding")
        let url = directory.appendingPathComponent("model.safetensors")
        try FileManager.default.removeItem(at: url)
        try SafeTensorsWriter.write(["embedding.weight": Tensor(shape: [1000, 4], values: Array(repeating: 0.5, count: 4000))], to: url.path)
        let model = try SentenceTransformer(directory: directory)
        #expect(try model.encode(["!"]).dimension == 4)                          // id 999 is inside the 1,000 rows
        #expect(throws: SentenceTransformerError.self) { try model.encode(["zebra crossing"]) }
        #expect(throws: SentenceTransformerError.self) {
            try SentenceTransformer(directory: try Hostile.edited("tiny-static-embedding", "modules.json", Hostile.replacing("StaticEmbedding", with: "Teleporter")))
        }
    }

    @Test func colbertExpansionTokenMissingFromTheVocabulary() throws {
        let directory = try Hostile.edited("tiny-colbert", "sentence_bert_config.json", Hostile.replacing(#""token": null"#, with: #""token": "[NOPE]""#))
        #expect(throws: SentenceTransformerError.self) { try MultiVectorEncoder(directory: directory) }
    }

    @Test func firstModuleThatCannotTokenize() throws {
        let directory = try Hostile.edited("tiny-splade", "modules.json", { text in
            text.replacingOccurrences(of: "mlm_transformer.MLMTransformer", with: "TEMP")
                .replacingOccurrences(of: "splade_pooling.SpladePooling", with: "mlm_transformer.MLMTransformer")
                .replacingOccurrences(of: "TEMP", with: "splade_pooling.SpladePooling")
        })
        #expect(throws: (any Error).self) { try SparseEncoder(directory: directory) }
    }

    @Test func corruptSparseStorageInAnIndex() throws {
        var index = VectorIndex(dimension: 2, sparseDimension: 10)
        try index.add([IndexDocument(id: "a", text: "a")], embeddings: Embeddings(rows: [[1, 0]]),
                      sparseEmbeddings: [try SparseVector(indices: [3], values: [1], dimension: 10)])
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sparse-corrupt-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try index.save(to: folder)
        let version = try String(contentsOf: folder.appendingPathComponent("CURRENT"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let sparse = folder.appendingPathComponent(version).appendingPathComponent("sparse.bin")
        var bytes = try Data(contentsOf: sparse)
        bytes[4] = 0xFF  // the index of the entry: now past the dimension (and the checksum no longer matches)
        try bytes.write(to: sparse)
        #expect(throws: IndexError.self) { try VectorIndex(contentsOf: folder) }
    }
}
