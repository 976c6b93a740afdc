import Foundation

/// `"inputs"` as TEI accepts it: one string or a list of strings.
enum TextInputs: Decodable {
    case single(String)
    case batch([String])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) { self = .single(text) } else { self = .batch(try container.decode([String].self)) }
    }

    var texts: [String] {
        switch self {
        case let .single(text): return [text]
        case let .batch(texts): return texts
        }
    }
}

struct EmbedRequest: Decodable {
    var inputs: TextInputs
    var normalize: Bool?
    var truncate: Bool?
    var truncationDirection: String?
    var promptName: String?
    var dimensions: Int?
    enum CodingKeys: String, CodingKey {
        case inputs, normalize, truncate, truncationDirection = "truncation_direction", promptName = "prompt_name", dimensions
    }
}

struct SimilarityRequest: Decodable {
    struct Inputs: Decodable {
        var sourceSentence: String
        var sentences: [String]
        enum CodingKeys: String, CodingKey { case sourceSentence = "source_sentence", sentences }
    }
    var inputs: Inputs
    var truncate: Bool?
    var promptName: String?
    enum CodingKeys: String, CodingKey { case inputs, truncate, promptName = "prompt_name" }
}

struct RerankRequest: Decodable {
    var query: String
    var texts: [String]
    var truncate: Bool?
    var rawScores: Bool?
    var returnText: Bool?
    enum CodingKeys: String, CodingKey { case query, texts, truncate, rawScores = "raw_scores", returnText = "return_text" }
}

struct TokenizeRequest: Decodable {
    var inputs: TextInputs
    var addSpecialTokens: Bool?
    var promptName: String?
    enum CodingKeys: String, CodingKey { case inputs, addSpecialTokens = "add_special_tokens", promptName = "prompt_name" }
}

struct DecodeRequest: Decodable {
    enum IDs: Decodable {
        case single([Int])
        case batch([[Int]])
        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let one = try? container.decode([Int].self) { self = .single(one) } else { self = .batch(try container.decode([[Int]].self)) }
        }
    }
    var ids: IDs
    var skipSpecialTokens: Bool?
    enum CodingKeys: String, CodingKey { case ids, skipSpecialTokens = "skip_special_tokens" }
}

/// The OpenAI embeddings request: `input` as a string, strings, token ids, or lists of token ids.
struct OpenAIEmbeddingsRequest: Decodable {
    enum Input: Decodable {
        case texts([String])
        case tokens([[Int]])
        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let text = try? container.decode(String.self) { self = .texts([text]) }
            else if let texts = try? container.decode([String].self) { self = .texts(texts) }
            else if let ids = try? container.decode([Int].self) { self = .tokens([ids]) }
            else { self = .tokens(try container.decode([[Int]].self)) }
        }
    }
    var input: Input
    var model: String?
    var encodingFormat: String?
    var dimensions: Int?
    enum CodingKeys: String, CodingKey { case input, model, encodingFormat = "encoding_format", dimensions }
}

/// JSON text of float rows, each value the shortest decimal that reads back as the same Float (NaN/∞ as null).
enum JSONNumbers {
    static func number(_ value: Float) -> String { value.isFinite ? "\(value)" : "null" }
    static func row(_ values: [Float]) -> String { "[" + values.map(number).joined(separator: ",") + "]" }
    static func rows(_ rows: [[Float]]) -> String { "[" + rows.map(row).joined(separator: ",") + "]" }

    static func string(_ text: String) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: [text], options: [.withoutEscapingSlashes])) ?? Data("[\"\"]".utf8)
        return String(String(decoding: data, as: UTF8.self).dropFirst().dropLast())
    }
}
