import Foundation

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
