import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import HummingbirdTesting
import SentenceTransformers
import STServer
import STTestSupport
import Testing

/// `sbert serve` as a process (graceful SIGTERM) and the playground page in a real headless Chromium.
@Suite(.serialized) struct ServerProcessTests {
    static var sbert: URL { URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("sbert") }

    /// A port nothing listens on (bound and released).
    static func freePort() throws -> Int {
        let probe = try LoopbackHTTPServer { _ in .init(status: 404) }
        let port = probe.port
        probe.stop()
        return port
    }

    /// Polls `/health` up to `attempts` times, 200 ms apart. Counted in attempts, not wall time: while other suites'
    /// long synchronous tests hold the cooperative threads this loop does not run, and that time must not count.
    static func waitForHealth(port: Int, attempts: Int = 600) async throws {
        for _ in 0..<attempts {
            if let url = URL(string: "http://127.0.0.1:\(port)/health"), let (_, response) = try? await ServerLoopbackTests.session.data(from: url),
               (response as? HTTPURLResponse)?.statusCode == 200 { return }
            try await Task.sleep(nanoseconds: 200_000_000)
        }
        Issue.record("server on port \(port) did not become healthy")
    }

    /// The server's queue size and batch count, from `/metrics`; nil while it cannot be read.
    static func work(port: Int) async -> (queued: Int, batches: Double)? {
        guard let url = URL(string: "http://127.0.0.1:\(port)/metrics"), let (data, _) = try? await ServerLoopbackTests.session.data(from: url) else { return nil }
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n")
        func value(_ name: String) -> Double? { lines.first { $0.hasPrefix(name + " ") }.flatMap { Double($0.split(separator: " ").last ?? "") } }
        return (Int(value("te_queue_size") ?? 0), value("te_batch_next_size_count") ?? 0)
    }

    /// Polls `/metrics` until the server has queued a request or run a batch beyond the `baseline` count (the warm-up
    /// batch at start counts one), up to 60,000 times 10 ms: counted in attempts, as `waitForHealth`, because a busy
    /// machine may be that slow to deliver the first request, and signalling before it would leave nothing to answer.
    /// - Returns: whether the server showed work.
    static func waitForWork(port: Int, baseline: Double) async throws -> Bool {
        for _ in 0..<60_000 {
            if let work = await work(port: port), work.queued > 0 || work.batches > baseline { return true }
            try await Task.sleep(nanoseconds: 10_000_000)
        }
        return false
    }

    @Test func sigtermFinishesAcceptedRequestsAndExitsZero() async throws {
        let port = try Self.freePort()
        let process = Process()
        process.executableURL = Self.sbert
        process.arguments = ["serve", "--model", try TestResources.model("all-MiniLM-L6-v2").path, "--host", "127.0.0.1", "--port", String(port)]
        // The graceful path, not the deadline (ShutdownDeadlineTests covers that): on a machine other suites keep busy,
        // 48 long requests can outlast the default 10 s, and the escalation would then close them all unanswered.
        process.environment = ProcessInfo.processInfo.environment.merging(["SHUTDOWN_TIMEOUT": "600"]) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        try await Self.waitForHealth(port: port)
        // The warm-up batch at start shows in the batch count: work is what comes after it.
        let baseline = try #require(await Self.work(port: port), "/metrics did not answer").batches
        let long = try InputLinesHelper.sentences(count: 64).joined(separator: " ")
        let statuses = try await withThrowingTaskGroup(of: Int?.self) { group -> [Int?] in
            for index in 0..<48 {
                group.addTask {
                    try? await Task.sleep(nanoseconds: UInt64(index) * 2_000_000)
                    let result = try? await ServerLoopbackTests.post(port: port, path: "/embed", json: "{\"inputs\": \(JSONText.quote(long)), \"truncate\": true}")
                    return result?.0
                }
            }
            // SIGTERM once the server has taken requests (its queue or a batch beyond the warm-up shows them): a fixed
            // delay, or counting the warm-up batch as work, let a loaded machine signal before any request arrived, and
            // then nothing was answered.
            let working = try await Self.waitForWork(port: port, baseline: baseline)
            #expect(working, "the server showed no request in 60,000 polls of /metrics")
            kill(process.processIdentifier, SIGTERM)
            var statuses: [Int?] = []
            for try await status in group { statuses.append(status) }
            return statuses
        }
        process.waitUntilExit()
        let answered = statuses.compactMap { $0 }
        // Every request the server took was answered in full; the others were refused at the door.
        #expect(answered.allSatisfy { $0 == 200 }, "\(statuses)")
        #expect(!answered.isEmpty, "no request was answered: \(statuses)")
        #expect(process.terminationReason == .exit && process.terminationStatus == 0)
    }

    @Test func playgroundInHeadlessChromium() async throws {
        let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].first { FileManager.default.isExecutableFile(atPath: $0) }
        let browser = try #require(chromium, "Chromium is not installed (scripts/setup.sh installs Debian's chromium)")
        let model = try ServerRouteTests.model.get()
        let reranker = try ServerRouteTests.reranker.get()
        let app = try buildApplication(configuration: ServerRouteTests.configuration(), model: model, reranker: reranker)
        let sentences = ["A man is eating food.", "A man is riding a horse.", "The girl is carrying a baby."]
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let query = "Someone is having a meal."
            let page = "http://127.0.0.1:\(port)/?sentences=\(sentences.joined(separator: "|").addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")"
                + "&query=\(query.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")&run=1"
            @Sendable func chrome(_ extra: [String]) throws -> String {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: browser)
                process.arguments = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                                     "--user-data-dir=\(FileManager.default.temporaryDirectory.appendingPathComponent("chromium-\(UUID())").path)",
                                     "--virtual-time-budget=20000", "--window-size=1000,1200"] + extra + [page]
                let output = Pipe()
                process.standardOutput = output
                process.standardError = FileHandle.nullDevice
                try process.run()
                let data = output.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                return String(decoding: data, as: UTF8.self)
            }
            let dom = try await onDedicatedThread { try chrome(["--dump-dom"]) }
            let cells = dom.components(separatedBy: "class=\"cell\"").count - 1
            #expect(cells == sentences.count * sentences.count, "heatmap cells: \(cells)\n\(dom.prefix(2000))")
            let ranked = dom.components(separatedBy: "class=\"ranked\"").dropFirst().compactMap { $0.split(separator: "\"").dropFirst().first.flatMap { Int($0) } }
            let expected = try await reranker.rank(query: query, documents: sentences).map(\.corpusID)
            #expect(ranked == expected, "ranking \(ranked)")
            #expect(dom.contains("(reranker)"))
            let artifacts = TestResources.packageRoot.appendingPathComponent("artifacts")
            try FileManager.default.createDirectory(at: artifacts, withIntermediateDirectories: true)
            let screenshot = artifacts.appendingPathComponent("playground.png")
            try? FileManager.default.removeItem(at: screenshot)
            _ = try await onDedicatedThread { try chrome(["--screenshot=\(screenshot.path)"]) }
            #expect(((try? FileManager.default.attributesOfItem(atPath: screenshot.path)[.size]) as? NSNumber)?.intValue ?? 0 > 10_000)
        }
    }
}
