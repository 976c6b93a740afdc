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

/// `/predict`: `inputs` is a text, a pair `[a, b]`, or a batch of `[a]` / `[a, b]` lists.
package struct PredictRequest: Decodable, Sendable {
    package struct Inputs: Decodable, Sendable {
        /// Each sequence: one text, or a pair of texts.
        package var sequences: [[String]]
        /// Whether the answer is a list of prediction lists (a batch) or one prediction list.
        package var isBatch: Bool

        package init(from decoder: any Decoder) throws {
            if let text = try? decoder.singleValueContainer().decode(String.self) {
                sequences = [[text]]
                isBatch = false
                return
            }
            var list = try decoder.unkeyedContainer()
            let invalid = { (count: Int) in
                DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                  debugDescription: "invalid length \(count), expected a string, a pair of strings or a batch of them"))
            }
            if let first = try? list.decode(String.self) {
                var texts = [first]
                while !list.isAtEnd { texts.append(try list.decode(String.self)) }
                guard texts.count <= 2 else { throw invalid(texts.count) }
                sequences = [texts]
                isBatch = false
            } else {
                sequences = []
                while !list.isAtEnd {
                    let texts = try list.decode([String].self)
                    guard (1...2).contains(texts.count) else { throw invalid(texts.count) }
                    sequences.append(texts)
                }
                guard !sequences.isEmpty else { throw invalid(0) }
                isBatch = true
            }
        }
    }
    package var inputs: Inputs
    package var truncate: Bool?
    package var truncationDirection: TruncationDirection?
    package var rawScores: Bool?
    enum CodingKeys: String, CodingKey { case inputs, truncate, truncationDirection = "truncation_direction", rawScores = "raw_scores" }
}

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

/// The OpenAI embeddings request: `input` as a string, strings, token ids, or lists of token ids. `model` and `user`
/// are accepted and not used (one model is served).
package struct OpenAIEmbeddingsRequest: Decodable, Sendable {
    package enum EncodingFormat: String, Decodable, Sendable { case float, base64 }
    package var input: TextInputs
    package var model: String?
    package var user: String?
    package var encodingFormat: EncodingFormat?
    package var dimensions: Int?
    /// Ours (sent as `extra_body` by OpenAI clients): a prompt name, which on a Router model also picks the route.
    package var promptName: String?
    enum CodingKeys: String, CodingKey { case input, model, user, encodingFormat = "encoding_format", dimensions, promptName = "prompt_name" }
}

/// A body posted to `/` or `/invocations`, routed as TEI routes it to the model's task, and by its shape: `query` +
/// `texts` is a rerank request, `inputs` holding `source_sentence` a similarity request; any other `inputs` goes to
/// the server's task (`/predict` when a classifier is loaded, else `/embed`), named in the decoder's
/// ``RootRequest/taskKey``.
package enum RootRequest: Decodable, Sendable {
    case rerank(RerankRequest)
    case similarity(SimilarityRequest)
    case predict(PredictRequest)
    case embed(EmbedRequest)
    case embedSparse(EmbedSparseRequest)

    package enum Task: Sendable { case embed, embedSparse, predict }
    package static let taskKey = CodingUserInfoKey(rawValue: "sbert.rootTask")!

    enum Keys: String, CodingKey { case query, texts, inputs }
    enum InputKeys: String, CodingKey { case sourceSentence = "source_sentence" }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Keys.self)
        if container.contains(.query) || container.contains(.texts) {
            self = .rerank(try RerankRequest(from: decoder))
        } else if let inputs = try? container.nestedContainer(keyedBy: InputKeys.self, forKey: .inputs), inputs.contains(.sourceSentence) {
            self = .similarity(try SimilarityRequest(from: decoder))
        } else if (decoder.userInfo[Self.taskKey] as? Task) == .predict {
            self = .predict(try PredictRequest(from: decoder))
        } else if (decoder.userInfo[Self.taskKey] as? Task) == .embedSparse {
            self = .embedSparse(try EmbedSparseRequest(from: decoder))
        } else {
            self = .embed(try EmbedRequest(from: decoder))
        }
    }
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
