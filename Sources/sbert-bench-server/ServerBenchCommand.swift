import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import SentenceTransformers
import STCLI

/// `sbert-bench-server`: load a running server with single-sentence `/embed` requests from many connections, check
/// every answer against the library's own vector for that sentence, and compare the throughput with the library's
/// batched `encode` measured in the same run. Prints JSON.
@main
struct ServerBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sbert-bench-server", abstract: "Load-test a running sbert serve; prints JSON.")

    @OptionGroup var modelOptions: ModelOptions
    @Option(help: "The server's base URL.")
    var url: String = "http://127.0.0.1:3000"
    @Option(help: "Sentences, one per line.")
    var input: String = "../shared/bench/short.txt"
    @Option(help: "Concurrent connections.")
    var connections: Int = 64
    @Option(help: "Seconds of load.")
    var duration: Double = 30
    @Option(help: "The server's process id, to report its peak RSS.")
    var serverPid: Int?

    /// Whether a `[[v0, v1, …]]` answer is the expected vector: the right number of values, and the first 16 equal to
    /// it within 1e-5 (read straight from the bytes, so checking every answer costs the client little CPU).
    static func matches(_ data: Data, _ expected: [Float]) -> Bool {
        guard data.count > 4, data.first == UInt8(ascii: "["), data.dropFirst().first == UInt8(ascii: "[") else { return false }
        let commas = data.reduce(0) { $1 == UInt8(ascii: ",") ? $0 + 1 : $0 }
        guard commas == expected.count - 1 else { return false }
        var values: [Float] = []
        var current: [UInt8] = []
        for byte in data.dropFirst(2) {
            if byte == UInt8(ascii: ",") || byte == UInt8(ascii: "]") {
                guard let value = Float(String(decoding: current, as: UTF8.self)) else { return false }
                values.append(value)
                current.removeAll(keepingCapacity: true)
                if values.count == 16 || byte == UInt8(ascii: "]") { break }
            } else {
                current.append(byte)
            }
        }
        return zip(values, expected).allSatisfy { abs($0 - $1) <= 1e-5 } && !values.isEmpty
    }

    func run() async throws {
        let sentences = try InputLines.read(path: input)
        let model = try modelOptions.load()
        // The library's own batched throughput, in the same run.
        let start = DispatchTime.now()
        let expected = try await model.encode(sentences, batchSize: 32, normalize: true)
        let libraryRate = Double(sentences.count) / Timing.seconds(since: start)
        let endpoint = url + "/embed"
        // One connection per client task, on SwiftNIO: a light client leaves the cores to the server.
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: connections)
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let deadline = Date().addingTimeInterval(duration)
        let results = try await withThrowingTaskGroup(of: [(status: Int, ok: Bool, ms: Double)].self) { group in
            for connection in 0..<connections {
                group.addTask {
                    var local: [(status: Int, ok: Bool, ms: Double)] = []
                    var index = connection
                    while Date() < deadline {
                        let sentence = sentences[index % sentences.count]
                        var request = HTTPClientRequest(url: endpoint)
                        request.method = .POST
                        request.headers.add(name: "Content-Type", value: "application/json")
                        request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: ["inputs": sentence])))
                        let begin = DispatchTime.now()
                        let status: Int, ok: Bool
                        do {
                            let response = try await client.execute(request, timeout: .seconds(120))
                            let body = try await response.body.collect(upTo: 1 << 22)
                            status = Int(response.status.code)
                            ok = status == 200 && Self.matches(Data(body.readableBytesView), expected[index % sentences.count])
                        } catch {
                            status = -1
                            ok = false
                        }
                        local.append((status, ok, Timing.seconds(since: begin) * 1000))
                        index += connections
                    }
                    return local
                }
            }
            var all: [(status: Int, ok: Bool, ms: Double)] = []
            for try await part in group { all += part }
            return all
        }
        try await client.shutdown()
        let succeeded = results.filter { $0.status == 200 }
        let latencies = succeeded.map(\.ms).sorted()
        var statuses: [String: Int] = [:]
        for result in results { statuses[String(result.status), default: 0] += 1 }
        var report: [String: Any] = [
            "connections": connections, "duration_s": duration, "requests": results.count, "statuses": statuses,
            "mismatched_responses": succeeded.filter { !$0.ok }.count,
            "throughput_per_s": Double(succeeded.count) / duration, "library_encode_per_s": libraryRate,
            "ratio_to_library": Double(succeeded.count) / duration / libraryRate,
            "p50_ms": Timing.percentile(latencies, 0.5), "p99_ms": Timing.percentile(latencies, 0.99),
        ]
        if let serverPid, let status = try? String(contentsOfFile: "/proc/\(serverPid)/status", encoding: .utf8),
           let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) {
            report["server_peak_rss_mib"] = (Double(line.split(separator: " ").dropFirst().first ?? "") ?? 0) / 1024
        }
        let data = try JSONSerialization.data(withJSONObject: report, options: [.prettyPrinted, .sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }
}
