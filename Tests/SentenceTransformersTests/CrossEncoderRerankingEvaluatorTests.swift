import Foundation
import SentenceTransformers
import STTestSupport
import Testing

/// `CrossEncoderRerankingEvaluator` against sentence-transformers 6.2's (Tests/Fixtures/cross-encoder-reranking, made
/// by its make_goldens.py): SciFact queries with negatives at k 10 and 3, and with a retriever's documents (a positive
/// left out, a duplicated candidate whose scores tie, a query with no positive among them) reranked with and without
/// the positives always included, with the `base_` metrics of the given order.
@Suite struct CrossEncoderRerankingEvaluatorTests {
    @Test func metricsEqualPythons() throws {
        let folder = TestResources.fixture("cross-encoder-reranking")
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("goldens.json"))) as? [String: Any]
        let cases = try #require(object?["cases"] as? [String: [String: Any]])
        #expect(cases.count == 4)
        let model = try CrossEncoder(directory: TestResources.model("cross-encoder-stsb-MiniLM-L6"), maxSeqLength: 256)
        let negatives = try DataLoaders.rerankingSamples(folder.appendingPathComponent("samples.jsonl"))
        let documents = try DataLoaders.rerankingSamples(folder.appendingPathComponent("documents.jsonl"))
        #expect(negatives.count == 16 && documents.count == 16)
        for (name, golden) in cases.sorted(by: { $0.key < $1.key }) {
            let kwargs = try #require(golden["kwargs"] as? [String: Any])
            let evaluator = try CrossEncoderRerankingEvaluator(samples: golden["samples"] as? String == "documents" ? documents : negatives,
                                                               atK: kwargs["at_k"] as? Int ?? 10,
                                                               alwaysRerankPositives: kwargs["always_rerank_positives"] as? Bool ?? true,
                                                               name: "scifact", batchSize: 16)
            #expect(evaluator.primaryMetric == golden["primary_metric"] as? String)
            let expected = try #require(golden["metrics"] as? [String: Double])
            let metrics = try evaluator.evaluate(model)
            #expect(Set(metrics.keys) == Set(expected.keys), "\(name)")
            for (key, value) in expected {
                #expect(abs((metrics[key] ?? .nan) - value) < 1e-9, "\(name) \(key): \(metrics[key] ?? .nan), Python \(value)")
            }
        }
    }

    @Test func badSamplesAndModelsAreRefused() throws {
        #expect(throws: SentenceTransformerError.self) { try CrossEncoderRerankingEvaluator(samples: []) }
        let sample = CrossEncoderRerankingEvaluator.Sample(query: "q", positives: ["p"], candidates: .negatives(["n"]))
        #expect(throws: SentenceTransformerError.self) { try CrossEncoderRerankingEvaluator(samples: [sample], atK: 0) }
        let three = try CrossEncoder(directory: TestResources.model("cross-encoder-stsb-MiniLM-L6-3labels"))
        #expect(throws: SentenceTransformerError.self) { try CrossEncoderRerankingEvaluator(samples: [sample]).evaluate(three) }
        let lonely = CrossEncoderRerankingEvaluator.Sample(query: "q", positives: ["p"], candidates: .negatives([]))
        let one = try CrossEncoder(directory: TestResources.model("cross-encoder-stsb-MiniLM-L6"))
        #expect(throws: SentenceTransformerError.self) { try CrossEncoderRerankingEvaluator(samples: [lonely]).evaluate(one) }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("rerank-\(UUID()).jsonl")
        defer { try? FileManager.default.removeItem(at: file) }
        for line in [#"{"query": "q", "positive": "p"}"#, #"{"query": "q", "positive": "p", "negative": ["n"], "documents": ["d"]}"#,
                     #"{"positive": "p", "negative": ["n"]}"#, #"{"query": "q", "positive": 3, "negative": ["n"]}"#, "[1]"] {
            try Data((line + "\n").utf8).write(to: file)
            #expect(throws: SentenceTransformerError.self, "\(line)") { try DataLoaders.rerankingSamples(file) }
        }
    }
}
