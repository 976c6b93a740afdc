import Foundation

/// Finds a model directory from what a user types: a path, or a Hugging Face model id found in the local cache
/// (`$HF_HUB_CACHE`, else `$HF_HOME/hub`, else `~/.cache/huggingface/hub`), laid out as `huggingface_hub` lays it
/// out: `models--ORG--NAME/snapshots/REVISION/`, with `refs/main` naming the revision.
public enum ModelLocator {
    /// The model used when none is named.
    public static let defaultModel = "sentence-transformers/all-MiniLM-L6-v2"

    /// The Hugging Face hub cache directory for `environment`.
    public static func hubCache(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let cache = environment["HF_HUB_CACHE"], !cache.isEmpty { return URL(fileURLWithPath: cache) }
        if let home = environment["HF_HOME"], !home.isEmpty { return URL(fileURLWithPath: home).appendingPathComponent("hub") }
        let userHome = environment["HOME"].map { URL(fileURLWithPath: $0) } ?? FileManager.default.homeDirectoryForCurrentUser
        return userHome.appendingPathComponent(".cache/huggingface/hub")
    }

    /// A bare name maps to the `sentence-transformers` organization, as in Python.
    public static func canonicalID(_ name: String) -> String {
        name.contains("/") ? name : "sentence-transformers/\(name)"
    }

    /// The directory holding `nameOrPath`.
    /// - Throws: ``SentenceTransformerError/modelNotFound(name:searched:)`` naming the places searched.
    public static func resolve(_ nameOrPath: String, revision: String = "main",
                               environment: [String: String] = ProcessInfo.processInfo.environment) throws -> URL {
        var isDirectory: ObjCBool = false
        let expanded = (nameOrPath as NSString).expandingTildeInPath
        if FileManager.default.fileExists(atPath: expanded, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw SentenceTransformerError.invalidArgument("\(expanded) is a file, not a model directory") }
            return URL(fileURLWithPath: expanded)
        }
        // What is spelled as a path is one: never looked up as a model id.
        if looksLikePath(nameOrPath) { throw SentenceTransformerError.modelNotFound(name: nameOrPath, searched: [expanded]) }
        guard !nameOrPath.trimmingCharacters(in: .whitespaces).isEmpty else { throw SentenceTransformerError.invalidArgument("the model name is empty") }
        let id = canonicalID(nameOrPath)
        let cache = hubCache(environment: environment)
        let repository = cache.appendingPathComponent("models--" + id.replacingOccurrences(of: "/", with: "--"))
        let snapshots = repository.appendingPathComponent("snapshots")
        var candidates: [String] = []
        if let ref = try? String(contentsOf: repository.appendingPathComponent("refs").appendingPathComponent(revision), encoding: .utf8) {
            candidates.append(ref.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        candidates.append(revision)
        for candidate in candidates where !candidate.isEmpty && !candidate.contains("/") && !candidate.hasPrefix(".") {
            let snapshot = snapshots.appendingPathComponent(candidate)
            if FileManager.default.fileExists(atPath: snapshot.path) { return snapshot }
        }
        if revision == "main", let only = Self.singleSnapshot(in: snapshots) { return only }
        throw SentenceTransformerError.modelNotFound(name: nameOrPath, searched: [expanded, snapshots.path])
    }

    /// ``resolve(_:revision:environment:)``, then, for a model id that is not in the cache, a download from the
    /// Hugging Face Hub (``HubClient``; `HF_HUB_OFFLINE` forbids it).
    public static func resolveOrDownload(_ nameOrPath: String, revision: String = "main",
                                         environment: [String: String] = ProcessInfo.processInfo.environment,
                                         progress: HubClient.Progress? = nil) throws -> URL {
        do {
            return try resolve(nameOrPath, revision: revision, environment: environment)
        } catch let error as SentenceTransformerError {
            guard isRepositoryID(nameOrPath) else { throw error }
            return try HubClient(environment: environment).download(nameOrPath, revision: revision, progress: progress)
        }
    }

    /// ``resolve(_:revision:environment:)``, then, for a model id that is not in the cache, an async download from the
    /// Hugging Face Hub (the async `HubClient.download`; `HF_HUB_OFFLINE` forbids it).
    public static func resolveOrDownload(_ nameOrPath: String, revision: String = "main",
                                         environment: [String: String] = ProcessInfo.processInfo.environment,
                                         progress: HubClient.Progress? = nil) async throws -> URL {
        do {
            return try resolve(nameOrPath, revision: revision, environment: environment)
        } catch let error as SentenceTransformerError {
            guard isRepositoryID(nameOrPath) else { throw error }
            return try await HubClient(environment: environment).download(nameOrPath, revision: revision, progress: progress)
        }
    }

    /// Whether `name` is written as a filesystem path (`/…`, `./…`, `../…`, `~…`) rather than a model id.
    static func looksLikePath(_ name: String) -> Bool {
        name.hasPrefix("/") || name.hasPrefix("./") || name.hasPrefix("../") || name.hasPrefix("~") || name == "." || name == ".."
    }

    /// `NAME` or `ORG/NAME` with the characters the Hub allows.
    static func isRepositoryID(_ name: String) -> Bool {
        let parts = name.split(separator: "/", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count) else { return false }
        return parts.allSatisfy { part in
            guard let first = part.first, first.isLetter || first.isNumber, part.count <= 96 else { return false }
            return part.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) } && !part.contains("..")
        }
    }

    private static func singleSnapshot(in snapshots: URL) -> URL? {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: snapshots.path))?.filter { !$0.hasPrefix(".") } ?? []
        return entries.count == 1 ? snapshots.appendingPathComponent(entries[0]) : nil
    }
}
