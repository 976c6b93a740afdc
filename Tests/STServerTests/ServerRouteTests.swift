import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SentenceTransformers
import STServer
import STTestSupport
import Testing

/// Every route, field and error, in process (no socket).
@Suite struct ServerRouteTests {
    static let model = Result { try SentenceTransformer(directory: try TestResources.model("all-MiniLM-L6-v2")) }
    static let reranker = Result { try CrossEncoder(directory: try TestResources.model("cross-encoder-stsb-MiniLM-L6")) }

    static func configuration(_ change: (inout ServerConfiguration) -> Void = { _ in }) -> ServerConfiguration {
        var configuration = ServerConfiguration()
        configuration.host = "127.0.0.1"
        configuration.port = 0
        // These suites check refusals of over-long inputs: TEI 1.9's default (truncate) is TEILauncherTests'.
        configuration.autoTruncate = false
        change(&configuration)
        return configuration
    }

    /// TEI's variables: what does not parse, or is no port, stops the server before it starts (TEI's argument parser
    /// refuses them too) rather than being replaced by a default; so does a default prompt name the model lacks.
    @Test func settingsThatCannotBeUsedStopTheServer() throws {
        let parsed = try ServerConfiguration(environment: ["PORT": "8080", "MAX_CLIENT_BATCH_SIZE": "64", "SHUTDOWN_TIMEOUT": "2.5"])
        #expect(parsed.port == 8080 && parsed.maxClientBatchSize == 64 && parsed.shutdownTimeout == .milliseconds(2500))
        for bad in [["PORT": "abc"], ["PORT": "70000"], ["PORT": "0"], ["MAX_BATCH_TOKENS": "-5"], ["PAYLOAD_LIMIT": "2MB"],
                    ["SHUTDOWN_TIMEOUT": "10s"], ["IDLE_TIMEOUT": "0"], ["HEADER_READ_TIMEOUT": "inf"], ["AUTO_TRUNCATE": "maybe"],
                    ["TOKENIZATION_WORKERS": "0"], ["POOLING": "max"], ["DEFAULT_PROMPT": "query: ", "DEFAULT_PROMPT_NAME": "query"]] {
            #expect(throws: ServerConfiguration.InvalidSetting.self, "\(bad)") { _ = try ServerConfiguration(environment: bad) }
        }
        let model = try Self.model.get()
        try Self.configuration().check(for: model)
        #expect(throws: ServerConfiguration.InvalidSetting.self) { try Self.configuration { $0.defaultPromptName = "nope" }.check(for: model) }
        // TEI replaces the model's pooling with --pooling; here only the model's own is accepted.
        try Self.configuration { $0.pooling = "mean" }.check(for: model)
        #expect(throws: ServerConfiguration.InvalidSetting.self) { try Self.configuration { $0.pooling = "cls" }.check(for: model) }
        #expect(try ServerConfiguration(environment: [:]).autoTruncate, "TEI 1.9 truncates by default")
        #expect(try !ServerConfiguration(environment: ["AUTO_TRUNCATE": "false"]).autoTruncate)
    }

    static func post(_ client: some TestClientProtocol, _ path: String, _ json: String, headers: HTTPFields = [:]) async throws -> TestResponse {
        var fields = headers
        fields[.contentType] = "application/json"
        return try await client.execute(uri: path, method: .post, headers: fields, body: ByteBuffer(string: json)) { $0 }
    }

    static func object(_ response: TestResponse) -> Any? {
        try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView), options: [.fragmentsAllowed])
    }

    static func floats(_ value: Any?) -> [[Float]] {
        ((value as? [[NSNumber]]) ?? []).map { $0.map(\.floatValue) }
    }

    static func expectError(_ response: TestResponse, status: Int, type: String, _ comment: Comment? = nil) {
        #expect(Int(response.status.code) == status, comment)
        let body = object(response) as? [String: String]
        #expect(body?["error_type"] == type && !(body?["error"] ?? "").isEmpty, "\(String(decoding: response.body.readableBytesView, as: UTF8.self))")
    }

    @Test func embedSimilarityAndTokenEmbeddings() async throws {
        let model = try Self.model.get()
        let app = try buildApplication(configuration: Self.configuration(), model: model)
        try await app.test(.router) { client in
            let texts = ["A man is eating food.", "A woman is playing violin."]
            let expected = try await model.encode(texts, normalize: true)
            let batch = try await Self.post(client, "/embed", #"{"inputs": ["A man is eating food.", "A woman is playing violin."]}"#)
            #expect(batch.status == .ok)
            let rows = Self.floats(Self.object(batch))
            #expect(rows.count == 2 && zip(rows.flatMap { $0 }, expected.values).allSatisfy { abs($0 - $1) <= 1e-6 })
            let single = Self.floats(Self.object(try await Self.post(client, "/embed", #"{"inputs": "A man is eating food.", "dimensions": 8, "normalize": false}"#)))
            let raw = try await model.encode("A man is eating food.")
            #expect(single.first?.count == 8 && zip(single[0], raw.prefix(8)).allSatisfy { abs($0 - $1) <= 1e-6 })
            let all = try await Self.post(client, "/embed_all", #"{"inputs": ["hello world"]}"#)
            let tokens = (Self.object(all) as? [[[NSNumber]]]) ?? []
            #expect(tokens.count == 1 && tokens[0].count == 4 && tokens[0][0].count == 384)
            let similarity = try await Self.post(client, "/similarity", #"{"inputs": {"source_sentence": "A man eats.", "sentences": ["A man is eating food.", "The sky is blue."]}}"#)
            let scores = (Self.object(similarity) as? [NSNumber])?.map(\.floatValue) ?? []
            #expect(scores.count == 2 && scores[0] > scores[1])
            Self.expectError(try await Self.post(client, "/embed", #"{"inputs": "x", "prompt_name": "nope"}"#), status: 413, type: "Validation")
        }
    }

    @Test func rerankTokenizeDecodeAndInfoRoutes() async throws {
        let model = try Self.model.get(), reranker = try Self.reranker.get()
        let app = try buildApplication(configuration: Self.configuration(), model: model, reranker: reranker)
        try await app.test(.router) { client in
            let documents = ["A small bird perches.", "How to do that?", "People clean clothes."]
            let response = try await Self.post(client, "/rerank", #"{"query": "How do you do that?", "texts": ["A small bird perches.", "How to do that?", "People clean clothes."], "return_text": true}"#)
            let ranked = (Self.object(response) as? [[String: Any]]) ?? []
            // TEI's reranker scores are sigmoids of the logits, as the model's own activation here.
            let expected = try await reranker.rank(query: "How do you do that?", documents: documents)
            #expect(ranked.compactMap { $0["index"] as? Int } == expected.map(\.corpusID))
            #expect(ranked.first?["text"] as? String == "How to do that?")
            #expect(abs(((ranked.first?["score"] as? NSNumber)?.floatValue ?? 0) - expected[0].score) <= 1e-6)
            let raw = (Self.object(try await Self.post(client, "/rerank", #"{"query": "q", "texts": ["a"], "raw_scores": true}"#)) as? [[String: Any]]) ?? []
            #expect(((raw.first?["score"] as? NSNumber)?.floatValue ?? 0) < 0)  // a logit, not a probability
            let tokenized = (Self.object(try await Self.post(client, "/tokenize", #"{"inputs": "Hello world!"}"#)) as? [[[String: Any]]]) ?? []
            #expect(tokenized.first?.compactMap { $0["id"] as? Int } == [101, 7592, 2088, 999, 102])
            #expect(tokenized.first?[1]["start"] as? Int == 0 && tokenized.first?[1]["stop"] as? Int == 5 && tokenized.first?[0]["special"] as? Bool == true)
            #expect(tokenized.first?[1]["text"] as? String == "Hello" && tokenized.first?[0]["start"] is NSNull)
            let decoded = (Self.object(try await Self.post(client, "/decode", #"{"ids": [101, 7592, 2088, 999, 102]}"#)) as? [String]) ?? []
            #expect(decoded == ["hello world!"])
            try await client.execute(uri: "/health", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/info", method: .get) { response in
                let info = Self.object(response) as? [String: Any]
                #expect(info?["max_input_length"] as? Int == 256 && info?["max_client_batch_size"] as? Int == 32 && info?["model_dtype"] as? String == "float32")
            }
            try await client.execute(uri: "/metrics", method: .get) { response in
                let text = String(decoding: response.body.readableBytesView, as: UTF8.self)
                #expect(text.contains("te_request_count{method=\"rerank\"} 2") && text.contains("te_batch_next_size_bucket") && text.contains("te_queue_size"))
            }
            try await client.execute(uri: "/", method: .get, headers: [.accept: "text/html"]) { response in
                #expect(String(decoding: response.body.readableBytesView, as: UTF8.self).contains("sbert playground"))
            }
            try await client.execute(uri: "/", method: .get) { response in
                #expect(response.status == .ok && response.body.readableBytes == 0)  // a client's health check, as on TEI
            }
            try await client.execute(uri: "/openapi.json", method: .get) { response in
                let document = Self.object(response) as? [String: Any]
                let paths = (document?["paths"] as? [String: Any])?.keys.sorted() ?? []
                #expect(paths == ["/", "/api-doc/openapi.json", "/decode", "/docs", "/embed", "/embed_all", "/embed_sparse", "/embeddings", "/health", "/info", "/invocations",
                                  "/metrics", "/openapi.json", "/ping", "/predict", "/rerank", "/similarity", "/tokenize", "/v1/embeddings"])
            }
        }
        let withoutReranker = try buildApplication(configuration: Self.configuration(), model: model)
        try await withoutReranker.test(.router) { client in
            Self.expectError(try await Self.post(client, "/rerank", #"{"query": "q", "texts": ["a"]}"#), status: 424, type: "Backend")
        }
    }

    @Test func openAIEmbeddings() async throws {
        let model = try Self.model.get()
        let app = try buildApplication(configuration: Self.configuration { $0.modelID = "all-MiniLM-L6-v2" }, model: model)
        try await app.test(.router) { client in
            let response = Self.object(try await Self.post(client, "/v1/embeddings", #"{"input": ["A man is eating food.", "hello"], "model": "m"}"#)) as? [String: Any]
            // TEI answers with the served model's name, whatever the request's `model`.
            #expect(response?["object"] as? String == "list" && response?["model"] as? String == "all-MiniLM-L6-v2")
            let data = (response?["data"] as? [[String: Any]]) ?? []
            #expect(data.count == 2 && data[1]["index"] as? Int == 1 && data[0]["object"] as? String == "embedding")
            let usage = response?["usage"] as? [String: Int]
            let tokens = try model.tokenize("A man is eating food.").count + model.tokenize("hello").count
            #expect(usage?["prompt_tokens"] == tokens && usage?["total_tokens"] == tokens)
            let vector = ((data.first?["embedding"] as? [NSNumber]) ?? []).map(\.floatValue)
            let expected = try await model.encode("A man is eating food.", normalize: true)
            #expect(vector.count == 384 && zip(vector, expected).allSatisfy { abs($0 - $1) <= 1e-6 })
            let base64 = Self.object(try await Self.post(client, "/v1/embeddings", #"{"input": "A man is eating food.", "encoding_format": "base64"}"#)) as? [String: Any]
            let encoded = ((base64?["data"] as? [[String: Any]])?.first?["embedding"] as? String).flatMap { Data(base64Encoded: $0) } ?? Data()
            let decoded = encoded.withUnsafeBytes { raw in (0..<(encoded.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) } }
            // A batch of one here, a batch of two above: equal to float rounding.
            #expect(decoded.count == 384 && zip(decoded, vector).allSatisfy { abs($0 - $1) <= 1e-6 })
            let ids = Self.object(try await Self.post(client, "/v1/embeddings", #"{"input": [101, 1037, 2158, 2003, 5983, 2833, 1012, 102], "dimensions": 16}"#)) as? [String: Any]
            let fromIDs = ((ids?["data"] as? [[String: Any]])?.first?["embedding"] as? [NSNumber])?.map(\.floatValue) ?? []
            #expect(fromIDs.count == 16)
        }
    }

    @Test func errorsAsTEIReturnsThem() async throws {
        let model = try Self.model.get()
        let app = try buildApplication(configuration: Self.configuration { $0.maxClientBatchSize = 2; $0.payloadLimit = 2000; $0.apiKey = "secret" }, model: model)
        let auth: HTTPFields = [.authorization: "Bearer secret"]
        try await app.test(.router) { client in
            Self.expectError(try await Self.post(client, "/embed", #"{"inputs": "hi"}"#), status: 401, type: "Unauthorized")
            Self.expectError(try await Self.post(client, "/embed", #"{"inputs": "hi"}"#, headers: [.authorization: "Bearer wrong"]), status: 401, type: "Unauthorized")
            try await client.execute(uri: "/health", method: .get) { #expect($0.status == .ok) }
            Self.expectError(try await Self.post(client, "/embed", #"{"inputs": []}"#, headers: auth), status: 400, type: "Empty")
            Self.expectError(try await Self.post(client, "/embed", #"{"inputs": ""}"#, headers: auth), status: 400, type: "Empty")
            Self.expectError(try await Self.post(client, "/embed", #"{"inputs": ["a", "b", "c"]}"#, headers: auth), status: 413, type: "Validation")
            let long = String(repeating: "word ", count: 300)
            Self.expectError(try await Self.post(client, "/embed", "{\"inputs\": \"\(long)\"}", headers: auth), status: 413, type: "Validation")
            let truncated = try await Self.post(client, "/embed", "{\"inputs\": \"\(long)\", \"truncate\": true}", headers: auth)
            #expect(truncated.status == .ok)
            Self.expectError(try await Self.post(client, "/embed", "{\"inputs\": \"\(String(repeating: "x", count: 3000))\"}", headers: auth), status: 413, type: "Validation")
            Self.expectError(try await Self.post(client, "/embed", #"{"inputs": "#, headers: auth), status: 400, type: "Validation")
            Self.expectError(try await Self.post(client, "/embed", #"{"text": "hi"}"#, headers: auth), status: 422, type: "Validation")
            // A failing request disturbs nothing: the next one is served.
            #expect(try await Self.post(client, "/embed", #"{"inputs": "still fine"}"#, headers: auth).status == .ok)
        }
        let full = try buildApplication(configuration: Self.configuration { $0.maxConcurrentRequests = 0 }, model: model)
        try await full.test(.router) { client in
            Self.expectError(try await Self.post(client, "/embed", #"{"inputs": "hi"}"#), status: 429, type: "Overloaded")
        }
    }
}
