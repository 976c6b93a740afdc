import Foundation
import SentenceTransformers
import STTokenizers

/// What the routes share: the model, the optional reranker, the batcher, admission control, metrics, settings.
/// Validation happens here, before anything is queued, and throws ``APIError``s with TEI's status codes.
final class EmbeddingService: Sendable {
    let configuration: ServerConfiguration
    let model: SentenceTransformer
    let reranker: CrossEncoder?
    let batcher: EmbeddingBatcher
    let limiter: ConcurrencyLimiter
    let metrics = ServerMetrics()
    private let untruncated: Tokenizer
    private let leftTruncated: Tokenizer

    init(configuration: ServerConfiguration, model: SentenceTransformer, reranker: CrossEncoder?) {
        self.configuration = configuration
        self.model = model
        self.reranker = reranker
        batcher = EmbeddingBatcher(model: model, maxBatchTokens: configuration.maxBatchTokens,
                                   maxBatchRequests: configuration.maxBatchRequests, metrics: metrics)
        limiter = ConcurrencyLimiter(limit: configuration.maxConcurrentRequests)
        var plain = model.transformer.tokenizer
        plain.truncation = nil
        untruncated = plain
        var left = model.transformer.tokenizer
        left.truncation?.direction = .left
        leftTruncated = left
    }

    var maxInputLength: Int { model.maxSeqLength }

    /// The prompt for a request: its `prompt_name`, else the server's default, else the model's.
    func prompt(named name: String?) throws -> String {
        guard let chosen = name ?? configuration.defaultPromptName else {
            return try model.resolvePrompt(prompt: nil, promptName: nil) ?? ""
        }
        guard let text = model.configuration.prompts[chosen] else {
            throw APIError.validation("prompt name `\(chosen)` is not defined by the model")
        }
        return text
    }

    /// Checks the batch size and the inputs, then tokenizes (truncating only when allowed).
    func tokenize(_ texts: [String], prompt: String = "", truncate: Bool?, direction: String? = nil, addSpecialTokens: Bool = true) throws -> [Encoding] {
        guard !texts.isEmpty, !texts.contains(where: \.isEmpty) else { throw APIError.empty("`inputs` cannot be empty") }
        guard texts.count <= configuration.maxClientBatchSize else {
            throw APIError.validation("batch size \(texts.count) > maximum allowed batch size \(configuration.maxClientBatchSize)")
        }
        let allowTruncation = truncate ?? configuration.autoTruncate
        let truncating = direction?.lowercased() == "left" ? leftTruncated : model.transformer.tokenizer
        return try texts.map { text in
            let lowered = model.transformer.doLowerCase ? (prompt + text).lowercased() : prompt + text
            let full = try untruncated.encode(lowered, addSpecialTokens: addSpecialTokens)
            if full.count > maxInputLength {
                guard allowTruncation else {
                    throw APIError.validation("`inputs` must have less than \(maxInputLength) tokens. Given: \(full.count)", status: .contentTooLarge)
                }
                return try truncating.encode(lowered, addSpecialTokens: addSpecialTokens)
            }
            return full
        }
    }

    /// ``tokenize(_:prompt:truncate:direction:addSpecialTokens:)`` on the request worker threads: a request may carry
    /// megabytes of text, and tokenizing it on a cooperative thread would hold up every other route.
    func tokenizeOnWorkers(_ texts: [String], prompt: String = "", truncate: Bool?, direction: String? = nil,
                         addSpecialTokens: Bool = true) async throws -> [Encoding] {
        try await WorkerThreads.requests.run {
            try self.tokenize(texts, prompt: prompt, truncate: truncate, direction: direction, addSpecialTokens: addSpecialTokens)
        }
    }

    /// Checks a Matryoshka `dimensions` request field: 1 … the model's embedding dimension.
    func validate(dimensions: Int?) throws {
        if let dimensions, dimensions <= 0 || dimensions > model.embeddingDimension {
            throw APIError.validation("`dimensions` must be between 1 and \(model.embeddingDimension)")
        }
    }

    /// Sentence embeddings through the batcher, then Matryoshka truncation and normalization as asked.
    func embed(_ texts: [String], truncate: Bool?, direction: String?, promptName: String?, dimensions: Int?, normalize: Bool) async throws -> Embeddings {
        let prompt = try self.prompt(named: promptName)
        let encodings = try await tokenizeOnWorkers(texts, prompt: prompt, truncate: truncate, direction: direction)
        try validate(dimensions: dimensions)
        let promptLength = try model.promptLength(of: prompt)
        var rows = try await batcher.embed(encodings, promptLengths: Array(repeating: promptLength, count: encodings.count))
        if let dimensions { rows = rows.truncated(to: dimensions) }
        return normalize ? rows.normalized() : rows
    }
}
