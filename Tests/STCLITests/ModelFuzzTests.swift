import Foundation
import STTestSupport
import Testing

/// Mutation fuzzing of whole model directories through the `sbert` executable (issue #17), with a fixed seed and case
/// count (`SBERT_FUZZ_CASES`, default 300 with `SBERT_FULL_TESTS=1`, else 150; `SBERT_FUZZ_SEED`): each case copies a small model, applies one hostile edit
/// (a config value, a module path, a tokenizer field or regex, a safetensors header, offset, length or NaN weights, a
/// truncated or extended file) or feeds random bytes as text, runs `sbert encode` in its own process with a deadline,
/// and sorts the outcome. A case passes when it embeds every text with finite numbers or ends with a clean error
/// (exit 1 and a message); a signal, a deadline passed, or a non-finite number in the output fails the suite.
@Suite struct ModelFuzzTests {
    enum Outcome: String, CaseIterable {
        case embedded = "embedded", cleanError = "clean error", crashed = "CRASHED", hung = "HUNG", nonFinite = "NON-FINITE OUTPUT"
    }

    static let models = ["tiny-bert-legacy-pooling", "tiny-roberta-max", "tiny-xlm-roberta-cls-dense", "tiny-distilbert-weightedmean"]
    nonisolated(unsafe) static let hostileNumbers: [Any] = [0, -1, -2, 1, 2, 3, 127, 128, 256, 65_535, 2_147_483_647, 2_147_483_648, 4_294_974_888,
                                        9_007_199_254_740_993, -4_611_686_018_427_387_904, 1e308, -1e308, 0.5, -0.0, 1e-300]
    nonisolated(unsafe) static let hostileValues: [Any] = hostileNumbers + ["", "x", "../../outside", "/etc", NSNull(), true, [Any](), [String: Any]()]
    static let hostileRegexes = [#"(\w+\s?)+$"#, #"(a|aa)+$"#, #"(x+x+)+y"#, #"\s*[\r\n]+"#, #"[[:alpha:]"#, #"(?<=a+)b"#, #"\p{Han}"#, ""]

    /// One mutated copy of a model: unmutated files are symbolic links to the original (never written through), the
    /// mutated one a new regular file.
    struct Case {
        var model: String
        var file: String
        var edit: String
        var contents: Data
    }

    static func mutate(_ model: URL, using generator: inout SeededGenerator) throws -> Case? {
        let files = (FileManager.default.enumerator(at: model.resolvingSymlinksInPath(), includingPropertiesForKeys: nil)?.allObjects as? [URL] ?? [])
            .filter { (try? $0.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true }
        let base = model.resolvingSymlinksInPath().path
        let relative = files.map { String($0.path.dropFirst(base.count + 1)) }.filter { !$0.hasSuffix(".md") }
        guard let file = relative.randomElement(using: &generator) else { return nil }
        let original = try Data(contentsOf: URL(fileURLWithPath: base + "/" + file))
        var data = original
        var edit: String
        switch Int.random(in: 0..<10, using: &generator) {
        case 0:
            let cut = Int.random(in: 0...max(0, data.count - 1), using: &generator)
            data = data.prefix(cut)
            edit = "cut at byte \(cut)"
        case 1:
            let count = Int.random(in: 1...64, using: &generator)
            data += Data((0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) })
            edit = "\(count) random bytes appended"
        case 2:
            for _ in 0..<Int.random(in: 1...8, using: &generator) where !data.isEmpty {
                data[Int.random(in: 0..<data.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
            }
            edit = "random bytes overwritten"
        default:
            if file.hasSuffix(".safetensors") {
                (data, edit) = mutateSafetensors(data, using: &generator)
            } else if file.hasSuffix(".json"), let json = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) {
                let (mutated, path) = mutateJSON(json, file: file, using: &generator)
                guard JSONSerialization.isValidJSONObject(mutated) || !(mutated is [String: Any] || mutated is [Any]),
                      let encoded = try? JSONSerialization.data(withJSONObject: mutated, options: [.fragmentsAllowed]) else { return nil }
                data = encoded
                edit = "JSON \(path)"
            } else {
                data = Data()
                edit = "emptied"
            }
        }
        return Case(model: model.lastPathComponent, file: file, edit: edit, contents: data)
    }

    /// A random leaf of `json` replaced by a hostile value (a regex where the key says pattern); returns the path.
    static func mutateJSON(_ json: Any, file: String, using generator: inout SeededGenerator) -> (Any, String) {
        func pick(_ value: Any, _ path: String, depth: Int) -> (Any, String) {
            if var object = value as? [String: Any], !object.isEmpty, depth < 12 {
                let key = object.keys.sorted().randomElement(using: &generator) ?? ""
                let descend = Int.random(in: 0..<4, using: &generator) > 0
                if descend, let child = object[key], child is [String: Any] || child is [Any] {
                    let (mutated, where_) = pick(child, path + "." + key, depth: depth + 1)
                    object[key] = mutated
                    return (object, where_)
                }
                if Int.random(in: 0..<8, using: &generator) == 0 {
                    object.removeValue(forKey: key)
                    return (object, path + "." + key + " removed")
                }
                let replacement = key.lowercased().contains("regex")
                    ? hostileRegexes.randomElement(using: &generator) ?? ""
                    : hostileValues.randomElement(using: &generator) ?? 0
                object[key] = replacement
                return (object, path + "." + key + " = \(replacement)")
            }
            if var array = value as? [Any], !array.isEmpty, depth < 12 {
                let index = Int.random(in: 0..<array.count, using: &generator)
                let (mutated, where_) = pick(array[index], path + "[\(index)]", depth: depth + 1)
                array[index] = mutated
                return (array, where_)
            }
            let replacement = hostileValues.randomElement(using: &generator) ?? 0
            return (replacement, path + " = \(replacement)")
        }
        return pick(json, file, depth: 0)
    }

    static func mutateSafetensors(_ data: Data, using generator: inout SeededGenerator) -> (Data, String) {
        guard data.count >= 8 else { return (data, "unchanged") }
        let headerLength = Int(data.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
        var data = data
        switch Int.random(in: 0..<4, using: &generator) {
        case 0:
            let delta = [-8, -4, -1, 1, 4, 8, 1 << 20].randomElement(using: &generator) ?? 1
            withUnsafeBytes(of: UInt64(max(0, headerLength + delta)).littleEndian) { data.replaceSubrange(0..<8, with: $0) }
            return (data, "header length \(headerLength) → \(headerLength + delta)")
        case 1:
            // NaN bit patterns over a stretch of the weights.
            guard data.count > 8 + headerLength + 64 else { return (data, "unchanged") }
            let start = Int.random(in: (8 + headerLength)..<(data.count - 16), using: &generator) & ~3
            for offset in stride(from: start, to: min(data.count - 3, start + 64), by: 4) {
                data.replaceSubrange(offset..<(offset + 4), with: [0xFF, 0xFF, 0xC0, 0x7F])
            }
            return (data, "NaN weights at byte \(start)")
        default:
            guard 8 + headerLength <= data.count,
                  let header = try? JSONSerialization.jsonObject(with: data[8..<(8 + headerLength)]) else { return (data, "unchanged") }
            let (mutated, path) = mutateJSON(header, file: "header", using: &generator)
            guard let encoded = try? JSONSerialization.data(withJSONObject: mutated) else { return (data, "unchanged") }
            var result = withUnsafeBytes(of: UInt64(encoded.count).littleEndian) { Data($0) }
            result += encoded
            result += data[(8 + headerLength)...]
            return (result, "safetensors \(path)")
        }
    }

    /// Writes the case's directory: links to the original's files, the mutated file new.
    static func materialize(_ fuzzCase: Case, from model: URL, in root: URL) throws -> URL {
        let base = model.resolvingSymlinksInPath()
        let directory = root.appendingPathComponent(UUID().uuidString)
        let manager = FileManager.default
        for case let url as URL in manager.enumerator(at: base, includingPropertiesForKeys: nil)?.allObjects ?? [] {
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true else { continue }
            let relative = String(url.resolvingSymlinksInPath().path.dropFirst(base.path.count + 1))
            let target = directory.appendingPathComponent(relative)
            try manager.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            if relative == fuzzCase.file {
                try fuzzCase.contents.write(to: target)
            } else {
                try manager.createSymbolicLink(at: target, withDestinationURL: url)
            }
        }
        return directory
    }

    /// Runs `sbert` with a deadline; nil status: killed at the deadline.
    static func run(_ arguments: [String], input: Data, deadline: TimeInterval) throws -> (status: Int32?, signaled: Bool, output: Data, error: String) {
        let process = Process()
        process.executableURL = SbertProcessTests.executable
        process.arguments = arguments
        let inputFile = FileManager.default.temporaryDirectory.appendingPathComponent("fuzz-input-\(UUID())")
        let outputFile = FileManager.default.temporaryDirectory.appendingPathComponent("fuzz-output-\(UUID())")
        let errorFile = FileManager.default.temporaryDirectory.appendingPathComponent("fuzz-error-\(UUID())")
        defer { for file in [inputFile, outputFile, errorFile] { try? FileManager.default.removeItem(at: file) } }
        try input.write(to: inputFile)
        FileManager.default.createFile(atPath: outputFile.path, contents: nil)
        FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        process.standardInput = try FileHandle(forReadingFrom: inputFile)
        process.standardOutput = try FileHandle(forWritingTo: outputFile)
        process.standardError = try FileHandle(forWritingTo: errorFile)
        try process.run()
        let end = Date().addingTimeInterval(deadline)
        while process.isRunning, Date() < end { Thread.sleep(forTimeInterval: 0.01) }
        var timedOut = false
        if process.isRunning {
            timedOut = true
            kill(process.processIdentifier, SIGKILL)
        }
        process.waitUntilExit()
        let output = (try? Data(contentsOf: outputFile)) ?? Data()
        let error = String(decoding: (try? Data(contentsOf: errorFile)) ?? Data(), as: UTF8.self)
        if timedOut { return (nil, false, output, error) }
        return (process.terminationStatus, process.terminationReason == .uncaughtSignal, output, error)
    }

    static func classify(_ result: (status: Int32?, signaled: Bool, output: Data, error: String), texts: Int) -> Outcome {
        guard let status = result.status else { return .hung }
        if result.signaled { return .crashed }
        if status == 0 {
            let rows = String(decoding: result.output, as: UTF8.self).split(separator: "\n")
            let finite = rows.count == texts && rows.allSatisfy { row in
                ((try? JSONSerialization.jsonObject(with: Data(row.utf8))) as? [Any])?.allSatisfy { ($0 as? NSNumber)?.doubleValue.isFinite == true } == true
            }
            return finite ? .embedded : .nonFinite
        }
        return status == 1 && result.error.contains("Error") ? .cleanError : .crashed
    }

    @Test func mutatedModelsAndRandomTextNeverCrashHangOrGiveNaN() throws {
        let environment = ProcessInfo.processInfo.environment
        let cases = environment["SBERT_FUZZ_CASES"].flatMap(Int.init) ?? TestScale.count(whole: 300, sample: 150)
        let seed = environment["SBERT_FUZZ_SEED"].flatMap(UInt64.init) ?? 20_261_130
        var generator = SeededGenerator(seed: seed)
        let models = try Self.models.map { try TestResources.model($0) }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("model-fuzz-\(UUID())")
        defer { try? FileManager.default.removeItem(at: root) }
        let texts = "A man is eating food.\nhello world\n北京天安门 café naïve\n"
        var tally: [Outcome: Int] = [:]
        var edits: [String: Int] = [:]
        var failures: [String] = []
        let start = Date()
        for index in 0..<cases {
            let model = models[index % models.count]
            let outcome: Outcome
            let described: String
            if index % 10 == 9 {
                // Random bytes as text, on the unmutated model.
                let bytes = Data((0..<Int.random(in: 0...2_000, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) })
                let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).count
                let result = try Self.run(["encode", "--model", model.path], input: bytes, deadline: 60)
                outcome = Self.classify(result, texts: bytes.last == UInt8(ascii: "\n") ? lines - 1 : (bytes.isEmpty ? 0 : lines))
                described = "random text of \(bytes.count) bytes: \(result.error.prefix(200))"
                edits["random text", default: 0] += 1
            } else {
                guard let fuzzCase = try Self.mutate(model, using: &generator) else { continue }
                let directory = try Self.materialize(fuzzCase, from: model, in: root)
                defer { try? FileManager.default.removeItem(at: directory) }
                let result = try Self.run(["encode", "--model", directory.path], input: Data(texts.utf8), deadline: 60)
                outcome = Self.classify(result, texts: 3)
                described = "\(fuzzCase.model) \(fuzzCase.file): \(fuzzCase.edit): \(result.error.prefix(200))"
                edits[fuzzCase.file.hasSuffix(".safetensors") ? "safetensors" : fuzzCase.file, default: 0] += 1
            }
            tally[outcome, default: 0] += 1
            if outcome != .embedded, outcome != .cleanError { failures.append("case \(index) \(outcome.rawValue): \(described)") }
        }
        print("model fuzzing, seed \(seed): \(cases) cases in \(String(format: "%.0f", Date().timeIntervalSince(start))) s: "
              + Outcome.allCases.map { "\($0.rawValue) \(tally[$0] ?? 0)" }.joined(separator: ", "))
        print("  edits by file: " + edits.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        for failure in failures { print("  " + failure) }
        #expect(failures.isEmpty, "\(failures.count) of \(cases) cases crashed, hung or gave non-finite output (seed \(seed))")
    }
}
