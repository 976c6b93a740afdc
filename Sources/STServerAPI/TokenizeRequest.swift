import Foundation

package struct TokenizeRequest: Decodable, Sendable {
    /// A text or a list of texts (TEI's `/tokenize` takes no ids).
    package enum Inputs: Decodable, Sendable {
        case single(String)
        case batch([String])
        package init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let text = try? container.decode(String.self) { self = .single(text) } else { self = .batch(try container.decode([String].self)) }
        }
        package var texts: [String] {
            switch self {
            case let .single(text): [text]
            case let .batch(texts): texts
            }
        }
    }
    package var inputs: Inputs
    package var addSpecialTokens: Bool?
    package var promptName: String?
    enum CodingKeys: String, CodingKey { case inputs, addSpecialTokens = "add_special_tokens", promptName = "prompt_name" }
}
