import Foundation
import STTestSupport
import SentenceTransformers
import Testing

/// Downloads from a fake Hugging Face Hub on a loopback socket: the Hub's API answers, ETags, LFS redirects, range
/// requests, 401s; checks the cache layout huggingface_hub uses.
@Suite(.serialized) struct HubDownloadTests {
    static let commit = "0123456789abcdef0123456789abcdef01234567"

    /// What the fake Hub serves and how it misbehaves.
    final class FakeHub: @unchecked Sendable {
        struct File { var data: Data; var sha256: String; var isLFS: Bool }
        let files: [String: File]
        let lock = NSLock()
        var cutNextLFSDownloadAfter: Int?
        var corruptLFS = false
        var privateRepository = "test-org/private"

        init(modelDirectory: URL) throws {
            var files: [String: File] = [:]
            let manager = FileManager.default
            let base = modelDirectory.resolvingSymlinksInPath()
            for case let url as URL in manager.enumerator(at: base, includingPropertiesForKeys: nil) ?? FileManager.DirectoryEnumerator() {
                var isDirectory: ObjCBool = false
                guard manager.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
                let relative = String(url.resolvingSymlinksInPath().path.dropFirst(base.path.count + 1))
                let data = try Data(contentsOf: url)
                files[relative] = File(data: data, sha256: HubDownloadTests.sha256(data), isLFS: relative.hasSuffix(".safetensors"))
            }
            // Files a Sentence Transformers download must leave alone.
            for junk in ["onnx/model.onnx", "openvino/openvino_model.xml", "pytorch_model.bin", "1_Pooling/model.onnx"] {
                let data = Data("not needed \(junk)".utf8)
                files[junk] = File(data: data, sha256: HubDownloadTests.sha256(data), isLFS: true)
            }
            self.files = files
        }

        func handle(_ request: LoopbackHTTPServer.Request) -> LoopbackHTTPServer.Response {
            lock.lock()
            defer { lock.unlock() }
            let path = request.path.removingPercentEncoding ?? request.path
            if let sha = path.split(separator: "/").last, path.hasPrefix("/cdn/"),
               let file = files.values.first(where: { $0.sha256 == sha }) {
                var body = corruptLFS ? Data(file.data.reversed()) : file.data
                var status = 200
                var headers = ["Content-Type": "application/octet-stream"]
                if let range = request.headers["range"], range.hasPrefix("bytes="), let start = Int(range.dropFirst(6).split(separator: "-").first ?? "") {
                    body = body.suffix(from: min(start, body.count))
                    status = 206
                    headers["Content-Range"] = "bytes \(start)-\(file.data.count - 1)/\(file.data.count)"
                }
                let cut = cutNextLFSDownloadAfter
                cutNextLFSDownloadAfter = nil
                if cut != nil { headers["Content-Length"] = String(body.count) }
                return .init(status: status, headers: headers, body: body, cutAfter: cut)
            }
            let parts = path.split(separator: "/").map(String.init)
            if parts.count >= 5, parts[0] == "api", parts[1] == "models" {
                let repository = "\(parts[2])/\(parts[3])"
                if repository == privateRepository, request.headers["authorization"] != "Bearer secret" { return .init(status: 401) }
                let revision = parts.count >= 6 ? parts[5] : "main"
                guard ["main", "v1", HubDownloadTests.commit].contains(revision), repository.hasPrefix("test-org/") else { return .init(status: 404) }
                let siblings = files.keys.sorted().map { ["rfilename": $0] }
                let json = try? JSONSerialization.data(withJSONObject: ["id": repository, "sha": HubDownloadTests.commit, "siblings": siblings])
                return .init(status: 200, headers: ["Content-Type": "application/json"], body: json ?? Data())
            }
            if parts.count >= 5, parts[2] == "resolve" {
                let repository = "\(parts[0])/\(parts[1])"
                if repository == privateRepository, request.headers["authorization"] != "Bearer secret" { return .init(status: 401) }
                let name = parts[4...].joined(separator: "/")
                guard let file = files[name] else { return .init(status: 404) }
                var headers = ["X-Repo-Commit": HubDownloadTests.commit]
                if file.isLFS {
                    headers["X-Linked-Etag"] = "\"\(file.sha256)\""
                    headers["X-Linked-Size"] = String(file.data.count)
                    headers["ETag"] = "\"git-\(file.sha256.prefix(36))\""
                    headers["Location"] = "/cdn/\(file.sha256)"
                    return .init(status: 302, headers: headers)
                }
                headers["ETag"] = "\"\(file.sha256.prefix(40))\""
                return .init(status: 200, headers: headers, body: file.data)
            }
            return .init(status: 404)
        }
    }

    static func sha256(_ data: Data) -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("hash-\(UUID())").path
        FileManager.default.createFile(atPath: path, contents: data)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return (try? HubClient.sha256(ofFile: path)) ?? ""
    }

    struct Setup {
        let hub: FakeHub
        let server: LoopbackHTTPServer
        let cache: URL
        var environment: [String: String]
    }

    static func setup() throws -> Setup {
        let hub = try FakeHub(modelDirectory: try TestResources.model("tiny-bert-legacy-pooling"))
        let server = try LoopbackHTTPServer { hub.handle($0) }
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("hub-cache-\(UUID())")
        return Setup(hub: hub, server: server, cache: cache, environment: ["HF_ENDPOINT": server.baseURL, "HF_HUB_CACHE": cache.path])
    }

    @Test func firstDownloadThenCacheHitWithoutNetwork() async throws {
        let setup = try Self.setup()
        let directory = try await ModelLocator.resolveOrDownload("test-org/tiny", environment: setup.environment)
        let repository = setup.cache.appendingPathComponent("models--test-org--tiny")
        #expect(directory.path == repository.appendingPathComponent("snapshots/\(Self.commit)").path)
        // huggingface_hub's layout: refs, blobs named by ETag, relative links in the snapshot.
        #expect(try String(contentsOf: repository.appendingPathComponent("refs/main"), encoding: .utf8) == Self.commit)
        let weights = try #require(setup.hub.files["model.safetensors"])
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: directory.appendingPathComponent("model.safetensors").path)
                == "../../blobs/\(weights.sha256)")
        let pooling = try #require(setup.hub.files["1_Pooling/config.json"])
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: directory.appendingPathComponent("1_Pooling/config.json").path)
                == "../../../blobs/\(pooling.sha256.prefix(40))")
        for skipped in ["onnx", "openvino", "pytorch_model.bin", "1_Pooling/model.onnx"] {
            #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent(skipped).path), "\(skipped) was downloaded")
        }
        let downloaded = try await SentenceTransformer(directory: directory)
        let local = try await SentenceTransformer(directory: try TestResources.model("tiny-bert-legacy-pooling"))
        await #expect(try downloaded.encode("a downloaded model") == local.encode("a downloaded model"))

        setup.server.stop()
        let again = try await ModelLocator.resolveOrDownload("test-org/tiny", environment: setup.environment)
        #expect(again.path == directory.path)
        var offline = setup.environment
        offline["HF_HUB_OFFLINE"] = "1"
        await #expect(try HubClient(environment: offline).download("test-org/tiny").path == directory.path)
    }

    /// The synchronous form, called as a command-line tool or an app's own thread calls it (the other tests await the
    /// async form, so that none of them blocks a thread of the cooperative pool that URLSession's callbacks need).
    @Test func synchronousDownloadFromAThreadOfItsOwn() async throws {
        let setup = try Self.setup()
        let environment = setup.environment
        let directory = try await onDedicatedThread { try HubClient(environment: environment).download("test-org/tiny") }
        #expect(directory.path == setup.cache.appendingPathComponent("models--test-org--tiny/snapshots/\(Self.commit)").path)
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("model.safetensors").path))
    }

    @Test func asyncDownloadThenAsyncLoad() async throws {
        let setup = try Self.setup()
        let directory = try await ModelLocator.resolveOrDownload("test-org/tiny", environment: setup.environment)
        #expect(directory.path == setup.cache.appendingPathComponent("models--test-org--tiny/snapshots/\(Self.commit)").path)
        let model = try await SentenceTransformer(directory: directory, options: LoadOptions(maxSeqLength: 32))
        let local = try await SentenceTransformer(directory: try TestResources.model("tiny-bert-legacy-pooling"))
        #expect(try await model.encode("a downloaded model") == local.encode("a downloaded model"))
    }

    @Test func revisionPinnedByCommitOrTag() async throws {
        let setup = try Self.setup()
        let pinned = try await HubClient(environment: setup.environment).download("test-org/tiny", revision: Self.commit)
        #expect(pinned.lastPathComponent == Self.commit)
        let refs = setup.cache.appendingPathComponent("models--test-org--tiny/refs")
        #expect(!FileManager.default.fileExists(atPath: refs.appendingPathComponent(Self.commit).path))
        _ = try await HubClient(environment: setup.environment).download("test-org/tiny", revision: "v1")
        #expect(try String(contentsOf: refs.appendingPathComponent("v1"), encoding: .utf8) == Self.commit)
        #expect(throws: HubError.notFound(repository: "test-org/tiny", revision: "nope")) {
            try HubClient(environment: setup.environment).download("test-org/tiny", revision: "nope")
        }
    }

    @Test func interruptedDownloadResumes() async throws {
        let setup = try Self.setup()
        setup.hub.cutNextLFSDownloadAfter = 1_000_000
        let client = HubClient(environment: setup.environment)
        await #expect(throws: HubError.self) { try await client.download("test-org/tiny") }
        let sha = try #require(setup.hub.files["model.safetensors"]).sha256
        let partial = setup.cache.appendingPathComponent("models--test-org--tiny/blobs/\(sha).incomplete")
        let size = (try FileManager.default.attributesOfItem(atPath: partial.path)[.size] as? NSNumber)?.intValue ?? 0
        #expect(size == 1_000_000)
        #expect(!FileManager.default.fileExists(atPath: partial.deletingPathExtension().path))
        let directory = try await client.download("test-org/tiny")
        #expect(setup.server.requests.contains { $0.headers["range"] == "bytes=1000000-" })
        #expect(!FileManager.default.fileExists(atPath: partial.path))
        #expect(try HubClient.sha256(ofFile: directory.appendingPathComponent("model.safetensors").path) == sha)
        _ = try await SentenceTransformer(directory: directory)
    }

    @Test func corruptedBlobIsRejected() async throws {
        let setup = try Self.setup()
        setup.hub.corruptLFS = true
        let sha = try #require(setup.hub.files["model.safetensors"]).sha256
        do {
            _ = try await HubClient(environment: setup.environment).download("test-org/tiny")
            Issue.record("a corrupt download was accepted")
        } catch let HubError.checksumMismatch(file, expected, _) {
            #expect(file == "model.safetensors" && expected == sha)
        }
        let blobs = setup.cache.appendingPathComponent("models--test-org--tiny/blobs")
        #expect(!FileManager.default.fileExists(atPath: blobs.appendingPathComponent(sha).path))
        #expect(!FileManager.default.fileExists(atPath: blobs.appendingPathComponent(sha + ".incomplete").path))
        #expect(!FileManager.default.fileExists(atPath: setup.cache.appendingPathComponent("models--test-org--tiny/snapshots/\(Self.commit)/model.safetensors").path))
    }

    @Test func privateModelNeedsAToken() async throws {
        let setup = try Self.setup()
        #expect(throws: HubError.unauthorized(repository: "test-org/private")) {
            try HubClient(environment: setup.environment).download("test-org/private")
        }
        var withToken = setup.environment
        withToken["HF_TOKEN"] = "secret"
        let directory = try await HubClient(environment: withToken).download("test-org/private")
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("model.safetensors").path))
        #expect(setup.server.requests.filter { $0.path.contains("private") }.contains { $0.headers["authorization"] == "Bearer secret" })
    }

    @Test func sha256KnownVectors() throws {
        #expect(Self.sha256(Data()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(Self.sha256(Data("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let million = Data(repeating: UInt8(ascii: "a"), count: 1_000_000)
        #expect(Self.sha256(million) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func offlineWithAnEmptyCacheIsAClearError() async throws {
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("empty-cache-\(UUID())")
        let environment = ["HF_HUB_CACHE": cache.path, "HF_HUB_OFFLINE": "1", "HF_ENDPOINT": "http://127.0.0.1:9"]
        do {
            _ = try await ModelLocator.resolveOrDownload("test-org/tiny", environment: environment)
            Issue.record("offline mode downloaded something")
        } catch {
            #expect("\(error)".contains("HF_HUB_OFFLINE") && "\(error)".contains("test-org/tiny"), "\(error)")
        }
    }
}
