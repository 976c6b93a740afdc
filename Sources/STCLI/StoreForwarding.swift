import Foundation

/// Hands a command whose `--store` this executable cannot open (a `milvus://` location in `sbert`) to the
/// executable that can: `sbert-milvus`, looked up beside this executable and then on `PATH`, run with the same
/// arguments in place of this process.
enum StoreForwarding {
    static let executableName = "sbert-milvus"

    /// Replaces this process with `sbert-milvus` when `location` needs it; returns when this executable opens it.
    /// - Throws: ``CLIError`` when `sbert-milvus` is not found or cannot be started.
    static func forwardIfNeeded(_ location: String?) throws {
        guard let location, !StoreSchemes.opensHere(location) else { return }
        guard let path = executablePath() else {
            throw CLIError("\(location): \(StoreSchemes.scheme(of: location) ?? "")://… stores are served by \(executableName), which is not beside this program nor on PATH (build it with `swift build -c release --product \(executableName)`)")
        }
        let arguments = [path] + CommandLine.arguments.dropFirst()
        let argv = arguments.map { strdup($0) } + [nil]
        execv(path, argv)
        throw CLIError("cannot run \(path): \(String(cString: strerror(errno)))")
    }

    static func executablePath() -> String? {
        var candidates: [String] = []
        if let own = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            candidates.append(URL(fileURLWithPath: own).deletingLastPathComponent().appendingPathComponent(executableName).path)
        }
        candidates.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(executableName).path)
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            candidates.append("\(directory)/\(executableName)")
        }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
