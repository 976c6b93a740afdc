import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SentenceTransformers
import STServer
import STTestSupport
import Testing

/// The server with the other model kinds: a SPLADE model behind `/embed_sparse` (TEI's shape and errors), a Router
/// model routed by `prompt_name`, and a StaticEmbedding model.
@Suite struct ServerModelKindsTests {
    typealias Route = ServerRouteTests

    static func sparse(_ response: TestResponse) -> [[(index: Int, value: Float)]] {
        ((Route.object(response) as? [[[String: NSNumber]]]) ?? []).map { row in
            row.map { (index: $0["index"]?.intValue ?? -1, value: $0["value"]?.floatValue ?? .nan) }
        }
    }

    @Test func spladeServesEmbedSparseAsTEI() async throws {
        let model = try await SparseEncoder(directory: try TestResources.model("tiny-splade"))
        let app = try buildApplication(configuration: Route.configuration(), sparseModel: model)
        try await app.test(.router) { client in
            let texts = ["A man is playing a guitar.", "Ein Mann spielt Gitarre."]
            let expected = try await model.encode(texts)
            let response = try await Route.post(client, "/embed_sparse", #"{"inputs": ["A man is playing a guitar.", "Ein Mann spielt Gitarre."]}"#)
            #expect(response.status == .ok)
            let rows = Self.sparse(response)
            #expect(rows.count == 2)
            for (row, vector) in zip(rows, expected) {
                #expect(row.map(\.index) == vector.indices && zip(row.map(\.value), vector.values).allSatisfy { abs($0 - $1) <= 1e-6 })
            }
            // POST / on a SPLADE server is /embed_sparse, as on TEI.
            #expect(Self.sparse(try await Route.post(client, "/", #"{"inputs": "A man is playing a guitar."}"#)).first?.map(\.index) == expected[0].indices)
            // /embed: dense vocabulary-sized rows without normalization; normalizing and /embed_all are refused (424).
            let dense = Route.floats(Route.object(try await Route.post(client, "/embed", #"{"inputs": "A man is playing a guitar.", "normalize": false}"#)))
            // A batch of one against the library's batch of two: equal to float rounding (the portable path's BLAS may
            // round rows of batches of other sizes differently).
            #expect(dense.first?.count == 30522 && zip(dense.first ?? [], expected[0].dense).allSatisfy { abs($0 - $1) <= 1e-5 * max(1, abs($1)) })
            Route.expectError(try await Route.post(client, "/embed", #"{"inputs": "x"}"#), status: 424, type: "Backend")
            Route.expectError(try await Route.post(client, "/embed_all", #"{"inputs": "x"}"#), status: 424, type: "Backend")
            Route.expectError(try await Route.post(client, "/embed_sparse", #"{"inputs": []}"#), status: 400, type: "Empty")
            let info = Route.object(try await client.execute(uri: "/info", method: .get) { $0 }) as? [String: Any]
            #expect(((info?["model_type"] as? [String: Any])?["embedding"] as? [String: Any])?["pooling"] as? String == "splade")
        }
    }

    @Test func denseServerRefusesEmbedSparse() async throws {
        let app = try buildApplication(configuration: Route.configuration(), model: try Route.model.get())
        try await app.test(.router) { client in
            Route.expectError(try await Route.post(client, "/embed_sparse", #"{"inputs": "x"}"#), status: 424, type: "Backend")
        }
    }

    /// `prompt_name` names the Router's route: the query route (SparseStaticEmbedding, no special tokens) and the
    /// document route (SPLADE) of an inference-free model; the default route without one.
    @Test func routerRoutesByPromptName() async throws {
        let sparse = try await SparseEncoder(directory: try TestResources.model("tiny-splade-inference-free"))
        let text = "A man is playing a guitar."
        try await buildApplication(configuration: Route.configuration(), sparseModel: sparse).test(.router) { client in
            let query = Self.sparse(try await Route.post(client, "/embed_sparse", #"{"inputs": "\#(text)", "prompt_name": "query"}"#))
            #expect(query.first?.map(\.index) == (try await sparse.encodeQuery([text]))[0].indices)
            let document = Self.sparse(try await Route.post(client, "/embed_sparse", #"{"inputs": "\#(text)"}"#))
            #expect(document.first?.map(\.index) == (try await sparse.encodeDocument([text]))[0].indices)
        }
        let dense = try await SentenceTransformer(directory: try TestResources.model("tiny-router-asym"))
        try await buildApplication(configuration: Route.configuration(), model: dense).test(.router) { client in
            for (name, expected) in try await [("query", dense.encodeQuery([text], normalize: true)), ("document", dense.encodeDocument([text], normalize: true))] {
                for path in ["/embed", "/v1/embeddings"] {
                    let body = path == "/embed" ? #"{"inputs": "\#(text)", "prompt_name": "\#(name)"}"# : #"{"input": "\#(text)", "prompt_name": "\#(name)"}"#
                    let response = try await Route.post(client, path, body)
                    let row = path == "/embed" ? Route.floats(Route.object(response)).first ?? []
                        : (((Route.object(response) as? [String: Any])?["data"] as? [[String: Any]])?.first?["embedding"] as? [NSNumber])?.map(\.floatValue) ?? []
                    #expect(row.count == 32 && ParityChecks.maxDifference(row, expected[0]) <= 1e-6, "\(path) \(name)")
                }
            }
        }
    }

    @Test func staticEmbeddingServer() async throws {
        let model = try await SentenceTransformer(directory: try TestResources.model("tiny-static-embedding"))
        try await buildApplication(configuration: Route.configuration(), model: model).test(.router) { client in
            let rows = Route.floats(Route.object(try await Route.post(client, "/embed", #"{"inputs": ["hello world", "a"], "normalize": false}"#)))
            await #expect(rows == (try model.encode(["hello world", "a"])).arrays)
            Route.expectError(try await Route.post(client, "/embed_all", #"{"inputs": "x"}"#), status: 424, type: "Backend")
        }
    }
}
