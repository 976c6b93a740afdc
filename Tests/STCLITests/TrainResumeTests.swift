import Foundation
import STTestSupport
import Testing

/// `sbert train` killed with SIGKILL after a checkpoint and resumed ends with the same weights as a run that was never
/// interrupted (same seed, dropout on, across epoch boundaries).
@Suite struct TrainResumeTests {
    static func arguments(data: URL, output: URL) throws -> [String] {
        ["train", "--model", try TestResources.model("tiny-bert-legacy-pooling").path, "--train", data.path,
         "--no-header", "--columns", "5,6", "--label", "4", "--label-scale", "0.2", "--loss", "cosent",
         "--batch-size", "4", "--max-steps", "300", "--save-steps", "10", "--save-total-limit", "2",
         "--logging-steps", "50", "--lr", "1e-4", "--output", output.path]
    }

    /// The float values of a safetensors file (everything after its header).
    static func values(_ url: URL) throws -> [Float] {
        let data = try Data(contentsOf: url)
        let headerLength = data.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        let body = data.dropFirst(8 + headerLength)
        return body.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    }

    struct Outcome: Sendable {
        var firstStatus: Int32 = -1, secondStatus: Int32 = -1
        var firstError = "", secondError = ""
        var killedMidway = false, finishedBeforeKill = true
        var valueCount = 0, difference: Float = .infinity, trainingMovedWeights = false
        var keptCheckpoints: [String] = []
    }

    @Test func killedRunResumesToTheSameWeights() async throws {
        // Two training runs and a kill: off the cooperative pool, expectations back here.
        let outcome = try await onDedicatedThread { try Self.killAndResume() }
        #expect(outcome.firstStatus == 0, "\(outcome.firstError)")
        #expect(outcome.killedMidway, "the run ended before it could be killed")
        #expect(!outcome.finishedBeforeKill, "the final model existed before the kill")
        #expect(outcome.secondStatus == 0, "\(outcome.secondError)")
        #expect(outcome.secondError.contains("resumed from checkpoint-"), "\(outcome.secondError)")
        #expect(outcome.valueCount > 0)
        #expect(outcome.difference <= 1e-6, "resumed weights differ by \(outcome.difference)")
        #expect(outcome.trainingMovedWeights)
        #expect(outcome.keptCheckpoints.count == 2, "\(outcome.keptCheckpoints)")  // --save-total-limit 2
    }

    static func killAndResume() throws -> Outcome {
        var outcome = Outcome()
        let temporary = FileManager.default.temporaryDirectory.appendingPathComponent("resume-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: temporary) }
        let lines = try String(contentsOf: TestResources.fixture("data/stsbenchmark/sts-train.csv"), encoding: .utf8)
            .split(separator: "\n").prefix(400)
        let data = temporary.appendingPathComponent("train.tsv")
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: data)

        let straight = temporary.appendingPathComponent("straight")
        let first = try SbertProcessTests.run(arguments(data: data, output: straight))
        outcome.firstStatus = first.status
        outcome.firstError = first.standardError

        let resumed = temporary.appendingPathComponent("resumed")
        let process = Process()
        process.executableURL = SbertProcessTests.executable
        process.arguments = try arguments(data: data, output: resumed)
        process.standardError = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let checkpoint = resumed.appendingPathComponent("checkpoint-120")
        let deadline = Date().addingTimeInterval(120)
        while !FileManager.default.fileExists(atPath: checkpoint.path), process.isRunning, Date() < deadline { usleep(500) }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        outcome.killedMidway = process.terminationReason == .uncaughtSignal
        outcome.finishedBeforeKill = FileManager.default.fileExists(atPath: resumed.appendingPathComponent("model.safetensors").path)
        let second = try SbertProcessTests.run(arguments(data: data, output: resumed) + ["--resume"])
        outcome.secondStatus = second.status
        outcome.secondError = second.standardError

        let a = try values(straight.appendingPathComponent("model.safetensors"))
        let b = try values(resumed.appendingPathComponent("model.safetensors"))
        outcome.valueCount = a.count == b.count ? a.count : 0
        outcome.difference = zip(a, b).map { abs($0 - $1) }.max() ?? .infinity
        let base = try values(TestResources.model("tiny-bert-legacy-pooling").appendingPathComponent("model.safetensors"))
        outcome.trainingMovedWeights = base.count != a.count || zip(a, base).contains { $0 != $1 }
        outcome.keptCheckpoints = try FileManager.default.contentsOfDirectory(atPath: resumed.path).filter { $0.hasPrefix("checkpoint-") }
        return outcome
    }
}

/// `sbert train` with in-batch negatives from a JSONL file and a triplet evaluation, end to end.
@Suite struct TrainCommandTests {
    @Test func mnrlFromJSONLWithTripletEvaluation() throws {
        let temporary = FileManager.default.temporaryDirectory.appendingPathComponent("train-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: temporary) }
        let rows = try String(contentsOf: TestResources.fixture("data/stsbenchmark/sts-train.csv"), encoding: .utf8)
            .split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
            .filter { $0.count >= 7 && (Double($0[4]) ?? 0) >= 4 }
            .prefix(96)
        let pairs = Array(rows.map { ($0[5], $0[6]) })
        let jsonl = try pairs.map { pair -> String in
            let data = try JSONSerialization.data(withJSONObject: ["anchor": pair.0, "positive": pair.1])
            return String(decoding: data, as: UTF8.self)
        }.joined(separator: "\n")
        let train = temporary.appendingPathComponent("pairs.jsonl")
        try Data(jsonl.utf8).write(to: train)
        let triplets = temporary.appendingPathComponent("triplets.tsv")
        let lines = ["anchor\tpositive\tnegative"] + pairs.enumerated().map { index, pair in
            "\(pair.0)\t\(pair.1)\t\(pairs[(index + 37) % pairs.count].1)"
        }
        try Data(lines.joined(separator: "\n").utf8).write(to: triplets)
        let output = temporary.appendingPathComponent("model")
        let result = try SbertProcessTests.run([
            "train", "--model", try TestResources.model("tiny-bert-legacy-pooling").path, "--train", train.path,
            "--columns", "anchor,positive", "--loss", "mnrl", "--batch-size", "16", "--max-steps", "4",
            "--eval", "triplet:\(triplets.path)", "--output", output.path,
        ])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.text.contains("triplet_cosine_accuracy"), "\(result.text)")
        #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent("model.safetensors").path))
        let card = try String(contentsOf: output.appendingPathComponent("README.md"), encoding: .utf8)
        #expect(card.contains("MultipleNegativesRankingLoss") && card.contains("no_duplicates"))

        let bad = try SbertProcessTests.run(["train", "--train", train.path, "--columns", "anchor,positive", "--loss", "cosent",
                                             "--output", output.path])
        #expect(bad.status != 0 && bad.standardError.contains("needs --label"))
    }
}
