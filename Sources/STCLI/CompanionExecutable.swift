import Foundation

/// The executables `sbert` hands a command over to, so that `sbert` itself compiles neither the HTTP server
/// (SwiftNIO, Hummingbird) nor the Milvus client (gRPC, protobuf, TLS): `sbert serve` runs `sbert-serve`, and a
/// command with a `milvus://` store runs `sbert-milvus`.
package enum CompanionExecutable: String, Sendable {
    case serve = "sbert-serve"
    case milvus = "sbert-milvus"

    /// Replaces this process with the companion, run with `arguments` (without the program name).
    /// - Parameter purpose: what the companion is needed for, named in the error when it is missing.
    /// - Throws: ``CLIError`` when the companion is not beside this program nor on `PATH`, or cannot be started.
    package func exec(arguments: [String], purpose: String) throws -> Never {
        guard let path = path() else {
            throw CLIError("\(purpose) needs \(rawValue), which is not beside this program nor on PATH (build it with `swift build -c release --product \(rawValue)`)")
        }
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        execv(path, argv)
        throw CLIError("cannot run \(path): \(String(cString: strerror(errno)))")
    }

    /// The companion's path: beside this executable (as SwiftPM builds and installs them), then on `PATH`.
    package func path() -> String? {
        var candidates: [String] = []
        if let own = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            candidates.append(URL(fileURLWithPath: own).deletingLastPathComponent().appendingPathComponent(rawValue).path)
        }
        if let program = CommandLine.arguments.first, program.contains("/") {
            candidates.append(URL(fileURLWithPath: program).deletingLastPathComponent().appendingPathComponent(rawValue).path)
        }
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            candidates.append("\(directory)/\(rawValue)")
        }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
