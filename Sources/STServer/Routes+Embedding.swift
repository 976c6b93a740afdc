import Foundation
import Hummingbird
import SentenceTransformers
import STServerAPI
import STTokenizers

/// The routes of the embedding model: `/embed`, `/embed_all`, `/similarity` and the OpenAI embeddings route.
extension Routes {
    /// `/embed`: `[[Float]]`, one row per input (also for a single input), normalized unless `normalize` is false.
    static func embed(_ body: EmbedRequest, _ service: EmbeddingService) async throws -> Response {
        let result = try await service.embed(body.inputs.items, truncate: body.truncate, direction: body.truncationDirection,
                                             promptName: body.promptName, dimensions: body.dimensions, normalize: body.normalize ?? true)
        return json(JSONNumbers.rows(result.rows.arrays))
    }

    /// `/embed_sparse`: `[[{"index", "value"}]]`, the nonzero entries of each input's sparse vector by index
    /// (a SPLADE model; 424 for any other, as TEI).
    static func embedSparse(_ body: EmbedSparseRequest, _ service: EmbeddingService) async throws -> Response {
        let vectors = try await service.embedSparse(body.inputs.items, truncate: body.truncate, direction: body.truncationDirection,
                                                    promptName: body.promptName)
        return json(try await WorkerThreads.requests.run {
            "[" + vectors.map { vector in
                "[" + zip(vector.indices, vector.values).map { "{\"index\":\($0),\"value\":\(JSONNumbers.number($1))}" }.joined(separator: ",") + "]"
            }.joined(separator: ",") + "]"
        })
    }

    /// `/embed_all`: `[[[Float]]]`, the token embeddings of each input.
    static func embedAll(_ body: EmbedRequest, _ service: EmbeddingService) async throws -> Response {
        if service.model.isSparse { throw APIError.backend("`embed_all` is not available for SPLADE models") }
        guard service.model.defaultRoute.input is Transformer else {
            throw APIError.backend("`embed_all` needs a model with token embeddings; this one starts with \(service.model.defaultRoute.input.summary)")
        }
        let prompt = try service.prompt(named: body.promptName)
        let encodings = try await service.tokenizeOnWorkers(body.inputs.items, prompt: prompt, truncate: body.truncate,
                                                            direction: body.truncationDirection)
        let tokens = try await service.batcher.tokenEmbeddings(encodings)
        // Up to 32 × 512 × 384 numbers: formatted off the cooperative threads.
        return json(try await WorkerThreads.requests.run { "[" + tokens.map { JSONNumbers.rows($0.arrays) }.joined(separator: ",") + "]" })
    }

    /// `/similarity`: `[Float]`, the cosine similarity of `source_sentence` to each of `sentences`.
    static func similarity(_ body: SimilarityRequest, _ service: EmbeddingService) async throws -> Response {
        guard !body.inputs.sentences.isEmpty else { throw APIError.empty("`inputs.sentences` cannot be empty") }
        // The source sentence counts against the batch size, as in TEI.
        try service.validate(batchSize: body.inputs.sentences.count + 1)
        let parameters = body.parameters
        let texts = [body.inputs.sourceSentence] + body.inputs.sentences
        let rows = try await service.embed(texts.map(InputItem.text), truncate: parameters?.truncate ?? body.truncate,
                                           direction: parameters?.truncationDirection, promptName: parameters?.promptName ?? body.promptName,
                                           dimensions: nil, normalize: true).rows
        let scores = try SimilarityFunction.cosine.matrix(rows.rows(0..<1), rows.rows(1..<rows.count))[0]
        return json(JSONNumbers.row(scores))
    }

    /// `/v1/embeddings` and `/embeddings`: OpenAI's response, with `float` rows or `base64` little-endian float32 bytes.
    /// As in TEI: truncation as `--auto-truncate` says, `model` is the served model's name, and no prompt unless the
    /// request names one in `prompt_name` (ours; on a Router model it also picks the route).
    static func openAIEmbeddings(_ body: OpenAIEmbeddingsRequest, _ service: EmbeddingService) async throws -> Response {
        let result = try await service.embed(body.input.items, truncate: nil, direction: nil, promptName: body.promptName, dimensions: body.dimensions,
                                             normalize: true)
        let base64 = body.encodingFormat == .base64
        let data = result.rows.enumerated().map { index, row -> String in
            let embedding: String
            if base64 {
                var bytes = Data(capacity: row.count * 4)
                for value in row { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
                embedding = "\"\(bytes.base64EncodedString())\""
            } else {
                embedding = JSONNumbers.row(row)
            }
            return "{\"object\":\"embedding\",\"embedding\":\(embedding),\"index\":\(index)}"
        }
        return json("{\"object\":\"list\",\"data\":[\(data.joined(separator: ","))],\"model\":\(JSONNumbers.string(service.configuration.servedName)),"
                    + "\"usage\":{\"prompt_tokens\":\(result.tokens),\"total_tokens\":\(result.tokens)}}")
    }
}
