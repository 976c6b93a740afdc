import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Downloads Sentence Transformers models from the Hugging Face Hub into the cache layout `huggingface_hub` uses,
/// so that Python and Swift share downloads both ways:
///
/// ```
/// HUB_CACHE/models--ORG--NAME/blobs/ETAG               file contents (ETAG = sha256 for LFS files)
/// HUB_CACHE/models--ORG--NAME/snapshots/COMMIT/FILE    symbolic link to ../../blobs/ETAG
/// HUB_CACHE/models--ORG--NAME/refs/REVISION            the commit a branch or tag points to
/// ```
///
/// Only what the pipeline needs is fetched: configs, tokenizer files, `model.safetensors` and the files of each
/// module folder named in `modules.json` (no ONNX, OpenVINO or pickle weights). Downloads go to
/// `blobs/ETAG.incomplete`, resume from there, are checked against the sha256 ETag of LFS files, and are renamed
/// into place only when complete.
///
/// ```swift
/// let directory = try HubClient().download("sentence-transformers/all-MiniLM-L6-v2")
/// ```
public struct HubClient: Sendable {
    public var endpoint: URL
    public var token: String?
    public var cache: URL
    public var offline: Bool

    /// Settings from the environment, as `huggingface_hub` reads them: `HF_ENDPOINT`, `HF_TOKEN`, `HF_HUB_CACHE` /
    /// `HF_HOME`, `HF_HUB_OFFLINE`.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        endpoint = URL(string: environment["HF_ENDPOINT"].flatMap { $0.isEmpty ? nil : $0 } ?? "https://huggingface.co")
            ?? URL(fileURLWithPath: "/")
        token = environment["HF_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        cache = ModelLocator.hubCache(environment: environment)
        offline = ["1", "true", "yes", "on"].contains(environment["HF_HUB_OFFLINE"]?.lowercased() ?? "")
    }

    /// Progress of one file: its name, the bytes received so far and the total when known.
    public typealias Progress = @Sendable (_ file: String, _ received: Int64, _ total: Int64?) -> Void

    struct RevisionInfo: Decodable {
        struct Sibling: Decodable { var rfilename: String }
        var sha: String
        var siblings: [Sibling]?
    }

    /// The snapshot directory of `repository` at `revision` (a branch, tag or commit), downloading what is missing;
    /// from synchronous code (it waits for the async download, run on a thread of the library's, so that it needs no
    /// cooperative thread; in async code, await the async form instead).
    /// - Throws: ``SentenceTransformerError/invalidArgument(_:)`` for a name that is no model id; ``HubError`` for
    ///   what the Hub or the network refuse.
    public func download(_ repository: String, revision: String = "main", progress: Progress? = nil) throws -> URL {
        try WorkerThreads.wait { try await download(repository, revision: revision, progress: progress) }
    }

    /// The snapshot directory of `repository` at `revision` (a branch, tag or commit), downloading what is missing
    /// with async I/O (no thread is held while bytes arrive; cancelling the task cancels the transfer, and a later
    /// download resumes the partial file).
    /// - Throws: ``SentenceTransformerError/invalidArgument(_:)`` for a name that is no model id; ``HubError`` for
    ///   what the Hub or the network refuse; `CancellationError`.
    public func download(_ repository: String, revision: String = "main", progress: Progress? = nil) async throws -> URL {
        // Checked here, not by the Hub: a name that cannot be a repository is not worth a request.
        guard ModelLocator.isRepositoryID(repository) else {
            throw SentenceTransformerError.invalidArgument("\(String(reflecting: repository)) is not a Hugging Face model id (NAME or ORG/NAME)")
        }
        let id = ModelLocator.canonicalID(repository)
        let repositoryDirectory = cache.appendingPathComponent("models--" + id.replacingOccurrences(of: "/", with: "--"))
        if offline {
            guard let local = try? ModelLocator.resolve(id, revision: revision, environment: ["HF_HUB_CACHE": cache.path]) else {
                throw HubError.offline(repository: id, cache: cache.path)
            }
            return local
        }
        let info = try await revisionInfo(id, revision: revision)
        let siblings = info.siblings?.map(\.rfilename) ?? []
        let modules = siblings.contains("modules.json")
            ? try await fetch(id, commit: info.sha, file: "modules.json", into: repositoryDirectory, progress: progress) : nil
        for file in try Self.neededFiles(siblings, repository: id, modules: modules) {
            try await fetch(id, commit: info.sha, file: file, into: repositoryDirectory, progress: progress)
        }
        if revision != info.sha {
            let refs = repositoryDirectory.appendingPathComponent("refs")
            try FileManager.default.createDirectory(at: refs.appendingPathComponent(revision).deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(info.sha.utf8).write(to: refs.appendingPathComponent(revision), options: .atomic)
        }
        return repositoryDirectory.appendingPathComponent("snapshots").appendingPathComponent(info.sha)
    }

    /// The sha256 of a file as 64 hex digits (the ETag the Hub gives LFS files).
    public static func sha256(ofFile path: String) throws -> String {
        try SHA256.hexDigest(ofFile: path)
    }

    func request(_ url: URL, method: String = "GET") -> URLRequest {
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.setValue("identity", forHTTPHeaderField: "Accept-Encoding")
        request.setValue("swift-sentence-transformers", forHTTPHeaderField: "User-Agent")
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        return request
    }

    func revisionInfo(_ id: String, revision: String) async throws -> RevisionInfo {
        let escaped = revision.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? revision
        let url = endpoint.appendingPathComponent("api/models/\(id)/revision").appendingPathComponent(escaped)
        let result = try await HTTPTransfer.perform(request(url))
        try Self.check(result.response, url: url, repository: id, revision: revision)
        do {
            return try JSONDecoder().decode(RevisionInfo.self, from: result.body)
        } catch {
            throw HubError.invalidResponse(url: url.absoluteString, reason: "not a model revision description")
        }
    }

    static func check(_ response: HTTPURLResponse, url: URL, repository: String, revision: String) throws {
        switch response.statusCode {
        case 200..<400: return
        case 401, 403: throw HubError.unauthorized(repository: repository)
        case 404: throw HubError.notFound(repository: repository, revision: revision)
        default: throw HubError.http(url: url.absoluteString, status: response.statusCode)
        }
    }

    /// The files of `siblings` the pipeline reads; `modules` is the fetched `modules.json`, which names the module
    /// folders.
    static func neededFiles(_ siblings: [String], repository: String, modules: URL?) throws -> [String] {
        let rootFiles: Set<String> = [
            "modules.json", "config.json", "config_sentence_transformers.json", "sentence_bert_config.json",
            "sentence_roberta_config.json", "sentence_distilbert_config.json", "sentence_xlm-roberta_config.json",
            "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "added_tokens.json", "vocab.txt",
            "vocab.json", "merges.txt", "model.safetensors",
        ]
        var files = siblings.filter { rootFiles.contains($0) }
        if !siblings.contains("model.safetensors"), siblings.contains("pytorch_model.bin") {
            throw HubError.noSafetensors(repository: repository)
        }
        if let modules {
            let modules = (try? JSONDecoder().decode([ModuleDescription].self, from: Data(contentsOf: modules))) ?? []
            let folders = modules.map(\.path).filter { !$0.isEmpty }
            let excluded = [".bin", ".onnx", ".h5", ".msgpack", ".ot", ".pt", ".xml"]
            for file in siblings where folders.contains(where: { file.hasPrefix($0 + "/") }) {
                if excluded.contains(where: { file.hasSuffix($0) }) || file.contains("/onnx/") || file.contains("/openvino/") { continue }
                files.append(file)
            }
        }
        return files
    }

    /// Makes `snapshots/COMMIT/FILE` point at a complete blob, downloading it unless it is already there.
    @discardableResult
    func fetch(_ id: String, commit: String, file: String, into repositoryDirectory: URL, progress: Progress?) async throws -> URL {
        let manager = FileManager.default
        let link = repositoryDirectory.appendingPathComponent("snapshots").appendingPathComponent(commit).appendingPathComponent(file)
        if manager.fileExists(atPath: link.path) { return link }
        let url = endpoint.appendingPathComponent(id).appendingPathComponent("resolve").appendingPathComponent(commit).appendingPathComponent(file)
        let head = try await HTTPTransfer.perform(request(url, method: "HEAD"), followRedirects: false)
        try Self.check(head.response, url: url, repository: id, revision: commit)
        func header(_ name: String) -> String? { head.response.value(forHTTPHeaderField: name) }
        guard let rawTag = header("X-Linked-Etag") ?? header("ETag") else {
            throw HubError.invalidResponse(url: url.absoluteString, reason: "no ETag")
        }
        let etag = rawTag.replacingOccurrences(of: "W/", with: "").trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
        guard !etag.isEmpty, !etag.contains("/"), !etag.contains("..") else {
            throw HubError.invalidResponse(url: url.absoluteString, reason: "unusable ETag \(rawTag)")
        }
        let total = (header("X-Linked-Size") ?? header("Content-Length")).flatMap { Int64($0) }
        let blobs = repositoryDirectory.appendingPathComponent("blobs")
        try manager.createDirectory(at: blobs, withIntermediateDirectories: true)
        let blob = blobs.appendingPathComponent(etag)
        if !manager.fileExists(atPath: blob.path) {
            try await downloadBlob(from: url, to: blob, etag: etag, total: total, file: file, progress: progress)
        }
        try manager.createDirectory(at: link.deletingLastPathComponent(), withIntermediateDirectories: true)
        let depth = file.split(separator: "/").count - 1
        let target = String(repeating: "../", count: 2 + depth) + "blobs/" + etag
        try? manager.removeItem(at: link)
        try manager.createSymbolicLink(atPath: link.path, withDestinationPath: target)
        return link
    }

    /// Downloads into `BLOB.incomplete` (resuming what an earlier attempt left), checks it, renames it to `blob`.
    func downloadBlob(from url: URL, to blob: URL, etag: String, total: Int64?, file: String, progress: Progress?) async throws {
        let manager = FileManager.default
        let partial = URL(fileURLWithPath: blob.path + ".incomplete")
        if !manager.fileExists(atPath: partial.path) { _ = manager.createFile(atPath: partial.path, contents: nil) }
        let existing = ((try? manager.attributesOfItem(atPath: partial.path))?[.size] as? NSNumber)?.int64Value ?? 0
        var request = request(url)
        if existing > 0 { request.setValue("bytes=\(existing)-", forHTTPHeaderField: "Range") }
        guard let handle = FileHandle(forUpdatingAtPath: partial.path) else {
            throw HubError.invalidResponse(url: url.absoluteString, reason: "cannot write \(partial.path)")
        }
        let result: HTTPTransfer.Result
        do {
            // A 200 answer to a range request restarts the file; the transfer writes only 2xx bodies.
            handle.seekToEndOfFile()
            result = try await HTTPTransfer.perform(request, output: handle) { received in progress?(file, existing + received, total) }
        } catch {
            try? handle.close()
            throw error
        }
        try? handle.close()
        if result.response.statusCode == 200, existing > 0 {
            // The server ignored the range: what was appended is the whole file after the old bytes. Keep the tail.
            let data = try Data(contentsOf: partial)
            try data.suffix(from: Int(existing)).write(to: partial)
        }
        guard (200..<300).contains(result.response.statusCode) else {
            if result.response.statusCode == 416 { try? manager.removeItem(at: partial) }
            throw HubError.http(url: url.absoluteString, status: result.response.statusCode)
        }
        if etag.count == 64, etag.allSatisfy(\.isHexDigit) {
            // Hashing a weight file takes a second or more: off the caller's (cooperative) thread.
            let path = partial.path
            let digest = try await WorkerThreads.compute.run { try SHA256.hexDigest(ofFile: path) }
            guard digest == etag.lowercased() else {
                try? manager.removeItem(at: partial)
                throw HubError.checksumMismatch(file: file, expected: etag, actual: digest)
            }
        }
        try manager.moveItem(at: partial, to: blob)
    }
}
