import Foundation
import STTestSupport
import STTraining
import Testing

@Suite struct FileDatasetTests {
    static let stsTrain = TestResources.fixture("data/stsbenchmark/sts-train.csv")

    @Test func readsEveryRowOfSTSBTrain() throws {
        let data = try FileDataset(url: Self.stsTrain, columns: ["5", "6"], labelColumn: "4", hasHeader: false, labelScale: 0.2)
        #expect(data.count == 5749)
        let first = try data.example(at: 0)
        #expect(first.texts == ["A plane is taking off.", "An air plane is taking off."])
        #expect(first.label == 1.0)
        for index in 0..<data.count { _ = try data.example(at: index) }
    }

    @Test func mapsHeaderColumnsAndParsesQuotedCSV() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("dataset-\(UUID().uuidString).csv")
        try Data("anchor,positive,score\n\"a, quoted \"\"text\"\"\",plain,0.5\n\nsecond,row,1\n".utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let data = try FileDataset(url: url, columns: ["anchor", "positive"], labelColumn: "score")
        #expect(data.count == 2)
        #expect(try data.example(at: 0) == TrainingExample(texts: ["a, quoted \"text\"", "plain"], label: 0.5))
        #expect(try data.example(at: 1) == TrainingExample(texts: ["second", "row"], label: 1))
        #expect(throws: TrainingError.self) { try FileDataset(url: url, columns: ["missing"]) }
    }

    @Test func readsJSONLWithVectorLabels() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("dataset-\(UUID().uuidString).jsonl")
        try Data("{\"text\": \"hello\", \"label\": [0.5, 1.5]}\n{\"text\": \"world\", \"label\": [1, 2]}\n".utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let data = try FileDataset(url: url, columns: ["text"], labelColumn: "label")
        #expect(try data.example(at: 1) == TrainingExample(texts: ["world"], labelVector: [1, 2]))
        let broken = FileManager.default.temporaryDirectory.appendingPathComponent("dataset-\(UUID().uuidString).jsonl")
        try Data("{\"text\": 3}\n".utf8).write(to: broken)
        defer { try? FileManager.default.removeItem(at: broken) }
        #expect(throws: TrainingError.self) { try FileDataset(url: broken, columns: ["text"]).example(at: 0) }
    }
}
