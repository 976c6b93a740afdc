import Foundation

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
