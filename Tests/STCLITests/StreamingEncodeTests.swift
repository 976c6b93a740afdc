import Foundation
import STTestSupport
import Testing

/// `sbert encode` over inputs far larger than a batch: memory stays flat, every line gets its row (issue #17: 200,000
/// lines held 2.95 GB of output before the first byte was written).
@Suite struct StreamingEncodeTests {
    /// `count` short lines, each made of a few words drawn with a fixed seed.
    static func lines(_ count: Int) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("lines-\(count)-\(UUID()).txt")
        let words = ["the", "a", "man", "woman", "dog", "eats", "runs", "quickly", "house", "blue", "green", "happy"]
        var generator = SeededGenerator(seed: 1_000_000)
        var text = ""
        text.reserveCapacity(count * 32)
        for _ in 0..<count {
            text += (0..<Int.random(in: 3...8, using: &generator)).map { _ in words[Int.random(in: 0..<words.count, using: &generator)] }
                .joined(separator: " ") + "\n"
        }
        try text.write(to: url, atomically: false, encoding: .utf8)
        return url
    }

    /// Runs `sbert` with `arguments` and samples its peak resident set (`VmHWM`) until it exits.
    static func runMeasuringPeak(_ arguments: [String]) throws -> (status: Int32, peakMiB: Double, seconds: Double, standardError: String) {
        let process = Process()
        process.executableURL = SbertProcessTests.executable
        process.arguments = arguments
        let error = Pipe()
        process.standardError = error
        process.standardOutput = FileHandle.nullDevice
        let start = Date()
        try process.run()
        var peakKiB = 0.0
        while process.isRunning {
            if let status = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8),
               let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
               let kib = Double(line.split(separator: " ").dropFirst().first ?? "") {
                peakKiB = max(peakKiB, kib)
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        let errorText = String(decoding: error.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, peakKiB / 1024, Date().timeIntervalSince(start), errorText)
    }

    static func lineCount(_ url: URL) throws -> Int {
        try Data(contentsOf: url).reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/proc/self/status"), "peak memory is read from /proc"))
    func aMillionLinesInFlatMemory() throws {
        let model = try TestResources.model("tiny-bert-legacy-pooling").path
        var peaks: [Int: Double] = [:]
        // A million lines with SBERT_FULL_TESTS=1; in CI 100,000 (200,000 took 66 s on a two-core Xeon), ten times the
        // small run and many chunks.
        let many = TestScale.count(whole: 1_000_000, sample: 100_000)
        for count in [10_000, many] {
            let input = try Self.lines(count)
            let output = FileManager.default.temporaryDirectory.appendingPathComponent("rows-\(count)-\(UUID()).jsonl")
            defer { try? FileManager.default.removeItem(at: input); try? FileManager.default.removeItem(at: output) }
            let run = try Self.runMeasuringPeak(["encode", "--model", model, "--input", input.path, "--output", output.path])
            #expect(run.status == 0, "\(run.standardError)")
            #expect(try Self.lineCount(output) == count)
            peaks[count] = run.peakMiB
            print("sbert encode, \(count) lines: peak RSS \(String(format: "%.1f", run.peakMiB)) MiB, \(String(format: "%.1f", run.seconds)) s")
        }
        // Many times the input, the same memory give or take a chunk's worth.
        let small = try #require(peaks[10_000]), large = try #require(peaks[many])
        #expect(large < small + 64, "peak RSS \(large) MiB for \(many) lines against \(small) MiB for 10,000")
    }

    /// A 50 MB line took 3.1 GB: it was tokenized whole before truncation to 256 tokens.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/proc/self/status"), "peak memory is read from /proc"))
    func aFiftyMegabyteLineCostsItsFirstTokens() throws {
        let model = try TestResources.model("tiny-bert-legacy-pooling").path
        let input = FileManager.default.temporaryDirectory.appendingPathComponent("long-line-\(UUID()).txt")
        defer { try? FileManager.default.removeItem(at: input) }
        let phrase = "a man is eating food while the dog runs in the green house "
        try (String(repeating: phrase, count: 50_000_000 / phrase.utf8.count) + "\nshort line\n").write(to: input, atomically: false, encoding: .utf8)
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("long-line-rows-\(UUID()).jsonl")
        defer { try? FileManager.default.removeItem(at: output) }
        let run = try Self.runMeasuringPeak(["encode", "--model", model, "--input", input.path, "--output", output.path])
        print("sbert encode, one 50 MB line: peak RSS \(String(format: "%.1f", run.peakMiB)) MiB, \(String(format: "%.1f", run.seconds)) s")
        #expect(run.status == 0, "\(run.standardError)")
        #expect(try Self.lineCount(output) == 2)
        // The line itself is read, lowercased and prefixed once each (50 MB apiece); nothing grows with its tokens.
        #expect(run.peakMiB < 400)
    }

    /// A chunked run writes exactly what one pass over all lines would: the same rows, in input order, every format.
    @Test func chunkedOutputEqualsTheWholeInput() throws {
        let model = try TestResources.model("tiny-bert-legacy-pooling").path
        let input = try Self.lines(9_000)   // two full chunks and a partial one
        let lines = try String(contentsOf: input, encoding: .utf8).split(separator: "\n").map(String.init)
        let whole = try SbertProcessTests.run(["encode", "--model", model, "--format", "jsonl"] + lines.prefix(300))
        let streamed = try SbertProcessTests.run(["encode", "--model", model, "--format", "jsonl", "--input", input.path])
        #expect(whole.status == 0 && streamed.status == 0, "\(streamed.standardError)")
        let streamedRows = streamed.text.split(separator: "\n")
        #expect(streamedRows.count == 9_000)
        // The same rows in the same order. Not bit for bit on every path: a chunk batches other lines together than
        // the whole run does, and the portable path's BLAS may round a row differently in a batch of another size
        // (the packed kernels of the x86 and NEON paths do not), so values agree to float rounding, 1e-5 relative.
        func rows(_ lines: some Sequence<Substring>) -> [[Double]] {
            lines.map { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [Double] ?? [] }
        }
        let wholeRows = rows(whole.text.split(separator: "\n")), firstRows = rows(streamedRows.prefix(300))
        #expect(wholeRows.count == 300 && firstRows.count == 300)
        #expect(zip(firstRows, wholeRows).allSatisfy { streamedRow, wholeRow in
            !wholeRow.isEmpty && streamedRow.count == wholeRow.count
                && zip(streamedRow, wholeRow).allSatisfy { abs($0 - $1) <= 1e-5 * max(1, abs($1)) }
        }, "the chunked run's first 300 rows differ from one pass over those lines")
        for format in ["json", "csv", "npy"] {
            let output = FileManager.default.temporaryDirectory.appendingPathComponent("rows-\(UUID()).\(format)")
            let toFile = try SbertProcessTests.run(["encode", "--model", model, "--format", format, "--input", input.path, "--output", output.path])
            let toStandardOutput = try SbertProcessTests.run(["encode", "--model", model, "--format", format, "--input", input.path])
            #expect(toFile.status == 0 && toStandardOutput.status == 0, "\(format): \(toFile.standardError)")
            #expect(try Data(contentsOf: output) == toStandardOutput.standardOutput, "\(format): the file and standard output differ")
            try? FileManager.default.removeItem(at: output)
        }
        let json = try JSONSerialization.jsonObject(with: try SbertProcessTests.run(["encode", "--model", model, "--format", "json", "--input", input.path]).standardOutput)
        #expect((json as? [[Double]])?.count == 9_000)
    }
}
