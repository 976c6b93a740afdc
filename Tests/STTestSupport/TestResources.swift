import Foundation

/// Where tests find fixtures (in git) and models (put in place by `scripts/setup.sh`).
public enum TestResources {
    /// The package root, found from this file's location.
    public static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `Tests/Fixtures/<name>`.
    public static func fixture(_ name: String) -> URL {
        packageRoot.appendingPathComponent("Tests/Fixtures").appendingPathComponent(name)
    }

    /// A model directory under `.models/` (or `$SBERT_TEST_MODELS`), made by `scripts/setup.sh`.
    public static func model(_ name: String) throws -> URL {
        let base = ProcessInfo.processInfo.environment["SBERT_TEST_MODELS"].map { URL(fileURLWithPath: $0) }
            ?? packageRoot.appendingPathComponent(".models")
        let url = base.appendingPathComponent(name)
        guard ["config.json", "modules.json"].contains(where: { FileManager.default.fileExists(atPath: url.appendingPathComponent($0).path) }) else {
            throw MissingModel(path: url.path)
        }
        return url
    }

    public struct MissingModel: Error, CustomStringConvertible {
        public let path: String
        public var description: String { "test model missing at \(path): run scripts/setup.sh first" }
    }

    /// The JSON objects of a `.jsonl` file (lines split on `\n` only, as the fixtures require).
    public static func jsonLines(_ url: URL) throws -> [[String: Any]] {
        let data = try Data(contentsOf: url)
        return try data.split(separator: UInt8(ascii: "\n")).map { line in
            guard let object = try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else {
                throw CocoaError(.coderReadCorrupt)
            }
            return object
        }
    }

    /// A JSON number array as `Float`s (each decimal parses to the float32 the reference wrote).
    public static func floats(_ value: Any?) -> [Float] {
        (value as? [Any])?.compactMap { ($0 as? NSNumber).map { Float($0.doubleValue) } } ?? []
    }

    public static func ints(_ value: Any?) -> [Int] {
        (value as? [Any])?.compactMap { ($0 as? NSNumber)?.intValue } ?? []
    }
}
