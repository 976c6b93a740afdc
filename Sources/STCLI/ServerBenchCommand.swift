import ArgumentParser
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import SentenceTransformers

/// `sbert bench-server`: load a running server with single-sentence `/embed` requests from many connections, check
/// every answer against the library's own vector for that sentence, and compare the throughput with the library's
/// batched `encode` measured in the same run. Prints JSON.
struct ServerBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bench-server", abstract: "Load-test a running sbert serve; prints JSON.")

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

    func run() async throws {
        let sentences = try InputLines.read(path: input)
        let model = try modelOptions.load()
        // The library's own batched throughput, in the same run.
        let start = DispatchTime.now()
        let expected = try model.encode(sentences, batchSize: 32, normalize: true)
        let libraryRate = Double(sentences.count) / BenchCommand.seconds(since: start)
        guard let endpoint = URL(string: url + "/embed") else { throw CLIError("bad --url \(url)") }
        let deadline = Date().addingTimeInterval(duration)
        let results = try await withThrowingTaskGroup(of: [(status: Int, ok: Bool, ms: Double)].self) { group in
            for connection in 0..<connections {
                group.addTask {
                    var local: [(status: Int, ok: Bool, ms: Double)] = []
                    var index = connection
                    while Date() < deadline {
                        let sentence = sentences[index % sentences.count]
                        var request = URLRequest(url: endpoint)
                        request.httpMethod = "POST"
                        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
                        request.httpBody = try JSONSerialization.data(withJSONObject: ["inputs": sentence])
                        let begin = DispatchTime.now()
                        let status: Int, ok: Bool
                        do {
                            let (data, response) = try await URLSession.shared.data(for: request)
                            status = (response as? HTTPURLResponse)?.statusCode ?? 0
                            let row = ((try? JSONSerialization.jsonObject(with: data)) as? [[NSNumber]])?.first?.map(\.floatValue) ?? []
                            let reference = expected[index % sentences.count]
                            ok = status == 200 && row.count == reference.count && zip(row, reference).allSatisfy { abs($0 - $1) <= 1e-5 }
                        } catch {
                            status = -1
                            ok = false
                        }
                        local.append((status, ok, BenchCommand.seconds(since: begin) * 1000))
                        index += connections
                    }
                    return local
                }
            }
            var all: [(status: Int, ok: Bool, ms: Double)] = []
            for try await part in group { all += part }
            return all
        }
        let succeeded = results.filter { $0.status == 200 }
        let latencies = succeeded.map(\.ms).sorted()
        var statuses: [String: Int] = [:]
        for result in results { statuses[String(result.status), default: 0] += 1 }
        var report: [String: Any] = [
            "connections": connections, "duration_s": duration, "requests": results.count, "statuses": statuses,
            "mismatched_responses": succeeded.filter { !$0.ok }.count,
            "throughput_per_s": Double(succeeded.count) / duration, "library_encode_per_s": libraryRate,
            "ratio_to_library": Double(succeeded.count) / duration / libraryRate,
            "p50_ms": BenchCommand.percentile(latencies, 0.5), "p99_ms": BenchCommand.percentile(latencies, 0.99),
        ]
        if let serverPid, let status = try? String(contentsOfFile: "/proc/\(serverPid)/status", encoding: .utf8),
           let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) {
            report["server_peak_rss_mib"] = (Double(line.split(separator: " ").dropFirst().first ?? "") ?? 0) / 1024
        }
        let data = try JSONSerialization.data(withJSONObject: report, options: [.prettyPrinted, .sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }
}
