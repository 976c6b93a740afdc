import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import HummingbirdTesting
import SentenceTransformers
import STServer
import STTestSupport
import Testing

/// The server over a real loopback socket: concurrent clients, dynamic batching, SIGTERM, and the page in Chromium.
@Suite(.serialized) struct ServerLoopbackTests {
    /// Long timeouts: other suites may keep both cores busy while this one runs.
    static let session: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = 900
        configuration.timeoutIntervalForResource = 900
        configuration.httpMaximumConnectionsPerHost = 32
        return URLSession(configuration: configuration)
    }()

    static func post(port: Int, path: String, json: String) async throws -> (Int, Data) {
        guard let url = URL(string: "http://127.0.0.1:\(port)\(path)") else { throw URLError(.badURL) }
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data(json.utf8)
        let (data, response) = try await session.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
    }

    @Test func concurrentClientsGetTheirOwnVectors() async throws {
        let model = try ServerRouteTests.model.get()
        let sentences = try InputLinesHelper.sentences(count: 96)
        let expected = try await model.encode(sentences, normalize: true)
        let app = try buildApplication(configuration: ServerRouteTests.configuration(), model: model)
        try await app.test(.live) { client in
            let port = try #require(client.port)
            try await withThrowingTaskGroup(of: (Int, [Float], Int).self) { group in
                for (index, sentence) in sentences.enumerated() {
                    group.addTask {
                        let (status, data) = try await Self.post(port: port, path: "/embed", json: "{\"inputs\": \(JSONText.quote(sentence))}")
                        let row = ((try? JSONSerialization.jsonObject(with: data)) as? [[NSNumber]])?.first?.map(\.floatValue) ?? []
                        return (index, row, status)
                    }
                }
                var answered = 0
                for try await (index, row, status) in group {
                    answered += 1
                    #expect(status == 200)
                    // Rows batched with other clients' rows: equal to the library's vector to float rounding.
                    let difference = zip(row, expected[index]).map { abs($0 - $1) }.max() ?? .infinity
                    #expect(row.count == 384 && difference <= 1e-6, "request \(index): max |Δ| \(difference)")
                }
                #expect(answered == sentences.count)
            }
            let (status, data) = try await Self.post(port: port, path: "/v1/embeddings", json: #"{"input": ["one", "two"], "model": "x"}"#)
            let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
            #expect(status == 200 && object?["object"] as? String == "list" && (object?["data"] as? [Any])?.count == 2 && object?["usage"] != nil)
            let metricsURL = try #require(URL(string: "http://127.0.0.1:\(port)/metrics"))
            let metrics = String(decoding: try await Self.session.data(from: metricsURL).0, as: UTF8.self)
            // Dynamic batching: 96 concurrent requests did not take 96 forward passes.
            let batches = metrics.split(separator: "\n").first { $0.hasPrefix("te_batch_next_size_count") }.flatMap { Int($0.split(separator: " ").last ?? "") } ?? 0
            #expect(batches > 0 && batches < sentences.count, "\(batches) batches")
        }
    }
}

enum JSONText {
    static func quote(_ text: String) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: [text])) ?? Data("[\"\"]".utf8)
        return String(String(decoding: data, as: UTF8.self).dropFirst().dropLast())
    }
}

enum InputLinesHelper {
    /// Real sentences from the STS Benchmark test file.
    static func sentences(count: Int) throws -> [String] {
        let pairs = try STSBenchmark.load(TestResources.fixture("data/stsbenchmark/sts-test.csv"))
        return Array(pairs.map(\.first).prefix(count))
    }
}
