import Foundation

/// `/embed_sparse`: TEI's `EmbedSparseRequest`.
package struct EmbedSparseRequest: Decodable, Sendable {
    package var inputs: TextInputs
    package var truncate: Bool?
    package var truncationDirection: TruncationDirection?
    package var promptName: String?
    enum CodingKeys: String, CodingKey {
        case inputs, truncate, truncationDirection = "truncation_direction", promptName = "prompt_name"
    }
}
