import Foundation

/// Writing a model directory atomically: everything is built under a hidden staging name beside the target and
/// renamed into place, so a crash leaves either the previous directory or the complete new one.
public enum ModelDirectory {
    /// Builds a directory with `build` (given the staging folder) and swaps it into `target`. With `merge`, the built
    /// files replace their namesakes in an existing `target` one by one (each by an atomic rename) and everything else
    /// there stays (a trained model landing beside its run's checkpoints).
    /// - Throws: what `build` throws, or the file system's error; the staging folder is removed either way.
    public static func write(to target: URL, merge: Bool = false, _ build: (URL) throws -> Void) throws {
        let fileManager = FileManager.default
        let parent = target.deletingLastPathComponent()
        try fileManager.createDirectory(at: parent, withIntermediateDirectories: true)
        let staging = parent.appendingPathComponent(".\(target.lastPathComponent).partial-\(ProcessInfo.processInfo.processIdentifier)")
        try? fileManager.removeItem(at: staging)
        try fileManager.createDirectory(at: staging, withIntermediateDirectories: true)
        do {
            try build(staging)
            if merge, fileManager.fileExists(atPath: target.path) {
                for name in try fileManager.contentsOfDirectory(atPath: staging.path) {
                    try replace(target.appendingPathComponent(name), with: staging.appendingPathComponent(name))
                }
                try? fileManager.removeItem(at: staging)
            } else {
                try replace(target, with: staging)
            }
        } catch {
            try? fileManager.removeItem(at: staging)
            throw error
        }
    }

    /// Swaps `staging` into `target`: the old directory is moved aside first and removed only after the rename.
    public static func replace(_ target: URL, with staging: URL) throws {
        let fileManager = FileManager.default
        if fileManager.fileExists(atPath: target.path) {
            let old = target.deletingLastPathComponent().appendingPathComponent(".\(target.lastPathComponent).old-\(ProcessInfo.processInfo.processIdentifier)")
            try? fileManager.removeItem(at: old)
            try fileManager.moveItem(at: target, to: old)
            try fileManager.moveItem(at: staging, to: target)
            try? fileManager.removeItem(at: old)
        } else {
            try fileManager.moveItem(at: staging, to: target)
        }
    }

    /// The tokenizer files a Hugging Face directory may hold.
    static let tokenizerFiles = ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "added_tokens.json", "vocab.txt",
                                 "vocab.json", "merges.txt", "sentencepiece.bpe.model", "spiece.model", "tokenizer.model"]

    /// Copies the files of `names` that exist in `source` into `destination`.
    static func copy(_ names: [String], from source: URL, to destination: URL) throws {
        let fileManager = FileManager.default
        try fileManager.createDirectory(at: destination, withIntermediateDirectories: true)
        for name in names {
            let from = source.appendingPathComponent(name).resolvingSymlinksInPath()
            guard fileManager.fileExists(atPath: from.path) else { continue }
            let to = destination.appendingPathComponent(name)
            try? fileManager.removeItem(at: to)
            try fileManager.copyItem(at: from, to: to)
        }
    }

    /// Writes `object` (JSONSerialization's types) as pretty, key-sorted JSON, creating its folder; meant for a
    /// staging folder of ``write(to:merge:_:)``.
    /// - Throws: the serialization or file system error.
    public static func writeJSON(_ object: Any, to url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        try data.write(to: url)
    }
}
