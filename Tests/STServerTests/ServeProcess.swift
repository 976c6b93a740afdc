import Foundation
import STTestSupport
import Testing

/// `sbert serve` as a child process on a free port, with the given extra arguments.
final class ServeProcess: Sendable {
    let port: Int
    let process: Process

    /// Starts the server and waits until `/health` answers.
    init(arguments: [String]) async throws {
        port = try ServerProcessTests.freePort()
        process = Process()
        process.executableURL = ServerProcessTests.sbert
        process.arguments = ["serve", "--model", try TestResources.model("all-MiniLM-L6-v2").path, "--host", "127.0.0.1",
                             "--port", String(port)] + arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        try await ServerProcessTests.waitForHealth(port: port)
    }

    func stop() {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }

    deinit { if process.isRunning { process.terminate() } }
}

/// One `sbert serve` for a whole suite (loading the model is the slow part), stopped when the suite ends; its tests
/// find it in ``current``.
struct SharedServeProcess: SuiteTrait, TestScoping {
    @TaskLocal static var current: ServeProcess?
    let arguments: [String]

    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        let server = try await ServeProcess(arguments: arguments)
        defer { server.stop() }
        try await Self.$current.withValue(server) { try await function() }
    }

    static func server() throws -> ServeProcess { try #require(current, "the suite has no .sharedServer trait") }
}

extension Trait where Self == SharedServeProcess {
    static func sharedServer(_ arguments: [String]) -> Self { SharedServeProcess(arguments: arguments) }
}
