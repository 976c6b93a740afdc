import Foundation
import HummingbirdTesting
import SentenceTransformers
import STServer
import STTestSupport
import Testing

/// A request that can only fail inside the model never fails the requests batched with it, and token-id inputs get
/// the same checks as text inputs.
@Suite struct PoisonedRequestTests {
    /// `[101, 30523, 102]`: 30523 is below the tokenizer's vocabulary plus added tokens but past the embedding table's
    /// 30522 rows. It is rejected before batching (413 Validation, naming the table), and the 8 innocent requests sent at the
    /// same time all get their vectors.
    @Test func oneBadTokenIDFailsOnlyItsRequest() async throws {
        let model = try ServerRouteTests.model.get()
        let app = try buildApplication(configuration: ServerRouteTests.configuration(), model: model)
        let expected = try await model.encode("An innocent sentence.", normalize: true)
        try await app.test(.router) { client in
            try await withThrowingTaskGroup(of: (Bool, Int).self) { group in
                group.addTask {
                    let response = try await ServerRouteTests.post(client, "/v1/embeddings", #"{"input": [[101, 30523, 102]]}"#)
                    return (true, Int(response.status.code))
                }
                for _ in 0..<8 {
                    group.addTask {
                        let response = try await ServerRouteTests.post(client, "/embed", #"{"inputs": "An innocent sentence."}"#)
                        let row = ServerRouteTests.floats(ServerRouteTests.object(response)).first ?? []
                        let same = row.count == expected.count && zip(row, expected).allSatisfy { abs($0 - $1) <= 1e-5 }
                        return (false, response.status == .ok && same ? 200 : Int(response.status.code))
                    }
                }
                for try await (bad, status) in group {
                    if bad { #expect(status == 413, "the bad token id got \(status)") } else { #expect(status == 200, "an innocent request got \(status)") }
                }
            }
        }
    }

    /// `dimensions` is checked for token-id inputs as for texts (0, -1 and 2^63 − 1 were answered with 384 values).
    @Test(arguments: ["0", "-1", "9223372036854775807", "385"])
    func dimensionsOfTokenIDInputs(value: String) async throws {
        let model = try ServerRouteTests.model.get()
        let app = try buildApplication(configuration: ServerRouteTests.configuration(), model: model)
        try await app.test(.router) { client in
            let response = try await ServerRouteTests.post(client, "/v1/embeddings", #"{"input": [[101, 7592, 102]], "dimensions": \#(value)}"#)
            #expect(response.status.code >= 400 && response.status.code < 500, "dimensions \(value): \(response.status)")
        }
    }
}
