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

    @Test func killedRunResumesToTheSameWeights() throws {
        let temporary = FileManager.default.temporaryDirectory.appendingPathComponent("resume-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: temporary) }
        let lines = try String(contentsOf: TestResources.fixture("data/stsbenchmark/sts-train.csv"), encoding: .utf8)
            .split(separator: "\n").prefix(400)
        let data = temporary.appendingPathComponent("train.tsv")
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: data)

        let straight = temporary.appendingPathComponent("straight")
        let first = try SbertProcessTests.run(Self.arguments(data: data, output: straight))
        #expect(first.status == 0, "\(first.standardError)")

        let resumed = temporary.appendingPathComponent("resumed")
        let process = Process()
        process.executableURL = SbertProcessTests.executable
        process.arguments = try Self.arguments(data: data, output: resumed)
        process.standardError = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let checkpoint = resumed.appendingPathComponent("checkpoint-120")
        let deadline = Date().addingTimeInterval(120)
        while !FileManager.default.fileExists(atPath: checkpoint.path), process.isRunning, Date() < deadline { usleep(500) }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal, "the run ended before it could be killed")
        #expect(!FileManager.default.fileExists(atPath: resumed.appendingPathComponent("model.safetensors").path))
        let second = try SbertProcessTests.run(Self.arguments(data: data, output: resumed) + ["--resume"])
        #expect(second.status == 0, "\(second.standardError)")
        #expect(second.standardError.contains("resumed from checkpoint-"), "\(second.standardError)")

        let a = try Self.values(straight.appendingPathComponent("model.safetensors"))
        let b = try Self.values(resumed.appendingPathComponent("model.safetensors"))
        #expect(a.count == b.count && !a.isEmpty)
        let difference = zip(a, b).map { abs($0 - $1) }.max() ?? .infinity
        #expect(difference <= 1e-6, "resumed weights differ by \(difference)")
        // Training moved the weights, so equal weights say something.
        let base = try Self.values(TestResources.model("tiny-bert-legacy-pooling").appendingPathComponent("model.safetensors"))
        #expect(base.count != a.count || zip(a, base).contains { $0 != $1 })
        // Only the newest two checkpoints are kept.
        let kept = try FileManager.default.contentsOfDirectory(atPath: resumed.path).filter { $0.hasPrefix("checkpoint-") }
        #expect(kept.count == 2, "\(kept)")
    }
}
