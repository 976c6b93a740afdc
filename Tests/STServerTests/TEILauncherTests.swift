import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import STTestSupport
import Testing

/// TEI 1.9's launcher (`text-embeddings-router --help`): every flag and environment variable, each through a real
/// `sbert serve` process, either doing what TEI documents or stopping the start with a message.
@Suite struct TEILauncherTests {
    static let miniLM = Result { try TestResources.model("all-MiniLM-L6-v2").path }

    /// A started server and what it printed.
    struct Launch {
        let port: Int
        let process: Process
        let output: URL

        var printed: String { (try? String(contentsOf: output, encoding: .utf8)) ?? "" }

        func get(_ path: String, headers: [String: String] = [:]) async throws -> (Int, Any?) {
            var request = URLRequest(url: try #require(URL(string: "http://127.0.0.1:\(port)\(path)")))
            for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
            let (data, response) = try await ServerLoopbackTests.session.data(for: request)
            return ((response as? HTTPURLResponse)?.statusCode ?? 0, try? JSONSerialization.jsonObject(with: data))
        }

        func post(_ path: String, _ body: Any, headers: [String: String] = [:]) async throws -> (Int, Any?) {
            var request = URLRequest(url: try #require(URL(string: "http://127.0.0.1:\(port)\(path)")))
            request.httpMethod = "POST"
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
            request.httpBody = try JSONSerialization.data(withJSONObject: body)
            let (data, response) = try await ServerLoopbackTests.session.data(for: request)
            return ((response as? HTTPURLResponse)?.statusCode ?? 0, try? JSONSerialization.jsonObject(with: data))
        }

        func info() async throws -> [String: Any] {
            try #require(try await get("/info").1 as? [String: Any])
        }

        func stop() {
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
            try? FileManager.default.removeItem(at: output)
        }
    }

    /// Starts `sbert serve ARGUMENTS` with `environment` added (and `--hostname`/`--port` unless the arguments or
    /// the environment set them), waiting for `/health`.
    static func launch(_ arguments: [String], environment: [String: String] = [:], model: Bool = true) async throws -> Launch {
        let port = try ServerProcessTests.freePort()
        let process = Process()
        process.executableURL = ServerProcessTests.sbert
        var full = ["serve"] + arguments
        if model && !arguments.contains("--model-id") && environment["MODEL_ID"] == nil { full += ["--model-id", try miniLM.get()] }
        if !arguments.contains("--hostname") && environment["HOSTNAME"] == nil { full += ["--hostname", "127.0.0.1"] }
        if !arguments.contains("--port") && !arguments.contains("-p") && environment["PORT"] == nil { full += ["--port", String(port)] }
        process.arguments = full
        process.environment = ProcessInfo.processInfo.environment.merging(["HF_HUB_OFFLINE": "1"].merging(environment) { $1 }) { $1 }
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("tei-launcher-\(UUID().uuidString).log")
        FileManager.default.createFile(atPath: output.path, contents: nil)
        let handle = try FileHandle(forWritingTo: output)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        let usedPort = environment["PORT"].flatMap(Int.init) ?? arguments.firstIndex { $0 == "--port" || $0 == "-p" }.flatMap { Int(arguments[$0 + 1]) } ?? port
        let launch = Launch(port: usedPort, process: process, output: output)
        // Up to 600 polls 200 ms apart (counted, as ServerProcessTests.waitForHealth counts them), ending early when
        // the server exits instead.
        for _ in 0..<600 {
            guard process.isRunning else {
                let printed = launch.printed
                launch.stop()
                throw LaunchFailure(description: "sbert \(full.joined(separator: " ")) exited with \(process.terminationStatus): \(printed)")
            }
            if let (_, response) = try? await ServerLoopbackTests.session.data(from: try #require(URL(string: "http://127.0.0.1:\(usedPort)/health"))),
               (response as? HTTPURLResponse)?.statusCode == 200 { return launch }
            try await Task.sleep(nanoseconds: 200_000_000)
        }
        launch.stop()
        throw LaunchFailure(description: "sbert \(full.joined(separator: " ")) did not become healthy")
    }

    struct LaunchFailure: Error, CustomStringConvertible {
        let description: String
    }

    /// Runs `sbert serve ARGUMENTS` expecting it to refuse to start: the exit status and what it printed.
    static func refusal(_ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, message: String) {
        let process = Process()
        process.executableURL = ServerProcessTests.sbert
        process.arguments = ["serve", "--model-id", try miniLM.get(), "--hostname", "127.0.0.1", "--port", String(try ServerProcessTests.freePort())] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    static let longText = String(repeating: "word ", count: 400)

    @Test func modelIDFromTheFlagAndTheVariable() async throws {
        let tiny = try TestResources.model("tiny-bert-legacy-pooling").path
        for (arguments, environment) in [(["--model-id", tiny], [String: String]()), ([], ["MODEL_ID": tiny])] {
            let server = try await Self.launch(arguments, environment: environment)
            defer { server.stop() }
            let info = try await server.info()
            #expect(info["model_id"] as? String == tiny, "\(arguments) \(environment)")
            let (status, body) = try await server.post("/embed", ["inputs": "hello"])
            #expect(status == 200)
            let width = (body as? [[Double]])?.first?.count
            #expect(width == info["embedding_dimension"] as? Int && width != 384, "served \(String(describing: width))-wide vectors, not tiny-bert-legacy-pooling's")
        }
    }

    /// A model id found in `--huggingface-hub-cache` (HUGGINGFACE_HUB_CACHE) at `--revision` (REVISION), offline.
    @Test func revisionAndHubCache() async throws {
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("tei-hub-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: cache) }
        let snapshot = cache.appendingPathComponent("models--acme--tiny/snapshots/0123456789abcdef0123456789abcdef01234567")
        try FileManager.default.createDirectory(at: snapshot.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: try TestResources.model("tiny-bert-legacy-pooling"), to: snapshot)
        try FileManager.default.createDirectory(at: cache.appendingPathComponent("models--acme--tiny/refs"), withIntermediateDirectories: true)
        try "0123456789abcdef0123456789abcdef01234567".write(to: cache.appendingPathComponent("models--acme--tiny/refs/v1"), atomically: true, encoding: .utf8)
        for (arguments, environment) in [(["--model-id", "acme/tiny", "--revision", "v1", "--huggingface-hub-cache", cache.path], [String: String]()),
                                         (["--model-id", "acme/tiny"], ["REVISION": "v1", "HUGGINGFACE_HUB_CACHE": cache.path])] {
            let server = try await Self.launch(arguments, environment: environment)
            defer { server.stop() }
            #expect(try await server.info()["model_id"] as? String == "acme/tiny")
        }
        // Another revision is not in the cache, and offline it cannot be downloaded.
        let missing = try Self.refusal(["--model-id", "acme/tiny", "--revision", "v2", "--huggingface-hub-cache", cache.path], environment: ["HF_HUB_OFFLINE": "1"])
        #expect(missing.status != 0)
    }

    @Test func servedModelName() async throws {
        for (arguments, environment) in [(["--served-model-name", "my-embedder"], [String: String]()), ([], ["SERVED_MODEL_NAME": "my-embedder"])] {
            let server = try await Self.launch(arguments, environment: environment)
            defer { server.stop() }
            #expect(try await server.info()["served_model_name"] as? String == "my-embedder")
            let (status, body) = try await server.post("/v1/embeddings", ["input": "hello", "model": "anything"])
            #expect(status == 200 && (body as? [String: Any])?["model"] as? String == "my-embedder", "\(String(describing: body))")
        }
        // Without it, the model id.
        let server = try await Self.launch([])
        defer { server.stop() }
        #expect(try await server.info()["served_model_name"] as? String == (try Self.miniLM.get()))
    }

    /// TEI 1.9 truncates by default; `--auto-truncate false` and AUTO_TRUNCATE=false refuse over-long inputs (413).
    @Test func autoTruncateDefaultsToTrueAndTakesAValue() async throws {
        let cases: [([String], [String: String], Bool)] = [
            ([], [:], true), (["--auto-truncate"], [:], true), (["--auto-truncate", "true"], [:], true), (["--auto-truncate=false"], [:], false),
            (["--auto-truncate", "false"], [:], false), ([], ["AUTO_TRUNCATE": "false"], false), ([], ["AUTO_TRUNCATE": "true"], true),
            (["--auto-truncate", "true"], ["AUTO_TRUNCATE": "false"], true), (["--no-auto-truncate"], [:], false),
        ]
        for (arguments, environment, truncates) in cases {
            let server = try await Self.launch(arguments, environment: environment)
            defer { server.stop() }
            #expect(try await server.info()["auto_truncate"] as? Bool == truncates, "\(arguments) \(environment)")
            let (status, _) = try await server.post("/embed", ["inputs": Self.longText])
            #expect(status == (truncates ? 200 : 413), "\(arguments) \(environment): \(status)")
        }
        #expect(try Self.refusal(["--auto-truncate", "maybe"]).status != 0)
        #expect(try Self.refusal([], environment: ["AUTO_TRUNCATE": "maybe"]).message.contains("AUTO_TRUNCATE"))
    }

    /// `--pooling` (POOLING): the model's own is accepted; TEI would replace it, which is refused here with a message.
    @Test func poolingIsCheckedAgainstTheModel() async throws {
        for (arguments, environment) in [(["--pooling", "mean"], [String: String]()), ([], ["POOLING": "mean"])] {
            let server = try await Self.launch(arguments, environment: environment)
            server.stop()
        }
        for (arguments, environment) in [(["--pooling", "cls"], [String: String]()), ([], ["POOLING": "cls"]), (["--pooling", "max"], [:])] {
            let refused = try Self.refusal(arguments, environment: environment)
            #expect(refused.status != 0 && refused.message.contains("pool"), "\(arguments) \(environment): \(refused.message)")
        }
    }

    /// `--default-prompt` (DEFAULT_PROMPT) is prepended when a request names no prompt; with `--default-prompt-name`
    /// it is refused.
    @Test func defaultPromptText() async throws {
        let plain = try await Self.launch([])
        let (_, reference) = try await plain.post("/embed", ["inputs": "query: what is a cat"])
        let (_, unprompted) = try await plain.post("/embed", ["inputs": "what is a cat"])
        plain.stop()
        for (arguments, environment) in [(["--default-prompt", "query: "], [String: String]()), ([], ["DEFAULT_PROMPT": "query: "])] {
            let server = try await Self.launch(arguments, environment: environment)
            defer { server.stop() }
            let (status, prompted) = try await server.post("/embed", ["inputs": "what is a cat"])
            #expect(status == 200)
            #expect(Self.maxDifference(prompted, reference) < 1e-5 && Self.maxDifference(prompted, unprompted) > 1e-3, "\(arguments) \(environment)")
        }
        let both = try Self.refusal(["--default-prompt", "query: ", "--default-prompt-name", "query"])
        #expect(both.status != 0 && both.message.contains("cannot be used together"), "\(both.message)")
    }

    static func maxDifference(_ a: Any?, _ b: Any?) -> Double {
        guard let x = (a as? [[Double]])?.first, let y = (b as? [[Double]])?.first, x.count == y.count else { return .infinity }
        return zip(x, y).map { abs($0 - $1) }.max() ?? .infinity
    }

    /// `--hostname`/HOSTNAME, `--port`/`-p`/PORT.
    @Test func hostnameAndPort() async throws {
        let flagPort = try ServerProcessTests.freePort()
        let server = try await Self.launch(["--hostname", "127.0.0.1", "-p", String(flagPort)])
        #expect(server.port == flagPort)
        server.stop()
        let variablePort = try ServerProcessTests.freePort()
        let fromEnvironment = try await Self.launch([], environment: ["HOSTNAME": "127.0.0.1", "PORT": String(variablePort)])
        #expect(fromEnvironment.port == variablePort)
        fromEnvironment.stop()
    }

    /// The batching and admission limits, from the flags and the variables, as `/info` reports them and as requests
    /// meet them.
    @Test func limits() async throws {
        let flags = ["--max-concurrent-requests", "7", "--max-batch-tokens", "999", "--max-batch-requests", "5", "--max-client-batch-size", "2",
                     "--payload-limit", "300", "--tokenization-workers", "3"]
        let variables = ["MAX_CONCURRENT_REQUESTS": "7", "MAX_BATCH_TOKENS": "999", "MAX_BATCH_REQUESTS": "5", "MAX_CLIENT_BATCH_SIZE": "2",
                         "PAYLOAD_LIMIT": "300", "TOKENIZATION_WORKERS": "3"]
        for (arguments, environment) in [(flags, [String: String]()), ([], variables)] {
            let server = try await Self.launch(arguments, environment: environment)
            defer { server.stop() }
            let info = try await server.info()
            #expect(info["max_concurrent_requests"] as? Int == 7 && info["max_batch_tokens"] as? Int == 999 && info["max_batch_requests"] as? Int == 5
                    && info["max_client_batch_size"] as? Int == 2 && info["tokenization_workers"] as? Int == 3, "\(info)")
            #expect(try await server.post("/embed", ["inputs": ["a", "b", "c"]]).0 == 413)
            #expect(try await server.post("/embed", ["inputs": [String(repeating: "a ", count: 200)]]).0 == 413, "a body over the payload limit")
            #expect(try await server.post("/embed", ["inputs": ["a", "b"]]).0 == 200)
        }
    }

    @Test func apiKeyAndCORS() async throws {
        for (arguments, environment) in [(["--api-key", "secret", "--cors-allow-origin", "https://example.org"], [String: String]()),
                                         ([], ["API_KEY": "secret", "CORS_ALLOW_ORIGIN": "https://example.org"])] {
            let server = try await Self.launch(arguments, environment: environment)
            defer { server.stop() }
            #expect(try await server.post("/embed", ["inputs": "a"]).0 == 401)
            #expect(try await server.post("/embed", ["inputs": "a"], headers: ["Authorization": "Bearer secret"]).0 == 200)
            var request = URLRequest(url: try #require(URL(string: "http://127.0.0.1:\(server.port)/info")))
            request.setValue("Bearer secret", forHTTPHeaderField: "Authorization")
            request.setValue("https://example.org", forHTTPHeaderField: "Origin")
            let (_, response) = try await ServerLoopbackTests.session.data(for: request)
            #expect((response as? HTTPURLResponse)?.value(forHTTPHeaderField: "Access-Control-Allow-Origin") == "https://example.org")
        }
    }

    /// `--json-output` (JSON_OUTPUT): every log line a JSON object with TEI's keys; `--disable-spans` is accepted (the
    /// logs have no spans).
    @Test func jsonOutputAndDisableSpans() async throws {
        for (arguments, environment) in [(["--json-output", "--disable-spans"], [String: String]()), ([], ["JSON_OUTPUT": "true", "DISABLE_SPANS": "true"])] {
            let server = try await Self.launch(arguments, environment: environment)
            _ = try await server.post("/embed", ["inputs": "a"])
            try await Task.sleep(nanoseconds: 300_000_000)
            let lines = server.printed.split(separator: "\n").filter { $0.hasPrefix("{") }
            server.stop()
            #expect(!lines.isEmpty, "no JSON log lines")
            for line in lines {
                let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
                #expect(object?["level"] is String && object?["timestamp"] is String && (object?["fields"] as? [String: Any])?["message"] is String, "\(line)")
            }
        }
    }

    /// Tokens are passed on to the Hub client (HF_TOKEN); a model found locally needs none, so the flags only have
    /// to be accepted here: the download with a token is HubDownloadTests'.
    @Test func hubTokens() async throws {
        for (arguments, environment) in [(["--hf-token", "hf_x"], [String: String]()), (["--hf-api-token", "hf_x"], [:]), ([], ["HF_API_TOKEN": "hf_x"])] {
            let server = try await Self.launch(arguments, environment: environment)
            server.stop()
        }
        #expect(try Self.refusal(["--hf-token", "a", "--hf-api-token", "b"]).status != 0)
    }

    /// `--dtype float32` and `--device-id 0` are what runs; float16 and another device are refused.
    @Test func dtypeAndDevice() async throws {
        for (arguments, environment) in [(["--dtype", "float32", "--device-id", "0"], [String: String]()), ([], ["DTYPE": "float32", "DEVICE_ID": "0"])] {
            let server = try await Self.launch(arguments, environment: environment)
            #expect(try await server.info()["model_dtype"] as? String == "float32")
            server.stop()
        }
        for (arguments, environment) in [(["--dtype", "float16"], [String: String]()), ([], ["DTYPE": "float16"]), (["--device-id", "1"], [:]), ([], ["DEVICE_ID": "1"])] {
            let refused = try Self.refusal(arguments, environment: environment)
            #expect(refused.status != 0 && (refused.message.contains("float16") || refused.message.contains("CPU")), "\(arguments) \(environment): \(refused.message)")
        }
    }

    /// TEI's flags for what this server has no counterpart for: refused, flag or variable, with the reason.
    @Test(arguments: [("--dense-path", "DENSE_PATH", "2_Dense_1024"), ("--uds-path", "UDS_PATH", "/tmp/tei"),
                      ("--otlp-endpoint", "OTLP_ENDPOINT", "http://localhost:4317"), ("--otlp-service-name", "OTLP_SERVICE_NAME", "tei"),
                      ("--prometheus-port", "PROMETHEUS_PORT", "9000")])
    func unsupportedFlagsAreRefused(flag: String, variable: String, value: String) throws {
        for (arguments, environment) in [([flag, value], [String: String]()), ([], [variable: value])] {
            let refused = try Self.refusal(arguments, environment: environment)
            #expect(refused.status != 0 && refused.message.contains("\(flag) (\(variable)) is not supported"), "\(arguments) \(environment): \(refused.message)")
        }
    }
}
