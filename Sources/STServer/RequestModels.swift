import Foundation

/// `"inputs"` as TEI accepts it: one string or a list of strings.
package enum TextInputs: Decodable {
    case single(String)
    case batch([String])

    package init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) { self = .single(text) } else { self = .batch(try container.decode([String].self)) }
    }

    package var texts: [String] {
        switch self {
        case let .single(text): return [text]
        case let .batch(texts): return texts
        }
    }
}

package struct EmbedRequest: Decodable {
    package var inputs: TextInputs
    package var normalize: Bool?
    package var truncate: Bool?
    package var truncationDirection: String?
    package var promptName: String?
    package var dimensions: Int?
    enum CodingKeys: String, CodingKey {
        case inputs, normalize, truncate, truncationDirection = "truncation_direction", promptName = "prompt_name", dimensions
    }
}

package struct SimilarityRequest: Decodable {
    package struct Inputs: Decodable {
        package var sourceSentence: String
        package var sentences: [String]
        enum CodingKeys: String, CodingKey { case sourceSentence = "source_sentence", sentences }
    }
    package var inputs: Inputs
    package var truncate: Bool?
    package var promptName: String?
    enum CodingKeys: String, CodingKey { case inputs, truncate, promptName = "prompt_name" }
}

package struct RerankRequest: Decodable {
    package var query: String
    package var texts: [String]
    package var truncate: Bool?
    package var rawScores: Bool?
    package var returnText: Bool?
    enum CodingKeys: String, CodingKey { case query, texts, truncate, rawScores = "raw_scores", returnText = "return_text" }
}

package struct TokenizeRequest: Decodable {
    package var inputs: TextInputs
    package var addSpecialTokens: Bool?
    package var promptName: String?
    enum CodingKeys: String, CodingKey { case inputs, addSpecialTokens = "add_special_tokens", promptName = "prompt_name" }
}

package struct DecodeRequest: Decodable {
    package enum IDs: Decodable {
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

/// The OpenAI embeddings request: `input` as a string, strings, token ids, or lists of token ids.
package struct OpenAIEmbeddingsRequest: Decodable {
    package enum Input: Decodable {
        case texts([String])
        case tokens([[Int]])
        package init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let text = try? container.decode(String.self) { self = .texts([text]) }
            else if let texts = try? container.decode([String].self) { self = .texts(texts) }
            else if let ids = try? container.decode([Int].self) { self = .tokens([ids]) }
            else { self = .tokens(try container.decode([[Int]].self)) }
        }
    }
    package var input: Input
    package var model: String?
    package var encodingFormat: String?
    package var dimensions: Int?
    enum CodingKeys: String, CodingKey { case input, model, encodingFormat = "encoding_format", dimensions }
}

/// JSON text of float rows, each value the shortest decimal that reads back as the same Float (NaN/∞ as null).
package enum JSONNumbers {
    package static func number(_ value: Float) -> String { value.isFinite ? "\(value)" : "null" }
    package static func row(_ values: [Float]) -> String { "[" + values.map(number).joined(separator: ",") + "]" }
    package static func rows(_ rows: [[Float]]) -> String { "[" + rows.map(row).joined(separator: ",") + "]" }

    package static func string(_ text: String) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: [text], options: [.withoutEscapingSlashes])) ?? Data("[\"\"]".utf8)
        return String(String(decoding: data, as: UTF8.self).dropFirst().dropLast())
    }
}
