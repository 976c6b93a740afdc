import Foundation
import HTTPTypes

/// An error answered as text-embeddings-inference answers it: `{"error": "…", "error_type": "…"}` on TEI's routes,
/// `{"message": "…", "code": status, "type": "…"}` on the OpenAI routes, with the status of its type:
///
/// | `error_type` | status | when |
/// |---|---|---|
/// | `Empty` | 400 | an empty input or batch |
/// | `Validation` | 413 | too many inputs, an input over the token limit, a bad field value (TEI's documented status) |
/// | `Tokenizer` | 422 | the tokenizer failed on an input |
/// | `Backend` | 424 | the model failed, or the server has no model of the kind the route needs |
/// | `Overloaded` | 429 | `max_concurrent_requests` requests are in flight |
/// | `Unhealthy` | 503 | `/health`: the model cannot compute an embedding |
///
/// A body that is not JSON is answered 400 and one of the wrong shape 422, as TEI's JSON extractor answers them,
/// with `error_type` `Validation`; a body over the payload limit 413, a missing JSON content type 415.
public struct APIError: Error, CustomStringConvertible {
    public var status: HTTPResponse.Status
    public var message: String
    /// TEI's `error_type`, spelled as TEI serializes it (`Validation`, `Empty`, …).
    public var type: String

    public var description: String { "\(status.code) \(type): \(message)" }

    static let failedDependency = HTTPResponse.Status(code: 424, reasonPhrase: "Failed Dependency")

    static func validation(_ message: String, status: HTTPResponse.Status = .contentTooLarge) -> APIError {
        APIError(status: status, message: message, type: "Validation")
    }

    static func empty(_ message: String) -> APIError { APIError(status: .badRequest, message: message, type: "Empty") }
    static func tokenizer(_ message: String) -> APIError { APIError(status: .unprocessableContent, message: message, type: "Tokenizer") }
    static func backend(_ message: String) -> APIError { APIError(status: failedDependency, message: message, type: "Backend") }
    static let overloaded = APIError(status: .tooManyRequests, message: "Model is overloaded", type: "Overloaded")
    static let unhealthy = APIError(status: .serviceUnavailable, message: "unhealthy", type: "Unhealthy")
    /// axum's words, with which TEI refuses a body not declared as JSON.
    static let unsupportedMediaType = APIError(status: .unsupportedMediaType, message: "Expected request with `Content-Type: application/json`",
                                               type: "Validation")
    static let unauthorized = APIError(status: .unauthorized, message: "Unauthorized", type: "Unauthorized")

    /// TEI's error body.
    var body: Data { Self.encode(["error": message, "error_type": type]) }

    /// The body TEI gives errors on its OpenAI-compatible routes; the OpenAI Python client reads `message`, `code`
    /// and `type` from it (it takes the object under `"error"` when there is one, else the whole body).
    var openAIBody: Data { Self.encode(["message": message, "code": Int(status.code), "type": type]) }

    private static func encode(_ object: [String: Any]) -> Data {
        (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
    }
}
