import Foundation
import Hummingbird

extension Request {
    /// Whether the body is declared as JSON, by the rule of axum's `Json` extractor (which TEI's routes use):
    /// `application/json` or `application/*+json`, any case, with or without parameters such as `charset`.
    /// A missing or other `Content-Type` is answered 415 without reading the body, as TEI answers it.
    var hasJSONContentType: Bool {
        guard let value = headers[.contentType] else { return false }
        let essence = value.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false)[0]
            .trimmingCharacters(in: .whitespaces).lowercased()
        let parts = essence.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0] == "application", !parts[1].isEmpty else { return false }
        return parts[1] == "json" || parts[1].hasSuffix("+json")
    }
}
