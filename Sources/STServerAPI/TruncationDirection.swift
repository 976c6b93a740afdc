import Foundation

/// TEI's `truncation_direction`: `Right` (default) or `Left`, either capitalized or not; anything else is refused.
package enum TruncationDirection: String, Decodable, Sendable {
    case right = "Right", left = "Left"

    package init(from decoder: any Decoder) throws {
        let value = try decoder.singleValueContainer().decode(String.self)
        switch value {
        case "Right", "right": self = .right
        case "Left", "left": self = .left
        default:
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "unknown variant `\(value)`, expected `Left` or `Right`"))
        }
    }
}
