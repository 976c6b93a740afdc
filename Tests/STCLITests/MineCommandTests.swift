import Foundation
import STTestSupport
import Testing

/// `sbert mine` as a user runs it, against sentence-transformers 6.2's `mine_hard_negatives` on the SciFact sample
/// (Tests/Fixtures/mining): the JSON lines hold Python's columns and rows, and `sbert train` reads them back.
@Suite struct MineCommandTests {
    @Test func minesPythonsRowsAndTrainReadsThem() throws {
        let fixtures = TestResources.fixture("mining")
        let data = try Data(contentsOf: fixtures.appendingPathComponent("goldens.json"))
        let goldens = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let golden = try #require((goldens["sample"] as? [String: Any])?["ntuple_margin"] as? [String: Any])
        let columns = try #require(golden["columns"] as? [String])
        let rows = try #require(golden["rows"] as? [[Any]])
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("mined-\(UUID()).jsonl")
        defer { try? FileManager.default.removeItem(at: output) }
        let result = try SbertProcessTests.run(["mine", "--model", try SbertProcessTests.modelPath(),
                                                "--train", fixtures.appendingPathComponent("sample/pairs.jsonl").path, "--columns", "query,answer",
                                                "--corpus", fixtures.appendingPathComponent("sample/corpus.jsonl").path,
                                                "--range-min", "2", "--range-max", "25", "--absolute-margin", "0.02", "--num-negatives", "4",
                                                "--output-format", "n-tuple", "--output-scores", "--output", output.path])
        #expect(result.status == 0, "\(result.standardError)")
        // The goldens write texts as indices: the anchor among the distinct anchors, the others in the corpus then the
        // positives, each text once.
        func jsonl(_ name: String) throws -> [[String: Any]] {
            try String(contentsOf: fixtures.appendingPathComponent(name), encoding: .utf8).split(separator: "\n").compactMap {
                try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
        }
        let pairs = try jsonl("sample/pairs.jsonl")
        var anchors: [String: Int] = [:], texts: [String: Int] = [:]
        for pair in pairs { if let query = pair["query"] as? String, anchors[query] == nil { anchors[query] = anchors.count } }
        for text in try jsonl("sample/corpus.jsonl").compactMap({ $0["text"] as? String }) + pairs.compactMap({ $0["answer"] as? String })
        where texts[text] == nil { texts[text] = texts.count }
        let lines = try String(contentsOf: output, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == rows.count)
        for (line, row) in zip(lines, rows) {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(Set(object.keys) == Set(columns))
            for (index, (column, value)) in zip(columns, row).enumerated() {
                if let scores = value as? [Double], let ours = object[column] as? [Double] {
                    #expect(ours.count == scores.count && zip(ours, scores).allSatisfy { abs($0 - $1) < 1e-4 }, "\(column)")
                } else if let expected = value as? Int {
                    let text = object[column] as? String ?? ""
                    #expect((index == 0 ? anchors[text] : texts[text]) == expected, "\(column)")
                }
            }
        }
        // The mined file trains: MNRL over (anchor, positive, negatives), one step.
        let model = FileManager.default.temporaryDirectory.appendingPathComponent("mined-model-\(UUID())")
        defer { try? FileManager.default.removeItem(at: model) }
        let train = try SbertProcessTests.run(["train", "--model", try TestResources.model("tiny-bert-legacy-pooling").path, "--train", output.path,
                                               "--columns", "query,answer,negative_1,negative_2", "--max-steps", "1", "--batch-size", "4",
                                               "--output", model.path])
        #expect(train.status == 0, "\(train.standardError)")
    }
}
