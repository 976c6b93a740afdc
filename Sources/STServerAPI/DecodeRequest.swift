import Foundation

package struct DecodeRequest: Decodable, Sendable {
    package enum IDs: Decodable, Sendable {
        case single([Int])
        case batch([[Int]])
        package init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let one = try? container.decode([Int].self) { self = .single(one) } else { self = .batch(try container.decode([[Int]].self)) }
        }
    }
    package var ids: IDs
    package var skipSpecialTokens: Bool?
    enum CodingKeys: String, CodingKey { case ids, skipSpecialTokens = "skip_special_tokens" }
}
