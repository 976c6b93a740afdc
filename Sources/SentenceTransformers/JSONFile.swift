import Foundation

/// Reading the small JSON configuration files of a model directory, with errors that name the file.
enum JSONFile {
    /// Decodes `url`; a missing file is ``SentenceTransformerError/missingFile(path:)``.
    static func decode<T: Decodable>(_ type: T.Type, from url: URL) throws -> T {
        guard FileManager.default.fileExists(atPath: url.path) else { throw SentenceTransformerError.missingFile(path: url.path) }
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw SentenceTransformerError.unreadableFile(path: url.path, reason: "cannot read the file")
        }
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch let error as DecodingError {
            throw SentenceTransformerError.invalidConfig(path: url.path, reason: Self.describe(error))
        } catch {
            throw SentenceTransformerError.invalidConfig(path: url.path, reason: "\(error)")
        }
    }

    /// Decodes `url` when it exists, else returns `nil`.
    static func decodeIfPresent<T: Decodable>(_ type: T.Type, from url: URL) throws -> T? {
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        return try decode(type, from: url)
    }

    private static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map(\.stringValue).joined(separator: ".")
        }
        switch error {
        case let .dataCorrupted(context): return context.codingPath.isEmpty ? "not valid JSON" : "bad value at \(path(context))"
        case let .keyNotFound(key, _): return "missing key '\(key.stringValue)'"
        case let .typeMismatch(type, context): return "'\(path(context))' is not \(type)"
        case let .valueNotFound(type, context): return "'\(path(context))' is null, expected \(type)"
        @unknown default: return "\(error)"
        }
    }
}
