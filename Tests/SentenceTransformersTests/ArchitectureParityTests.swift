import Foundation
import STModels
import STTestSupport
import SentenceTransformers
import Testing

/// XLM-RoBERTa, RoBERTa, DistilBERT (tiny seeded pipelines) and all-mpnet-base-v2 (the real model) against
/// sentence-transformers 6.2.
@Suite struct ArchitectureParityTests {
    /// Token ids exact, embeddings within 1e-5 (scaled), token embeddings within 1e-4, batched like alone.
    static func checkPipeline(model name: String, fixture: String, variant: String? = nil, encodeFile: String = "encode.jsonl") throws {
        let model = try SentenceTransformer(directory: try TestResources.model(name), variant: variant)
        let tokenRows = try TestResources.jsonLines(TestResources.fixture("\(fixture)/tokenize.jsonl"))
        for row in tokenRows {
            let ids = try model.tokenize(row["text"] as? String ?? "").ids
            #expect(ids == TestResources.ints(row["input_ids"]), "\(name) row \(row["id"] ?? "?") \(row["label"] ?? "") ids")
        }
        let rows = try TestResources.jsonLines(TestResources.fixture("\(fixture)/\(encodeFile)"))
        var worst: Float = 0
        for row in rows {
            let difference = ParityChecks.maxScaledDifference(try model.encode(row["text"] as? String ?? ""), TestResources.floats(row["embedding"]))
            worst = max(worst, difference)
            #expect(difference <= 1e-5, "\(name) \(encodeFile) row \(row["id"] ?? "?") \(row["label"] ?? ""): \(difference)")
        }
        let batched = try model.encode(rows.map { $0["text"] as? String ?? "" }, batchSize: 32)
        for (index, row) in rows.enumerated() {
            #expect(ParityChecks.maxScaledDifference(batched[index], TestResources.floats(row["embedding"])) <= 1e-5, "\(name) batched row \(index)")
        }
        // The token embeddings were recorded with the fp32 weights.
        for row in try TestResources.jsonLines(TestResources.fixture("\(fixture)/token_embeddings.jsonl")) where variant == nil {
            let actual = try model.tokenEmbeddings([row["text"] as? String ?? ""], prompt: row["prompt"] as? String)[0]
            let difference = ParityChecks.maxDifference(actual.values, ParityChecks.matrix(row["token_embeddings"]))
            #expect(difference <= 1e-4, "\(name) token embeddings: \(difference)")
        }
        print("\(name)\(variant.map { " (\($0))" } ?? ""): \(rows.count) embeddings, max scaled |Δ| \(worst)")
    }

    @Test func xlmRobertaWithUnigramClsPoolingDenseAndNormalize() throws {
        try Self.checkPipeline(model: "tiny-xlm-roberta-cls-dense", fixture: "tiny-xlm-roberta-cls-dense")
    }

    @Test func robertaWithByteLevelBPEAndMaxPooling() throws {
        try Self.checkPipeline(model: "tiny-roberta-max", fixture: "tiny-roberta-max")
    }

    @Test func halfPrecisionWeightFiles() throws {
        try Self.checkPipeline(model: "tiny-roberta-max", fixture: "tiny-roberta-max", variant: "fp16", encodeFile: "encode_fp16.jsonl")
        try Self.checkPipeline(model: "tiny-roberta-max", fixture: "tiny-roberta-max", variant: "bf16", encodeFile: "encode_bf16.jsonl")
    }

    @Test func distilBertWithWeightedMeanPooling() throws {
        try Self.checkPipeline(model: "tiny-distilbert-weightedmean", fixture: "tiny-distilbert-weightedmean")
    }

    @Test func allMPNetBaseV2() throws {
        let model = try SentenceTransformer(directory: try TestResources.model("all-mpnet-base-v2"))
        #expect(model.maxSeqLength == 384 && model.embeddingDimension == 768)
        let rows = try TestResources.jsonLines(TestResources.fixture("all-mpnet-base-v2/tokenize.jsonl"))
        #expect(rows.count == 129)
        for row in rows {
            #expect(try model.tokenize(row["text"] as? String ?? "").ids == TestResources.ints(row["input_ids"]), "mpnet row \(row["id"] ?? "?") \(row["label"] ?? "")")
        }
        let encodeRows = try TestResources.jsonLines(TestResources.fixture("all-mpnet-base-v2/encode.jsonl"))
        let texts = encodeRows.map { $0["text"] as? String ?? "" }
        let alone = try texts.map { try model.encode($0) }
        let batched = try model.encode(texts, batchSize: 32)
        var worst: Float = 0, worstCosine = 1.0
        for (index, row) in encodeRows.enumerated() {
            let expected = TestResources.floats(row["embedding"])
            let difference = ParityChecks.maxDifference(alone[index], expected)
            worst = max(worst, difference)
            worstCosine = min(worstCosine, ParityChecks.cosine(alone[index], expected))
            #expect(difference <= 1e-5, "mpnet encode row \(index) \(row["label"] ?? ""): \(difference)")
            #expect(ParityChecks.maxDifference(batched[index], expected) <= 1e-5, "mpnet batched row \(index)")
        }
        #expect(worstCosine >= 0.99999)
        print("all-mpnet-base-v2 encode parity: max |Δ| \(worst), min cosine \(worstCosine)")
        for row in try TestResources.jsonLines(TestResources.fixture("all-mpnet-base-v2/token_embeddings.jsonl")) {
            let actual = try model.tokenEmbeddings([row["text"] as? String ?? ""])[0]
            #expect(ParityChecks.maxDifference(actual.values, ParityChecks.matrix(row["token_embeddings"])) <= 1e-4)
        }
    }

    @Test func mpnetHiddenStatesAndRelativePositionBuckets() throws {
        let directory = try TestResources.model("all-mpnet-base-v2")
        let encoder = try #require(try Architectures.loadEncoder(from: directory) as? TransformerModel)
        let data = try Data(contentsOf: TestResources.fixture("all-mpnet-base-v2/hidden_states.json"))
        let fixture = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let ids = TestResources.ints(fixture["input_ids"])
        let buckets = (fixture["relative_position_bucket"] as? [[Int]]) ?? []
        #expect(encoder.relativePositionBuckets(length: ids.count) == buckets)
        // Longer distances than the fixture's 12 tokens: every boundary of the logarithmic buckets, both directions.
        let long = encoder.relativePositionBuckets(length: 300)
        // Float32 logarithms put 15 in bucket 9 and 16 in bucket 10; keys after the query use buckets 16–31.
        #expect(long[8][0] == 8 && long[15][0] == 9 && long[16][0] == 10 && long[63][0] == 13 && long[64][0] == 14)
        #expect(long[127][0] == 15 && long[299][0] == 15 && long[0][8] == 24 && long[0][299] == 31)
        let output = try encoder.forward(try TokenBatch([(inputIDs: ids, tokenTypeIDs: [])]), outputHiddenStates: true)
        let layers = try #require(fixture["hidden_states"] as? [Any])
        #expect(output.hiddenStates.count == layers.count)
        for (index, layer) in layers.enumerated() {
            let difference = ParityChecks.maxDifference(output.hiddenStates[index], ParityChecks.matrix(layer))
            #expect(difference <= 1e-4, "mpnet hidden state \(index): \(difference)")
        }
    }
}
