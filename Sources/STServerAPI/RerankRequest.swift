import Foundation

package struct RerankRequest: Decodable, Sendable {
    package var query: String
    package var texts: [String]
    package var truncate: Bool?
    package var truncationDirection: TruncationDirection?
    package var rawScores: Bool?
    package var returnText: Bool?
    enum CodingKeys: String, CodingKey {
        case query, texts, truncate, truncationDirection = "truncation_direction", rawScores = "raw_scores", returnText = "return_text"
    }
}
