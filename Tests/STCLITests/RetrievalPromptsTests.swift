import Foundation
import STTestSupport
import Testing

/// `sbert eval ir`, `sbert index build` and `sbert search` embed queries and documents as sentence-transformers 6.2
/// does (`encode_query` / `encode_document`: the model's query and document prompts and Router routes), checked against
/// Python's `InformationRetrievalEvaluator` and exact search on a SciFact subset (Tests/Fixtures/ir-prompts, made by
/// its make_goldens.py): a model with prompts (EmbeddingGemma layout), a Router model, and one with neither.
@Suite struct RetrievalPromptsTests {
    static let fixtures = TestResources.fixture("ir-prompts")

    static func goldens(_ model: String) throws -> [String: Any] {
        let data = try Data(contentsOf: fixtures.appendingPathComponent("goldens.json"))
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        return try #require((root["models"] as? [String: Any])?[model] as? [String: Any])
    }

    static let models = ["tiny-gemma3-embedding", "tiny-router-asym", "all-MiniLM-L6-v2"]

    @Test(arguments: models) func evalIRMatchesPythonsEvaluator(model: String) throws {
        let expected = try #require(try Self.goldens(model)["metrics"] as? [String: Double])
        let run = try SbertProcessTests.run(["eval", "ir", "--model", try TestResources.model(model).path,
                                             "--data", Self.fixtures.appendingPathComponent("scifact-subset").path, "--format", "json"])
        #expect(run.status == 0, "\(run.standardError)")
        let metrics = try #require(try JSONSerialization.jsonObject(with: run.standardOutput) as? [String: Double])
        for key in ["cosine_ndcg@10", "cosine_mrr@10", "cosine_recall@10", "cosine_map@100", "cosine_accuracy@1"] {
            let ours = try #require(metrics[key], "\(key) missing"), python = try #require(expected[key], "\(key) not in the goldens")
            #expect(abs(ours - python) <= 1e-4, "\(model) \(key): \(ours), Python \(python)")
        }
    }

    @Test(arguments: models) func searchTopTenMatchesPython(model: String) throws {
        let golden = try Self.goldens(model)
        let expected = try #require(golden["search"] as? [String: [String]])
        let index = FileManager.default.temporaryDirectory.appendingPathComponent("ir-prompts-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: index) }
        let modelPath = try TestResources.model(model).path
        let built = try SbertProcessTests.run(["index", "build", "--model", modelPath, "--out", index.path,
                                               "--input", Self.fixtures.appendingPathComponent("scifact-subset/corpus.jsonl").path])
        #expect(built.status == 0, "\(built.standardError)")
        let queries = try String(contentsOf: Self.fixtures.appendingPathComponent("scifact-subset/queries.jsonl"), encoding: .utf8)
            .split(separator: "\n").compactMap { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: String] }
        for (queryID, ids) in expected.sorted(by: { $0.key < $1.key }) {
            let text = try #require(queries.first { $0["_id"] == queryID }?["text"])
            let searched = try SbertProcessTests.run(["search", "--index", index.path, "--model", modelPath, "--top-k", "10", "--format", "json", "--", text])
            #expect(searched.status == 0, "\(searched.standardError)")
            let rows = try #require(try JSONSerialization.jsonObject(with: searched.standardOutput) as? [[String: Any]])
            #expect(rows.compactMap { $0["id"] as? String } == ids, "\(model), query \(queryID)")
        }
        // The prompts and routes matter on these models: without them Python ranks differently.
        if model != "all-MiniLM-L6-v2" {
            #expect(golden["search_without_prompts"] as? [String: [String]] != expected, "\(model): the goldens show no effect of prompts")
        }
    }
}
