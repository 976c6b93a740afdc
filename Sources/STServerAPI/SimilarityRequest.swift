import Foundation

/// `/similarity`: TEI's `parameters` object, or (ours, kept for earlier clients) the same fields at the top level.
package struct SimilarityRequest: Decodable, Sendable {
    package struct Inputs: Decodable, Sendable {
        package var sourceSentence: String
        package var sentences: [String]
        enum CodingKeys: String, CodingKey { case sourceSentence = "source_sentence", sentences }
    }
    package struct Parameters: Decodable, Sendable {
        package var truncate: Bool?
        package var truncationDirection: TruncationDirection?
        package var promptName: String?
        enum CodingKeys: String, CodingKey { case truncate, truncationDirection = "truncation_direction", promptName = "prompt_name" }
    }
    package var inputs: Inputs
    package var parameters: Parameters?
    package var truncate: Bool?
    package var promptName: String?
    enum CodingKeys: String, CodingKey { case inputs, parameters, truncate, promptName = "prompt_name" }
}
