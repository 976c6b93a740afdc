import Foundation
import SentenceTransformers
import STTestSupport
import Testing

/// `CrossEncoderCorrelationEvaluator` and `CrossEncoderClassificationEvaluator` against sentence-transformers 6.2's
/// (Tests/Fixtures/cross-encoder-evaluators, made by its make_goldens.py): STS-B dev pairs scored for correlation and
/// as 0/1 paraphrases by the one-score reranker, SNLI dev pairs classified by the 3-label model.
@Suite struct CrossEncoderEvaluatorsTests {
    static let folder = TestResources.fixture("cross-encoder-evaluators")

    static func golden(_ name: String) throws -> (metrics: [String: Double], primary: String) {
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("goldens.json"))) as? [String: Any]
        let cases = try #require(object?["cases"] as? [String: [String: Any]])
        let golden = try #require(cases[name])
        return (try #require(golden["metrics"] as? [String: Double]), try #require(golden["primary_metric"] as? String))
    }

    static func expectEqual(_ metrics: [String: Double], _ expected: [String: Double], _ name: String) {
        #expect(Set(metrics.keys) == Set(expected.keys), "\(name): \(metrics.keys.sorted())")
        for (key, value) in expected {
            // Thresholds are midpoints of float32 scores, which Python averages in float32.
            #expect(abs((metrics[key] ?? .nan) - value) < 1e-6, "\(name) \(key): \(metrics[key] ?? .nan), Python \(value)")
        }
    }

    @Test func metricsEqualPythons() throws {
        let one = try CrossEncoder(directory: TestResources.model("cross-encoder-stsb-MiniLM-L6"))
        let three = try CrossEncoder(directory: TestResources.model("cross-encoder-stsb-MiniLM-L6-3labels"))
        let sts = Array(try STSBenchmark.load(TestResources.fixture("data/stsbenchmark/sts-dev.csv")).prefix(100))
        let correlation = try CrossEncoderCorrelationEvaluator(pairs: sts, name: "sts-dev")
        let expected = try Self.golden("correlation")
        #expect(correlation.primaryMetric(for: one) == expected.primary)
        Self.expectEqual(try correlation.evaluate(one), expected.metrics, "correlation")

        let binary = try CrossEncoderClassificationEvaluator(examples: DataLoaders.labeledPairs(Self.folder.appendingPathComponent("binary.tsv")),
                                                             name: "sts-binary")
        #expect(binary.examples.count == 100 && binary.examples.map(\.label) == sts.map { $0.score >= 2.5 ? 1 : 0 })
        let binaryGolden = try Self.golden("binary")
        #expect(binary.primaryMetric(for: one) == binaryGolden.primary)
        Self.expectEqual(try binary.evaluate(one), binaryGolden.metrics, "binary")

        let nli = try CrossEncoderClassificationEvaluator(examples: DataLoaders.labeledPairs(Self.folder.appendingPathComponent("nli.tsv")), name: "nli")
        #expect(nli.examples.count == 60)
        let nliGolden = try Self.golden("nli")
        #expect(nli.primaryMetric(for: three) == nliGolden.primary)
        Self.expectEqual(try nli.evaluate(three), nliGolden.metrics, "nli")
    }

    @Test func badDataAndModelsAreRefused() throws {
        let pair = ScoredPair("a", "b", score: 1)
        #expect(throws: SentenceTransformerError.self) { try CrossEncoderCorrelationEvaluator(pairs: [pair]) }
        #expect(throws: SentenceTransformerError.self) { try CrossEncoderCorrelationEvaluator(pairs: [pair, ScoredPair("c", "d", score: .nan)]) }
        #expect(throws: SentenceTransformerError.self) { try CrossEncoderClassificationEvaluator(examples: []) }
        #expect(throws: SentenceTransformerError.self) { try CrossEncoderClassificationEvaluator(examples: [.init("a", "b", label: -1)]) }
        let one = try CrossEncoder(directory: TestResources.model("cross-encoder-stsb-MiniLM-L6"))
        let three = try CrossEncoder(directory: TestResources.model("cross-encoder-stsb-MiniLM-L6-3labels"))
        #expect(throws: SentenceTransformerError.self) { try CrossEncoderClassificationEvaluator(examples: [.init("a", "b", label: 2)]).evaluate(one) }
        #expect(throws: SentenceTransformerError.self) { try CrossEncoderClassificationEvaluator(examples: [.init("a", "b", label: 3)]).evaluate(three) }
        #expect(throws: SentenceTransformerError.self) { try CrossEncoderCorrelationEvaluator(pairs: [pair, pair]).evaluate(three) }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("labeled-\(UUID()).tsv")
        defer { try? FileManager.default.removeItem(at: file) }
        for row in ["a\tb\tyes", "a\tb\t1.5", "a\tb\t-1", "a\tb"] {
            try Data("sentence1\tsentence2\tlabel\n\(row)\n".utf8).write(to: file)
            #expect(throws: SentenceTransformerError.self, "\(row)") { try DataLoaders.labeledPairs(file) }
        }
    }
}
