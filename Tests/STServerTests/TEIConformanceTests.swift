import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SentenceTransformers
import STServer
import STTestSupport
import Testing

/// What text-embeddings-inference answers and we must answer the same way, in process: the routing of `POST /`, the
/// classifier's `/predict`, `/tokenize`'s slices and byte offsets, `/info`'s shape, and the statuses of the error
/// types that need a broken model (tokenizer 422, backend 424, unhealthy 503). The same cases with real clients are
/// in Tests/Conformance (scripts/test-conformance.sh).
@Suite struct TEIConformanceTests {
    static let classifier = Result { try CrossEncoder(directory: try TestResources.model("cross-encoder-stsb-MiniLM-L6-3labels")) }

    static func get(_ client: some TestClientProtocol, _ path: String, headers: HTTPFields = [:]) async throws -> TestResponse {
        try await client.execute(uri: path, method: .get, headers: headers) { $0 }
    }

    /// Expected values: the Python CrossEncoder (sentence-transformers 6.2) on the same model
    /// (Tests/Fixtures/cross-encoder-stsb-MiniLM-L6-3labels/README.md): a softmax over the three labels, best first;
    /// the logits with `raw_scores`.
    @Test func predictWithSeveralLabelsMatchesPython() async throws {
        let model = try ServerRouteTests.model.get(), classifier = try Self.classifier.get()
        let data = try Data(contentsOf: TestResources.fixture("cross-encoder-stsb-MiniLM-L6-3labels/predict.json"))
        let reference = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let labels = try #require(reference["labels"] as? [String])
        // Each reference row as the request bodies and the expected scores (Sendable, for the test client's closure).
        let cases: [(body: String, rawBody: String, scores: [Float], logits: [Float])] = try ((reference["predictions"] as? [[String: Any]]) ?? []).map { row in
            let body = String(decoding: try JSONSerialization.data(withJSONObject: ["inputs": row["inputs"] ?? ""]), as: UTF8.self)
            return (body, String(body.dropLast()) + #", "raw_scores": true}"#,
                    ((row["scores"] as? [NSNumber]) ?? []).map(\.floatValue), ((row["logits"] as? [NSNumber]) ?? []).map(\.floatValue))
        }
        #expect(cases.count == 7)
        let app = try buildApplication(configuration: ServerRouteTests.configuration(), model: model, classifier: classifier)
        try await app.test(.router) { client in
            for item in cases {
                for (body, expected) in [(item.body, item.scores), (item.rawBody, item.logits)] {
                    let predictions = (ServerRouteTests.object(try await ServerRouteTests.post(client, "/predict", body)) as? [[String: Any]]) ?? []
                    let order = expected.indices.sorted { expected[$0] > expected[$1] }
                    #expect(predictions.compactMap { $0["label"] as? String } == order.map { labels[$0] }, "\(body)")
                    for prediction in predictions {
                        let index = labels.firstIndex(of: prediction["label"] as? String ?? "") ?? 0
                        #expect(abs(((prediction["score"] as? NSNumber)?.floatValue ?? .nan) - expected[index]) <= 1e-5)
                    }
                }
            }
            // POST / on a classification server predicts; a body with `query` and `texts` still reranks (424 here:
            // there is no reranker), and one with `source_sentence` computes similarities.
            let root = (ServerRouteTests.object(try await ServerRouteTests.post(client, "/", #"{"inputs": "What is Deep Learning?"}"#)) as? [[String: Any]]) ?? []
            #expect(root.count == 3)
            ServerRouteTests.expectError(try await ServerRouteTests.post(client, "/invocations", #"{"query": "q", "texts": ["a"]}"#), status: 424, type: "Backend")
            let similarity = ServerRouteTests.object(try await ServerRouteTests.post(client, "/", #"{"inputs": {"source_sentence": "a", "sentences": ["a"]}}"#)) as? [NSNumber]
            #expect(abs((similarity?.first?.floatValue ?? 0) - 1) <= 1e-5)
            let info = ServerRouteTests.object(try await Self.get(client, "/info")) as? [String: Any]
            #expect((info?["classifier"] as? [String: Any])?["id2label"] as? [String: String] == ["0": "similar", "1": "dissimilar", "2": "noise"])
        }
    }

    @Test func rootRoutesByShapeOnAnEmbeddingServer() async throws {
        let model = try ServerRouteTests.model.get(), reranker = try ServerRouteTests.reranker.get()
        let app = try buildApplication(configuration: ServerRouteTests.configuration(), model: model, reranker: reranker)
        try await app.test(.router) { client in
            for path in ["/", "/invocations"] {
                let rows = ServerRouteTests.floats(ServerRouteTests.object(try await ServerRouteTests.post(client, path, #"{"inputs": "A man is eating food."}"#)))
                let expected = try await model.encode("A man is eating food.", normalize: true)
                #expect(rows.count == 1 && zip(rows[0], expected).allSatisfy { abs($0 - $1) <= 1e-6 }, "\(path) embeds")
                let ranked = (ServerRouteTests.object(try await ServerRouteTests.post(client, path, #"{"query": "How do you do that?", "texts": ["A cat.", "How to do that?"]}"#)) as? [[String: Any]]) ?? []
                #expect(ranked.first?["index"] as? Int == 1, "\(path) reranks")
            }
            // The reranker serves /predict with a sigmoid, labelled from its id2label.
            let predicted = (ServerRouteTests.object(try await ServerRouteTests.post(client, "/predict", #"{"inputs": ["How do you do that?", "How to do that?"]}"#)) as? [[String: Any]]) ?? []
            let logit = try await reranker.predict([("How do you do that?", "How to do that?")], activation: .identity).values[0]
            #expect(predicted.first?["label"] as? String == "LABEL_0")
            #expect(abs(((predicted.first?["score"] as? NSNumber)?.floatValue ?? 0) - 1 / (1 + exp(-logit))) <= 1e-6)
            let info = ServerRouteTests.object(try await Self.get(client, "/info")) as? [String: Any]
            #expect(info?["model_type"] as? [String: [String: String]] == ["embedding": ["pooling": "mean"]])
            #expect(info?["served_model_name"] as? String == "sentence-transformers/all-MiniLM-L6-v2" && info?["model_sha"] is NSNull)
            // Health on TEI's three paths; the page only for a browser.
            for path in ["/health", "/ping", "/"] {
                let response = try await Self.get(client, path)
                #expect(response.status == .ok && response.body.readableBytes == 0, "\(path)")
            }
        }
    }

    /// TEI's `/tokenize` shows each token as the slice of the input it covers, with UTF-8 byte offsets; expected
    /// values from the Python `tokenizers` 0.23.3 on all-MiniLM-L6-v2's tokenizer.json:
    /// `Tokenizer.from_file(…).encode("北京天安门")` → ids [101, 1781, 1755, 1811, 1820, 100, 102], tokens
    /// [CLS] 北 京 天 安 [UNK] [SEP], character offsets (0,1) … (4,5): bytes (0,3) … (12,15).
    @Test func tokenizeGivesSlicesAndByteOffsets() async throws {
        let model = try ServerRouteTests.model.get()
        let app = try buildApplication(configuration: ServerRouteTests.configuration(), model: model)
        try await app.test(.router) { client in
            let tokens = ((ServerRouteTests.object(try await ServerRouteTests.post(client, "/tokenize", #"{"inputs": "北京天安门"}"#)) as? [[[String: Any]]]) ?? [])
                .first ?? []
            #expect(tokens.compactMap { $0["id"] as? Int } == [101, 1781, 1755, 1811, 1820, 100, 102])
            #expect(tokens.compactMap { $0["text"] as? String } == ["[CLS]", "北", "京", "天", "安", "门", "[SEP]"])
            #expect(tokens.dropFirst().dropLast().compactMap { $0["start"] as? Int } == [0, 3, 6, 9, 12])
            #expect(tokens.dropFirst().dropLast().compactMap { $0["stop"] as? Int } == [3, 6, 9, 12, 15])
            #expect(tokens.first?["start"] is NSNull && tokens.last?["stop"] is NSNull && tokens.first?["special"] as? Bool == true)
            // `##` pieces show the text they cover, not the vocabulary's `##…` string: the slices join to the input.
            let naive = ((ServerRouteTests.object(try await ServerRouteTests.post(client, "/tokenize", #"{"inputs": "unaffable", "add_special_tokens": false}"#)) as? [[[String: Any]]]) ?? []).first ?? []
            #expect(naive.compactMap { $0["text"] as? String }.joined() == "unaffable" && naive.count > 1)
        }
    }

    /// Backend failures are 424 and make `/health` (and `/ping`, `GET /`) answer 503 until the model works again;
    /// a tokenizer failure is 422. Both models are made by scripts/make-server-test-models.py.
    @Test func brokenModelsGiveBackendTokenizerAndUnhealthyStatuses() async throws {
        let nan = try await SentenceTransformer(directory: try TestResources.model("tiny-distilbert-nan"))
        try await buildApplication(configuration: ServerRouteTests.configuration(), model: nan).test(.router) { client in
            ServerRouteTests.expectError(try await ServerRouteTests.post(client, "/embed", #"{"inputs": "hello"}"#), status: 424, type: "Backend")
            for path in ["/health", "/ping", "/"] {
                ServerRouteTests.expectError(try await Self.get(client, path), status: 503, type: "Unhealthy", "\(path)")
            }
            let openAI = ServerRouteTests.object(try await ServerRouteTests.post(client, "/v1/embeddings", #"{"input": "hello"}"#)) as? [String: Any]
            #expect(openAI?["type"] as? String == "Backend" && openAI?["code"] as? Int == 424 && openAI?["message"] is String)
        }
        let backtracking = try await SentenceTransformer(directory: try TestResources.model("tiny-distilbert-backtracking-tokenizer"))
        try await buildApplication(configuration: ServerRouteTests.configuration(), model: backtracking).test(.router) { client in
            ServerRouteTests.expectError(try await ServerRouteTests.post(client, "/embed", "{\"inputs\": \"\(String(repeating: "q", count: 40))!\"}"),
                                         status: 422, type: "Tokenizer")
            #expect(try await ServerRouteTests.post(client, "/embed", #"{"inputs": "hello"}"#).status == .ok)
            #expect(try await Self.get(client, "/health").status == .ok)
        }
    }
}
