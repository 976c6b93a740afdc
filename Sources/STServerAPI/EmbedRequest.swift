import Foundation

/// `/embed` and `/embed_all`.
package struct EmbedRequest: Decodable, Sendable {
    package var inputs: TextInputs
    package var normalize: Bool?
    package var truncate: Bool?
    package var truncationDirection: TruncationDirection?
    package var promptName: String?
    package var dimensions: Int?
    enum CodingKeys: String, CodingKey {
        case inputs, normalize, truncate, truncationDirection = "truncation_direction", promptName = "prompt_name", dimensions
    }
}
