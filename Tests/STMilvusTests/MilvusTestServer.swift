import Foundation
import STMilvus
import STTestSupport
import Testing

/// The two servers the Milvus tests run against, both from PyPI (scripts/setup-tests.sh installs them).
enum MilvusServerKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    /// Milvus 2.3.5 standalone (`milvus==2.3.5`, in `.venv-milvus`).
    case standalone
    /// milvus-lite 3.2.2 (`milvus-lite`, in `.venv-milvus-lite`).
    case lite

    var testDescription: String { rawValue }
    var venv: String { self == .standalone ? ".venv-milvus" : ".venv-milvus-lite" }
}

/// A Milvus server started by the tests on a free loopback port, once per kind per test process, through
/// `scripts/milvus-server.py`. It stops when the test process exits (the launcher watches its standard input).
final class MilvusTestServer: Sendable {
    let kind: MilvusServerKind
    let port: Int
    private let process: Process
    private let input: Pipe

    private init(kind: MilvusServerKind, port: Int, process: Process, input: Pipe) {
        self.kind = kind
        self.port = port
        self.process = process
        self.input = input
    }

    /// A client of this server (short timeout: the tests want failures fast).
    func client(timeout: Duration = .seconds(60)) throws -> MilvusClient {
        var configuration = MilvusConfiguration(host: "127.0.0.1", port: port)
        configuration.timeout = timeout
        return try MilvusClient(configuration)
    }

    /// `milvus://127.0.0.1:PORT/COLLECTION`.
    func url(_ collection: String) -> String { "milvus://127.0.0.1:\(port)/\(collection)" }

    private static let started = StartedServers()

    /// The running server of `kind`, started on first use.
    static func shared(_ kind: MilvusServerKind) async throws -> MilvusTestServer {
        try await started.server(kind)
    }

    actor StartedServers {
        private var tasks: [MilvusServerKind: Task<MilvusTestServer, any Error>] = [:]

        func server(_ kind: MilvusServerKind) async throws -> MilvusTestServer {
            if let task = tasks[kind] { return try await task.value }
            let task = Task.detached { try MilvusTestServer.start(kind) }
            tasks[kind] = task
            return try await task.value
        }
    }

    struct StartFailure: Error, CustomStringConvertible {
        let description: String
    }

    /// A port that was free a moment ago.
    static func freePort() throws -> Int {
        let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) == 0 && getsockname(socket, $0, &length) == 0 }
        }
        guard bound else { throw StartFailure(description: "no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    private static func start(_ kind: MilvusServerKind) throws -> MilvusTestServer {
        let root = TestResources.packageRoot
        let python = root.appendingPathComponent("\(kind.venv)/bin/python")
        guard FileManager.default.isExecutableFile(atPath: python.path) else {
            throw StartFailure(description: "\(python.path) is missing: run scripts/setup-tests.sh")
        }
        let port = try freePort()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sbert-milvus-\(kind.rawValue)-\(UUID().uuidString)")
        let process = Process()
        process.executableURL = python
        process.arguments = [root.appendingPathComponent("scripts/milvus-server.py").path, "--kind", kind.rawValue,
                             "--dir", directory.path, "--port", String(port), "--remove-dir"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Wait for `ready PORT` (Milvus 2.3.5 takes 10-40 s to start on two cores).
        var text = ""
        let deadline = Date().addingTimeInterval(240)
        while !text.contains("ready"), Date() < deadline, process.isRunning {
            let data = output.fileHandleForReading.availableData
            if data.isEmpty { break }
            text += String(decoding: data, as: UTF8.self)
        }
        guard text.contains("ready \(port)") else {
            process.terminate()
            throw StartFailure(description: "the \(kind.rawValue) Milvus server did not start: \(text)")
        }
        return MilvusTestServer(kind: kind, port: port, process: process, input: input)
    }
}

/// A collection name unique to one test.
func uniqueCollection(_ prefix: String) -> String {
    "\(prefix)_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12))"
}
