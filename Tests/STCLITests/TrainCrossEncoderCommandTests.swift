import Foundation
import SentenceTransformers
import STTensor
import STTestSupport
import Testing

/// `sbert train --cross-encoder` as a user runs it: a few BCE steps on STS-B pairs (scores scaled to [0, 1]) from the
/// STS-B cross-encoder; the saved directory loads as a `CrossEncoder` with the files Python's `CrossEncoder(dir)`
/// reads, and its scores moved.
@Suite struct TrainCrossEncoderCommandTests {
    @Test func trainsSavesAndReloadsAReranker() throws {
        let temporary = FileManager.default.temporaryDirectory.appendingPathComponent("train-ce-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: temporary) }
        let lines = try String(contentsOf: TestResources.fixture("data/stsbenchmark/sts-train.csv"), encoding: .utf8)
            .split(separator: "\n").prefix(48)
        let data = temporary.appendingPathComponent("train.tsv")
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: data)
        let base = try TestResources.model("cross-encoder-stsb-MiniLM-L6")
        let output = temporary.appendingPathComponent("model")
        let result = try SbertProcessTests.run(["train", "--cross-encoder", "--model", base.path, "--train", data.path,
                                                "--no-header", "--columns", "5,6", "--label", "4", "--label-scale", "0.2",
                                                "--loss", "bce", "--batch-size", "8", "--max-steps", "3", "--lr", "1e-4",
                                                "--max-seq-length", "64", "--output", output.path,
                                                "--eval", "rerank:" + TestResources.fixture("cross-encoder-reranking/samples.jsonl").path])
        #expect(result.status == 0, "\(result.standardError)")
        // The final evaluation, CrossEncoderRerankingEvaluator's keys.
        for key in ["rerank_map", "rerank_mrr@10", "rerank_ndcg@10"] {
            #expect(result.text.split(separator: "\n").contains { $0.hasPrefix("\(key)\t") }, "\(key): \(result.text)")
        }
        let files = Set(try FileManager.default.contentsOfDirectory(atPath: output.path))
        #expect(files.isSuperset(of: ["config.json", "config_sentence_transformers.json", "model.safetensors", "modules.json",
                                      "sentence_bert_config.json", "tokenizer.json", "README.md"]), "\(files.sorted())")
        let card = try String(contentsOf: output.appendingPathComponent("README.md"), encoding: .utf8)
        #expect(card.contains("CrossEncoder"), "the model card names the class Python loads")

        let pairs = [("A plane is taking off.", "An air plane is taking off."), ("A man is playing a flute.", "A woman slices an onion.")]
        let before = try CrossEncoder(directory: base).predict(pairs)
        let trained = try CrossEncoder(directory: output)
        #expect(trained.numLabels == 1 && trained.activation == .sigmoid && trained.transformer.maxSeqLength == 64)
        let after = try trained.predict(pairs)
        #expect(after.values.allSatisfy { $0.isFinite && $0 > 0 && $0 < 1 })
        #expect(zip(before.values, after.values).contains { abs($0 - $1) > 1e-6 }, "three steps left the scores where they were")
    }

    /// From a bi-encoder: the saved reranker is a `BertForSequenceClassification` checkpoint with Python's key names.
    @Test func trainsARerankerFromABiEncoder() throws {
        let temporary = FileManager.default.temporaryDirectory.appendingPathComponent("train-ce-bi-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: temporary) }
        let lines = try String(contentsOf: TestResources.fixture("data/stsbenchmark/sts-train.csv"), encoding: .utf8)
            .split(separator: "\n").prefix(16)
        let data = temporary.appendingPathComponent("train.tsv")
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: data)
        let output = temporary.appendingPathComponent("model")
        let result = try SbertProcessTests.run(["train", "--cross-encoder", "--model", try SbertProcessTests.modelPath(), "--train", data.path,
                                                "--no-header", "--columns", "5,6", "--label", "4", "--label-scale", "0.2",
                                                "--loss", "bce", "--batch-size", "8", "--max-steps", "2", "--max-seq-length", "64",
                                                "--output", output.path])
        #expect(result.status == 0, "\(result.standardError)")
        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: output.appendingPathComponent("config.json"))) as? [String: Any]
        #expect(config?["architectures"] as? [String] == ["BertForSequenceClassification"])
        #expect(config?["id2label"] as? [String: String] == ["0": "LABEL_0"])
        let keys = try SafeTensorsFile(path: output.appendingPathComponent("model.safetensors").path).entries.keys
        #expect(keys.contains("classifier.weight") && keys.contains("bert.pooler.dense.weight"))
        #expect(keys.allSatisfy { $0.hasPrefix("bert.") || $0.hasPrefix("classifier.") }, "\(keys.sorted().prefix(5))")
        let modules = try String(contentsOf: output.appendingPathComponent("modules.json"), encoding: .utf8)
        #expect(!modules.contains("Pooling"), "a cross-encoder is its Transformer alone")
        let scores = try CrossEncoder(directory: output).predict([("A plane is taking off.", "An air plane is taking off.")])
        #expect(scores.values.count == 1 && scores.values[0].isFinite)
    }

    /// Listwise data (a query, a list of documents, a list of graded labels per JSON line) trains with LambdaLoss, and
    /// CrossEncoderClassificationEvaluator reports Python's keys; a list column given to a pairwise loss is refused.
    @Test func trainsListwiseWithLambdaLoss() throws {
        let temporary = FileManager.default.temporaryDirectory.appendingPathComponent("train-ce-list-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: temporary) }
        let rows: [[String: Any]] = [
            ["query": "How do vaccines work?", "docs": ["Vaccines train the immune system.", "Stocks fell on Monday.", "Shots protect people."], "labels": [2, 0, 1]],
            ["query": "What is the capital of France?", "docs": ["Berlin is in Germany.", "Paris is the capital of France."], "labels": [0, 1]],
            ["query": "A cat sleeps on the sofa.", "docs": ["A dog runs.", "The kitten naps on the couch.", "A pet rests.", "Rain."], "labels": [0, 3, 1, 0]],
        ]
        let data = temporary.appendingPathComponent("lists.jsonl")
        try Data(rows.map { String(decoding: try JSONSerialization.data(withJSONObject: $0, options: .sortedKeys), as: UTF8.self) }
            .joined(separator: "\n").utf8).write(to: data)
        let base = try TestResources.model("cross-encoder-stsb-MiniLM-L6")
        let output = temporary.appendingPathComponent("model")
        let common = ["train", "--cross-encoder", "--model", base.path, "--train", data.path, "--columns", "query,docs", "--label", "labels",
                      "--batch-size", "2", "--max-steps", "2", "--max-seq-length", "48", "--output", output.path]
        let result = try SbertProcessTests.run(common + ["--loss", "lambda", "--weighting-scheme", "lambda-rank", "--lambda-k", "2",
                                                         "--mini-batch-size", "3", "--eval",
                                                         "classification:" + TestResources.fixture("cross-encoder-evaluators/binary.tsv").path])
        #expect(result.status == 0, "\(result.standardError)")
        for key in ["classification_accuracy", "classification_f1", "classification_average_precision"] {
            #expect(result.text.split(separator: "\n").contains { $0.hasPrefix("\(key)\t") }, "\(key): \(result.text)")
        }
        let card = try String(contentsOf: output.appendingPathComponent("README.md"), encoding: .utf8)
        #expect(card.contains("LambdaLoss") && card.contains("LambdaRankScheme"), "the model card names the loss and its scheme")
        let pairwise = try SbertProcessTests.run(common + ["--loss", "bce"])
        #expect(pairwise.status != 0 && pairwise.standardError.contains("list of documents"), "\(pairwise.standardError)")
        let misplaced = try SbertProcessTests.run(common + ["--loss", "bce", "--weighting-scheme", "none"])
        #expect(misplaced.status != 0 && misplaced.standardError.contains("--weighting-scheme is not used here"), "\(misplaced.standardError)")
    }

    /// A bi-encoder checkpoint has no classification head: refused by name, not a missing-tensor message.
    @Test func aBiEncoderIsNotACrossEncoder() throws {
        let result = try SbertProcessTests.run(["rerank", "--model", try SbertProcessTests.modelPath(), "query", "document"])
        #expect(result.status != 0)
        #expect(result.standardError.contains("BertModel checkpoint has no classification head"), "\(result.standardError)")
    }
}
