import Foundation
import STModels
import STTestSupport
import SentenceTransformers
import Testing

/// all-MiniLM-L6-v2 against the Python reference (sentence-transformers 6.2.0, fixtures in Tests/Fixtures).
@Suite struct MiniLMParityTests {
    static let model = Result { try SentenceTransformer(directory: try TestResources.model("all-MiniLM-L6-v2")) }
    static let fixtures = TestResources.fixture("all-MiniLM-L6-v2")

    static func rows(_ name: String) throws -> [[String: Any]] {
        try TestResources.jsonLines(fixtures.appendingPathComponent(name))
    }

    @Test func loadsThePipelineFromModulesJSON() throws {
        let model = try Self.model.get()
        #expect(model.embeddingDimension == 384)
        #expect(model.maxSeqLength == 256)
        #expect(model.modules.map(\.summary) == ["Pooling(modes: mean, include_prompt: true)", "Normalize()"])
        #expect(model.similarityFunction == .cosine)
        // Python counts 22,713,216 with BERT's pooler, which sentence-transformers never runs and this library skips.
        #expect(model.parameterCount == 22_713_216 - (384 * 384 + 384))
    }

    @Test func everyTextEncodedAloneMatchesPython() throws {
        let model = try Self.model.get()
        let rows = try Self.rows("encode.jsonl")
        #expect(rows.count == 123)
        var worstDifference: Float = 0
        var worstCosine = 1.0
        for row in rows {
            let text = row["text"] as? String ?? ""
            let expected = TestResources.floats(row["embedding"])
            let actual = try model.encode(text)
            #expect(actual.count == 384)
            let difference = ParityChecks.maxDifference(actual, expected)
            let cosine = ParityChecks.cosine(actual, expected)
            worstDifference = max(worstDifference, difference)
            worstCosine = min(worstCosine, cosine)
            #expect(difference <= 1e-5, "row \(row["id"] ?? "?") \(row["label"] ?? ""): max |Δ| \(difference)")
            #expect(cosine >= 0.99999, "row \(row["id"] ?? "?"): cosine \(cosine)")
        }
        print("all-MiniLM-L6-v2 encode parity: max |Δ| \(worstDifference), min cosine \(worstCosine)")
    }

    @Test func shuffledBatchesOf32GiveTheSameVectors() throws {
        let model = try Self.model.get()
        let rows = try Self.rows("encode.jsonl")
        var generator = SeededGenerator(seed: 20261129)
        let order = Array(rows.indices).shuffled(using: &generator)
        let texts = order.map { rows[$0]["text"] as? String ?? "" }
        let embeddings = try model.encode(texts, batchSize: 32)
        for (position, index) in order.enumerated() {
            let expected = TestResources.floats(rows[index]["embedding"])
            let difference = ParityChecks.maxDifference(embeddings[position], expected)
            #expect(difference <= 1e-5, "row \(index) in a shuffled batch: max |Δ| \(difference)")
        }
    }

    @Test func tokenEmbeddingsMatchPython() throws {
        let model = try Self.model.get()
        for row in try Self.rows("token_embeddings.jsonl") {
            let text = row["text"] as? String ?? ""
            let expected = ((row["token_embeddings"] as? [Any]) ?? []).flatMap { TestResources.floats($0) }
            let actual = try model.tokenEmbeddings([text])[0]
            #expect(actual.count == TestResources.ints(row["shape"]).first)
            let difference = ParityChecks.maxDifference(actual.values, expected)
            #expect(actual.values.count == expected.count)
            #expect(difference <= 1e-4, "token embeddings of \(text): max |Δ| \(difference)")
        }
    }

    @Test func hiddenStatesMatchPythonLayerByLayer() throws {
        let model = try Self.model.get()
        let data = try Data(contentsOf: Self.fixtures.appendingPathComponent("hidden_states.json"))
        let fixture = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let ids = TestResources.ints(fixture["input_ids"])
        #expect(try model.tokenize(fixture["text"] as? String ?? "").ids == ids)
        let output = try #require(model.transformer).encoder.forward(try TokenBatch([(inputIDs: ids, tokenTypeIDs: [])]), outputHiddenStates: true)
        let layers = try #require(fixture["hidden_states"] as? [Any])
        #expect(output.hiddenStates.count == layers.count)
        for (index, layer) in layers.enumerated() {
            let expected = ((layer as? [Any]) ?? []).flatMap { TestResources.floats($0) }
            let difference = ParityChecks.maxDifference(output.hiddenStates[index], expected)
            #expect(output.hiddenStates[index].count == expected.count)
            #expect(difference <= 1e-4, "hidden state \(index): max |Δ| \(difference)")
        }
    }

    @Test func similarityMatrixIsCosineOfTheEmbeddings() throws {
        let model = try Self.model.get()
        let embeddings = try model.encode(["A man is eating food.", "A man is eating a piece of bread.", "The girl is carrying a baby."])
        let scores = try model.similarity(embeddings, embeddings)
        #expect(scores.count == 3 && scores.dimension == 3)
        for i in 0..<3 {
            #expect(abs(scores[i][i] - 1) < 1e-5)
            for j in 0..<3 { #expect(abs(scores[i][j] - Float(ParityChecks.cosine(embeddings[i], embeddings[j]))) < 1e-5) }
        }
        #expect(scores[0][1] > scores[0][2])
        let pairwise = try model.similarityPairwise(embeddings, embeddings)
        #expect(pairwise.allSatisfy { abs($0 - 1) < 1e-5 })
    }

    @Test func concurrentEncodesGiveIdenticalVectors() async throws {
        let model = try Self.model.get()
        let texts = try Self.rows("encode.jsonl").prefix(40).map { $0["text"] as? String ?? "" }
        let reference = try await model.encode(texts)
        try await withThrowingTaskGroup(of: Embeddings.self) { group in
            for batchSize in [8, 32, 8, 32] { group.addTask { try await model.encode(texts, batchSize: batchSize) } }
            for try await result in group {
                let difference = ParityChecks.maxDifference(result.values, reference.values)
                #expect(result.count == reference.count && difference <= 1e-6, "max |Δ| \(difference)")
            }
        }
    }
}
