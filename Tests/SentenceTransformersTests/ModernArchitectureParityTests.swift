import Foundation
import STModels
import STTensor
import STTestSupport
import SentenceTransformers
import Testing

/// ModernBERT, Qwen3 and Gemma 3 (EmbeddingGemma layout) against sentence-transformers 6.2 on seeded tiny models
/// (`shared/models/tiny-*`, whose READMEs list what each pins down): token ids, embeddings alone and in batches of
/// mixed lengths, prompts, token embeddings and every layer's hidden states. Tolerances are the fixtures' own
/// (`Tests/Fixtures/tiny-*/README.md`): embeddings |Δ| ≤ 1e-5 and cosine ≥ 0.99999, hidden states
/// |Δ| ≤ 1e-4·max(1, |x|).
@Suite struct ModernArchitectureParityTests {
    static let models = ["tiny-modernbert-mean", "tiny-qwen3-lasttoken", "tiny-gemma3-embedding"]

    static func checkEmbedding(_ actual: [Float], _ expected: [Float], _ what: String) {
        #expect(actual.count == expected.count, "\(what): \(actual.count) values, expected \(expected.count)")
        let worst = ParityChecks.maxDifference(actual, expected)
        #expect(worst <= 1e-5, "\(what): max |Δ| \(worst)")
        #expect(ParityChecks.cosine(actual, expected) >= 0.99999, "\(what): cosine")
    }

    @Test(arguments: models) func tokenIDs(_ name: String) throws {
        let model = try SentenceTransformer(directory: try TestResources.model(name))
        let rows = try TestResources.jsonLines(TestResources.fixture("\(name)/tokenize.jsonl"))
        #expect(rows.count == 65)
        for row in rows {
            #expect(try model.tokenize(row["text"] as? String ?? "").ids == TestResources.ints(row["input_ids"]),
                    "\(name) row \(row["id"] ?? "?") \(row["label"] ?? "")")
        }
    }

    /// Each text alone, then all 65 in batches of 16 (texts longer than the sliding window and than max_seq_length
    /// among them): both equal Python's.
    @Test(arguments: models) func embeddingsAloneAndInMixedBatches(_ name: String) throws {
        let model = try SentenceTransformer(directory: try TestResources.model(name))
        let rows = try TestResources.jsonLines(TestResources.fixture("\(name)/encode.jsonl"))
        let texts = rows.map { $0["text"] as? String ?? "" }
        var alone: [[Float]] = []
        for row in rows {
            let embedding = try model.encode(row["text"] as? String ?? "")
            Self.checkEmbedding(embedding, TestResources.floats(row["embedding_single"]), "\(name) row \(row["id"] ?? "?") alone")
            alone.append(embedding)
        }
        let batched = try model.encode(texts, batchSize: 16)
        for (index, row) in rows.enumerated() {
            Self.checkEmbedding(batched[index], TestResources.floats(row["embedding"]), "\(name) row \(index) in a batch")
            #expect(ParityChecks.maxDifference(batched[index], alone[index]) <= 1e-6, "\(name) row \(index): batch ≠ alone")
        }
    }

    @Test(arguments: ["tiny-qwen3-lasttoken", "tiny-gemma3-embedding"]) func prompts(_ name: String) throws {
        let model = try SentenceTransformer(directory: try TestResources.model(name))
        let rows = try TestResources.jsonLines(TestResources.fixture("\(name)/encode_prompts.jsonl"))
        #expect(rows.count == 16)
        for promptName in ["query", "document"] {
            let selected = rows.filter { $0["prompt_name"] as? String == promptName }
            let texts = selected.map { $0["text"] as? String ?? "" }
            let batched = try model.encode(texts, batchSize: 16, promptName: promptName)
            for (index, row) in selected.enumerated() {
                let prompt = row["prompt"] as? String ?? ""
                #expect(try model.tokenize(prompt + texts[index]).ids == TestResources.ints(row["input_ids"]), "\(name) \(promptName) ids")
                Self.checkEmbedding(try model.encode(texts[index], promptName: promptName), TestResources.floats(row["embedding_single"]),
                                    "\(name) \(promptName) row \(row["id"] ?? "?") alone")
                Self.checkEmbedding(batched[index], TestResources.floats(row["embedding"]), "\(name) \(promptName) row \(row["id"] ?? "?") batched")
            }
        }
    }

    @Test(arguments: models) func tokenEmbeddings(_ name: String) throws {
        let model = try SentenceTransformer(directory: try TestResources.model(name))
        for row in try TestResources.jsonLines(TestResources.fixture("\(name)/token_embeddings.jsonl")) {
            let expected = ParityChecks.matrix(row["token_embeddings"])
            let actual = try model.tokenEmbeddings([row["text"] as? String ?? ""])[0].values
            #expect(actual.count == expected.count)
            #expect(ParityChecks.maxScaledDifference(actual, expected) <= 1e-4, "\(name) token embeddings")
        }
    }

    /// Every layer's output: the embeddings (normalized, scaled or raw, as each architecture has them), each layer,
    /// and the final norm in place of the last layer's output, as transformers 5 reports them.
    @Test(arguments: models) func hiddenStatesLayerByLayer(_ name: String) throws {
        let directory = try TestResources.model(name)
        let encoder = try Architectures.loadEncoder(from: directory)
        let data = try Data(contentsOf: TestResources.fixture("\(name)/hidden_states.json"))
        let fixture = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let texts = try #require(fixture["texts"] as? [[String: Any]])
        #expect(texts.count == 2)
        for text in texts {
            let ids = TestResources.ints(text["input_ids"])
            let output = try encoder.forward(try TokenBatch([(inputIDs: ids, tokenTypeIDs: [])]), outputHiddenStates: true)
            let layers = try #require(text["hidden_states"] as? [Any])
            #expect(output.hiddenStates.count == layers.count, "\(name): \(output.hiddenStates.count) hidden states")
            for (index, layer) in layers.enumerated() where index < output.hiddenStates.count {
                let worst = ParityChecks.maxScaledDifference(output.hiddenStates[index], ParityChecks.matrix(layer))
                #expect(worst <= 1e-4, "\(name) \(ids.count) tokens, hidden state \(index): max scaled |Δ| \(worst)")
            }
        }
    }
}

/// Checkpoints as the Hub ships large models: shards listed by `model.safetensors.index.json`.
@Suite struct ShardedCheckpointTests {
    /// tiny-qwen3-lasttoken with its weights split over two shards and an index.
    static func shardedCopy() throws -> URL {
        let source = try TestResources.model("tiny-qwen3-lasttoken").resolvingSymlinksInPath()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sharded-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: source, to: directory)
        let weights = directory.appendingPathComponent("model.safetensors")
        let file = try SafeTensorsFile(path: weights.path)
        var shards: [[String: Tensor]] = [[:], [:]]
        var weightMap: [String: String] = [:]
        for (index, name) in file.tensorNames.enumerated() {
            shards[index % 2][name] = try file.tensor(named: name)
            weightMap[name] = "model-0000\(index % 2 + 1)-of-00002.safetensors"
        }
        for (index, shard) in shards.enumerated() {
            try SafeTensorsWriter.write(shard, to: directory.appendingPathComponent("model-0000\(index + 1)-of-00002.safetensors").path)
        }
        try FileManager.default.removeItem(at: weights)
        try JSONSerialization.data(withJSONObject: ["metadata": ["total_size": 0], "weight_map": weightMap])
            .write(to: directory.appendingPathComponent("model.safetensors.index.json"))
        return directory
    }

    @Test func shardsLoadWithTheSameVectors() throws {
        let sharded = try Self.shardedCopy()
        defer { try? FileManager.default.removeItem(at: sharded) }
        let texts = ["A man is playing a guitar.", "", "Stocks closed higher on Friday."]
        let expected = try SentenceTransformer(directory: try TestResources.model("tiny-qwen3-lasttoken")).encode(texts)
        let actual = try SentenceTransformer(directory: sharded).encode(texts)
        for (a, b) in zip(actual, expected) { #expect(a == b) }
    }

    @Test func shardOutsideTheDirectoryIsRefused() throws {
        let sharded = try Self.shardedCopy()
        defer { try? FileManager.default.removeItem(at: sharded) }
        let index = sharded.appendingPathComponent("model.safetensors.index.json")
        try Data(#"{"weight_map": {"embed_tokens.weight": "../model-00001-of-00002.safetensors"}}"#.utf8).write(to: index)
        #expect(throws: ModelError.self) { try SentenceTransformer(directory: sharded) }
        try Data(#"{"weight_map": {"embed_tokens.weight": "model-00002-of-00002.safetensors", "norm.weight": "model-00002-of-00002.safetensors"}}"#.utf8).write(to: index)
        #expect(throws: ModelError.self) { try SentenceTransformer(directory: sharded) }
    }
}
