import Foundation

/// One input as TEI accepts it: a text, or token ids the client tokenized itself.
package enum InputItem: Decodable, Sendable {
    case text(String)
    case ids([Int])

    package init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) { self = .text(text) } else { self = .ids(try container.decode([Int].self)) }
    }
}

/// `"inputs"` (TEI) or `"input"` (OpenAI): one item or a list of items, texts and token-id lists mixed. A bare list
/// of integers is one input of ids, as TEI reads it (so `[]` is one empty input).
package struct TextInputs: Decodable, Sendable {
    package var items: [InputItem]

    package init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            items = [.text(text)]
        } else if let ids = try? container.decode([Int].self) {
            items = [.ids(ids)]
        } else {
            items = try container.decode([InputItem].self)
        }
    }

    /// The inputs given as text (the ids lists left out).
    package var texts: [String] { items.compactMap { if case let .text(text) = $0 { text } else { nil } } }
}
