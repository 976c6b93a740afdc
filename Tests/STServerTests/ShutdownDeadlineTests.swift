import Foundation
import STTestSupport
import Testing

/// SIGTERM while a client holds a request whose body never comes: the request gets `--shutdown-timeout`, then its
/// connection is cut and the process exits 0. Before: the process stayed alive as long as the client did.
@Suite struct ShutdownDeadlineTests {
    @Test func sigtermWithAStalledClientExitsWithinTheDeadline() async throws {
        // A body timeout far beyond the shutdown deadline, so that only the deadline can end the stalled request.
        let server = try await ServeProcess(arguments: ["--shutdown-timeout", "2", "--body-read-timeout", "120"])
        defer { server.stop() }
        let port = server.port
        let process = server.process
        let (ending, clientSeconds, exitSeconds) = try await onDedicatedThread {
            let client = try RawHTTPClient(port: port)
            client.send("POST /embed HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"inputs\":")
            Thread.sleep(forTimeInterval: 0.5)  // the request is in the route, waiting for its body
            let start = Date()
            kill(process.processIdentifier, SIGTERM)
            let (_, ending) = client.readUntilClosed(timeout: 60)
            let clientSeconds = -start.timeIntervalSinceNow
            process.waitUntilExit()
            return (ending, clientSeconds, -start.timeIntervalSinceNow)
        }
        print("SIGTERM with a stalled client: connection \(ending) after \(String(format: "%.2f", clientSeconds)) s, "
              + "exit \(process.terminationStatus) after \(String(format: "%.2f", exitSeconds)) s (deadline 2 s)")
        #expect(ending != .timedOut && clientSeconds >= 1.5)
        #expect(exitSeconds < 2 + 3)
        #expect(process.terminationReason == .exit && process.terminationStatus == 0)
    }
}
