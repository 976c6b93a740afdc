import Foundation

/// How a request body failed to decode, in the terms TEI's answers use (axum's JSON extractor: 400 for text that is
/// not JSON, 422 for JSON of the wrong shape).
package enum RequestDecodingFailure {
    /// Whether decoding failed on the JSON text itself rather than on its shape.
    package static func isSyntaxError(_ error: any Error) -> Bool {
        guard case let .dataCorrupted(context)? = error as? DecodingError else { return !(error is DecodingError) }
        return context.codingPath.isEmpty
    }

    /// What is wrong with a request body, for the 4xx message: the missing field, the field of the wrong type, or that
    /// the text is not JSON.
    package static func describe(_ error: any Error) -> String {
        guard let decoding = error as? DecodingError else { return "not JSON" }
        switch decoding {
        case let .keyNotFound(key, _): return "missing field `\(key.stringValue)`"
        case let .typeMismatch(_, context), let .valueNotFound(_, context):
            return "wrong type at `\(context.codingPath.map(\.stringValue).joined(separator: "."))`"
        case let .dataCorrupted(context):
            return context.codingPath.isEmpty ? "not valid JSON" : "\(context.debugDescription) at `\(context.codingPath.map(\.stringValue).joined(separator: "."))`"
        @unknown default: return "invalid"
        }
    }
}
