import Foundation
import STTestSupport
import SentenceTransformers
import Testing

/// Small seeded BERT pipelines against sentence-transformers 6.2: both pooling config formats, two pooling modes at
/// once, prompts, and max_seq_length from either config file.
@Suite struct TinyModelParityTests {
    static func check(_ actual: [Float], _ expected: [Float], _ what: String) {
        #expect(actual.count == expected.count, "\(what): \(actual.count) values, expected \(expected.count)")
        let worst = zip(actual, expected).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
        #expect(worst <= 1e-5, "\(what): max relative |Δ| \(worst)")
    }

    @Test func twoPoolingModesInTheV6FormatWithPrompts() throws {
        let model = try SentenceTransformer(directory: try TestResources.model("tiny-bert-lasttoken-mean-sqrt"))
        #expect(model.embeddingDimension == 128)
        #expect(model.maxSeqLength == 128)  // from tokenizer_config.json model_max_length
        #expect(model.configuration.defaultPromptName == "document")
        let rows = try TestResources.jsonLines(TestResources.fixture("tiny-bert-lasttoken-mean-sqrt/encode.jsonl"))
        #expect(rows.count == 65)
        for row in rows {
            let text = row["text"] as? String ?? ""
            let label = "row \(row["id"] ?? "?") \(row["label"] ?? "")"
            #expect(try model.tokenize("passage: " + text).ids == TestResources.ints(row["input_ids_default_prompt"]), "\(label) ids")
            #expect(try model.tokenize("query: " + text).ids == TestResources.ints(row["input_ids_query"]), "\(label) query ids")
            Self.check(try model.encode(text), TestResources.floats(row["embedding"]), "\(label) default prompt")
            Self.check(try model.encode(text, promptName: "query"), TestResources.floats(row["embedding_query"]), "\(label) query prompt")
            Self.check(try model.encode(text, prompt: ""), TestResources.floats(row["embedding_no_prompt"]), "\(label) no prompt")
        }
    }

    @Test func legacyPoolingKeysWithAMissingKey() throws {
        let model = try SentenceTransformer(directory: try TestResources.model("tiny-bert-legacy-pooling"))
        #expect(model.embeddingDimension == 128)  // max ‖ mean_sqrt_len_tokens; the missing mean key counts as false
        #expect(model.maxSeqLength == 64)         // sentence_bert_config.json wins over tokenizer_config.json's 512
        let rows = try TestResources.jsonLines(TestResources.fixture("tiny-bert-legacy-pooling/encode.jsonl"))
        let tokenRows = try TestResources.jsonLines(TestResources.fixture("tiny-bert-legacy-pooling/tokenize.jsonl"))
        for (row, tokenRow) in zip(rows, tokenRows) {
            let text = row["text"] as? String ?? ""
            #expect(try model.tokenize(text).ids == TestResources.ints(tokenRow["input_ids"]), "row \(row["id"] ?? "?") ids")
            Self.check(try model.encode(text), TestResources.floats(row["embedding"]), "row \(row["id"] ?? "?") \(row["label"] ?? "")")
        }
        let texts = rows.map { $0["text"] as? String ?? "" }
        let batched = try model.encode(texts, batchSize: 32)
        for (index, row) in rows.enumerated() {
            Self.check(batched[index], TestResources.floats(row["embedding"]), "batched row \(index)")
        }
    }

    @Test func tokenEmbeddingsOfTinyModels() throws {
        for name in ["tiny-bert-legacy-pooling", "tiny-bert-lasttoken-mean-sqrt"] {
            let model = try SentenceTransformer(directory: try TestResources.model(name))
            for row in try TestResources.jsonLines(TestResources.fixture("\(name)/token_embeddings.jsonl")) {
                let text = row["text"] as? String ?? ""
                let expected = ((row["token_embeddings"] as? [Any]) ?? []).flatMap { TestResources.floats($0) }
                let actual = try model.tokenEmbeddings([text], prompt: row["prompt"] as? String ?? "")[0]
                #expect(actual.values.count == expected.count)
                let worst = zip(actual.values, expected).map { abs($0 - $1) }.max() ?? 0
                #expect(worst <= 1e-4, "\(name) token embeddings: max |Δ| \(worst)")
            }
        }
    }

    @Test func unknownPromptNameIsAnError() throws {
        let model = try SentenceTransformer(directory: try TestResources.model("tiny-bert-lasttoken-mean-sqrt"))
        #expect(throws: SentenceTransformerError.unknownPromptName("summary", available: ["document", "query"])) {
            try model.encode("hello", promptName: "summary")
        }
    }
}
