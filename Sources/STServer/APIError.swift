import Foundation
import HTTPTypes

/// An error answered as text-embeddings-inference answers it: `{"error": "…", "error_type": "…"}` with its status.
public struct APIError: Error, CustomStringConvertible {
    public var status: HTTPResponse.Status
    public var message: String
    public var type: String

    public var description: String { "\(status.code) \(type): \(message)" }

    static func validation(_ message: String, status: HTTPResponse.Status = .unprocessableContent) -> APIError {
        APIError(status: status, message: message, type: "Validation")
    }

    static func empty(_ message: String) -> APIError { APIError(status: .unprocessableContent, message: message, type: "Empty") }
    static let overloaded = APIError(status: .tooManyRequests, message: "Model is overloaded", type: "Overloaded")
    /// axum's words, with which TEI refuses a body not declared as JSON.
    static let unsupportedMediaType = APIError(status: .unsupportedMediaType, message: "Expected request with `Content-Type: application/json`",
                                               type: "Validation")
    static let unauthorized = APIError(status: .unauthorized, message: "Unauthorized", type: "Unauthorized")

    var body: Data {
        (try? JSONSerialization.data(withJSONObject: ["error": message, "error_type": type], options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
    }
}
