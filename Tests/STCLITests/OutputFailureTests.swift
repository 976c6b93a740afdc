import Foundation
import STTestSupport
import Testing

/// Output that cannot be written: a full disk, a closed standard output, a reader that stops early, a symbolic link
/// in `-o`. Each ends with a message and a non-zero exit; nothing traps, nothing exits 0 with its output lost.
@Suite struct OutputFailureTests {
    /// Runs `sbert ARGUMENTS` through the shell with `redirection` applied to its standard output.
    static func shell(_ arguments: [String], redirection: String) throws -> (status: Int32, standardError: String) {
        let quoted = ([SbertProcessTests.executable.path] + arguments).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", quoted.joined(separator: " ") + " " + redirection]
        let error = Pipe()
        process.standardError = error
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let errorData = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: errorData, as: UTF8.self))
    }

    @Test(arguments: [["encode", "hello"], ["tokenize", "hello world"], ["similarity", "a cat", "a dog"]])
    func fullDiskIsAnError(command: [String]) throws {
        guard FileManager.default.fileExists(atPath: "/dev/full") else { return }
        let arguments = command + ["--model", try SbertProcessTests.modelPath()]
        let result = try Self.shell(arguments, redirection: "> /dev/full")
        #expect(result.status != 0, "\(command[0]) exited 0 with its output lost")
        #expect(result.standardError.contains("cannot write"), "\(result.standardError)")
    }

    @Test func closedStandardOutputIsAnError() throws {
        let result = try Self.shell(["encode", "--model", try SbertProcessTests.modelPath(), "hello"], redirection: ">&-")
        #expect(result.status != 0)
        #expect(result.standardError.contains("cannot write"), "\(result.standardError)")
    }

    /// `| head -n 1` closes the pipe after one line: the command stops with a message (EPIPE), not a trap.
    @Test func readerThatStopsEarly() throws {
        let lines = (0..<3000).map { "sentence number \($0)" }.joined(separator: "\n")
        let input = FileManager.default.temporaryDirectory.appendingPathComponent("lines-\(UUID().uuidString).txt")
        try Data(lines.utf8).write(to: input)
        let result = try Self.shell(["encode", "--model", try SbertProcessTests.modelPath(), "--input", input.path],
                                    redirection: "| head -n 1 > /dev/null; exit ${PIPESTATUS[0]}")
        #expect(result.status != 0 && result.status < 128, "status \(result.status): \(result.standardError)")
        #expect(!result.standardError.contains("Fatal error"), "\(result.standardError)")
    }

    /// `-o` writes atomically by renaming a new file into place, which would replace a symbolic link (or a device)
    /// with a regular file: it refuses instead and leaves the link and its target as they were.
    @Test func outputOntoASymbolicLinkIsRefused() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("out-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let target = directory.appendingPathComponent("target.jsonl"), link = directory.appendingPathComponent("link.jsonl")
        try Data("keep\n".utf8).write(to: target)
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: target)
        let result = try SbertProcessTests.run(["encode", "--model", try SbertProcessTests.modelPath(), "hello", "-o", link.path])
        #expect(result.status != 0)
        #expect(result.standardError.contains("symbolic link"), "\(result.standardError)")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link.path) == target.path)
        #expect(try String(contentsOf: target, encoding: .utf8) == "keep\n")
    }
}
