import Foundation
import STTensor

/// The safetensors files of one checkpoint: `model.safetensors`, or the shards that `model.safetensors.index.json`
/// lists (its `weight_map` from tensor key to shard file, as `transformers` writes sharded checkpoints).
public struct Checkpoint: Sendable {
    public let files: [SafeTensorsFile]
    /// The file of each key.
    private let location: [String: Int]
    /// The checkpoint's path for messages: the single file, or the index.
    public let path: String

    /// One file.
    public init(file: SafeTensorsFile) {
        files = [file]
        location = Dictionary(uniqueKeysWithValues: file.entries.keys.map { ($0, 0) })
        path = file.path
    }

    /// The shards listed by the index file at `indexURL`, each opened once.
    /// - Throws: ``ModelError/unreadableConfig(path:reason:)`` for an unreadable index, a shard name that leaves the
    ///   directory, or a key the index places in a shard that does not hold it.
    public init(index indexURL: URL) throws {
        struct Index: Decodable {
            var weightMap: [String: String]
            enum CodingKeys: String, CodingKey { case weightMap = "weight_map" }
        }
        let index = try ConfigFile.decode(Index.self, from: indexURL)
        let directory = indexURL.deletingLastPathComponent()
        var files: [SafeTensorsFile] = []
        var fileIndex: [String: Int] = [:]
        var location: [String: Int] = [:]
        for (key, name) in index.weightMap.sorted(by: { $0.key < $1.key }) {
            guard !name.isEmpty, !name.contains("/"), !name.contains("\\"), name != "..", name != "." else {
                throw ModelError.unreadableConfig(path: indexURL.path, reason: "shard '\(name)' of \(key) is not a file name in the model directory")
            }
            let slot: Int
            if let existing = fileIndex[name] {
                slot = existing
            } else {
                files.append(try SafeTensorsFile(path: directory.appendingPathComponent(name).path))
                slot = files.count - 1
                fileIndex[name] = slot
            }
            guard files[slot].entries[key] != nil else {
                throw ModelError.unreadableConfig(path: indexURL.path, reason: "the index places \(key) in \(name), which does not hold it")
            }
            location[key] = slot
        }
        self.files = files
        self.location = location
        path = indexURL.path
    }

    /// Whether the checkpoint has `key`.
    public func contains(_ key: String) -> Bool { location[key] != nil }

    public var tensorNames: [String] { location.keys.sorted() }

    /// The tensor `key` (F16, BF16 and F64 converted to Float32).
    /// - Throws: ``ModelError/missingWeight(key:file:tried:)`` when no file holds it; the file's own errors otherwise.
    public func tensor(named key: String) throws -> Tensor {
        guard let slot = location[key] else { throw ModelError.missingWeight(key: key, file: path, tried: [key]) }
        return try files[slot].tensor(named: key)
    }
}
