import Foundation
import SentenceTransformers
import STTokenizers

/// What the routes share: the embedding model, the optional cross-encoders (a reranker for `/rerank`, a classifier
/// for `/predict`), the batcher, admission control, metrics, settings. Validation happens here, before anything is
/// queued, and throws ``APIError``s with TEI's status codes.
final class EmbeddingService: Sendable {
    let configuration: ServerConfiguration
    let model: SentenceTransformer
    let reranker: CrossEncoder?
    let classifier: CrossEncoder?
    let batcher: EmbeddingBatcher
    let limiter: ConcurrencyLimiter
    let metrics = ServerMetrics()
    private let untruncated: Tokenizer
    private let leftTruncated: Tokenizer

    init(configuration: ServerConfiguration, model: SentenceTransformer, reranker: CrossEncoder?, classifier: CrossEncoder? = nil) {
        self.configuration = configuration
        self.model = model
        self.reranker = reranker
        self.classifier = classifier
        batcher = EmbeddingBatcher(model: model, maxBatchTokens: configuration.maxBatchTokens,
                                   maxBatchRequests: configuration.maxBatchRequests, metrics: metrics)
        limiter = ConcurrencyLimiter(limit: configuration.maxConcurrentRequests)
        var plain = model.inputModule.tokenizer
        plain.truncation = nil
        untruncated = plain
        var left = model.inputModule.tokenizer
        left.truncation?.direction = .left
        leftTruncated = left
    }

    var maxInputLength: Int { model.maxSeqLength }

    /// What `POST /` and `/invocations` serve for an `inputs` body: TEI routes them to the model's task, and a server
    /// started with a classifier is a classification server.
    var rootTask: RootRequest.Task { classifier == nil ? .embed : .predict }

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

    /// Checks the batch size.
    func validate(batchSize: Int) throws {
        guard batchSize <= configuration.maxClientBatchSize else {
            throw APIError.validation("batch size \(batchSize) > maximum allowed batch size \(configuration.maxClientBatchSize)")
        }
    }

    /// Checks the batch size and the inputs, then tokenizes texts (truncating only when allowed) and checks token-id
    /// inputs against the embedding table (cut to the limit when truncating, as the tokenizer would cut them).
    func tokenize(_ items: [InputItem], prompt: String = "", truncate: Bool?, direction: TruncationDirection? = nil,
                  addSpecialTokens: Bool = true) throws -> [Encoding] {
        guard !items.isEmpty, !items.contains(where: \.isEmpty) else { throw APIError.empty("`inputs` cannot be empty") }
        try validate(batchSize: items.count)
        let allowTruncation = truncate ?? configuration.autoTruncate
        let truncating = direction == .left ? leftTruncated : model.inputModule.tokenizer
        // The embedding table is what the ids index (the tokenizer may know more ids than it has rows).
        let vocabulary = max(model.inputModule.vocabularySize, 1)
        return try items.map { item in
            switch item {
            case var .ids(ids):
                guard ids.allSatisfy({ (0..<vocabulary).contains($0) }) else {
                    throw APIError.validation("token ids must be in 0..<\(vocabulary), the model's embedding table")
                }
                if ids.count > maxInputLength {
                    guard allowTruncation else {
                        throw APIError.validation("`inputs` must have less than \(maxInputLength) tokens. Given: \(ids.count)")
                    }
                    ids = direction == .left ? Array(ids.suffix(maxInputLength)) : Array(ids.prefix(maxInputLength))
                }
                return Encoding(ids: ids, typeIDs: Array(repeating: 0, count: ids.count))
            case let .text(text):
                let lowered = model.inputModule.doLowerCase ? (prompt + text).lowercased() : prompt + text
                let full = try untruncated.encode(lowered, addSpecialTokens: addSpecialTokens)
                if full.count > maxInputLength {
                    guard allowTruncation else {
                        throw APIError.validation("`inputs` must have less than \(maxInputLength) tokens. Given: \(full.count)")
                    }
                    return try truncating.encode(lowered, addSpecialTokens: addSpecialTokens)
                }
                return full
            }
        }
    }

    /// ``tokenize(_:prompt:truncate:direction:addSpecialTokens:)`` on the request worker threads: a request may carry
    /// megabytes of text, and tokenizing it on a cooperative thread would hold up every other route.
    func tokenizeOnWorkers(_ items: [InputItem], prompt: String = "", truncate: Bool?, direction: TruncationDirection? = nil,
                           addSpecialTokens: Bool = true) async throws -> [Encoding] {
        try await WorkerThreads.requests.run {
            try self.tokenize(items, prompt: prompt, truncate: truncate, direction: direction, addSpecialTokens: addSpecialTokens)
        }
    }

    /// Checks a Matryoshka `dimensions` request field: 1 … the model's embedding dimension.
    func validate(dimensions: Int?) throws {
        if let dimensions, dimensions <= 0 || dimensions > model.embeddingDimension {
            throw APIError.validation("`dimensions` must be between 1 and \(model.embeddingDimension)")
        }
    }

    /// Sentence embeddings through the batcher, then Matryoshka truncation and normalization as asked, with the number
    /// of tokens the model read (OpenAI's `usage`).
    func embed(_ items: [InputItem], truncate: Bool?, direction: TruncationDirection?, promptName: String?, dimensions: Int?,
               normalize: Bool) async throws -> (rows: Embeddings, tokens: Int) {
        let prompt = try self.prompt(named: promptName)
        let encodings = try await tokenizeOnWorkers(items, prompt: prompt, truncate: truncate, direction: direction)
        try validate(dimensions: dimensions)
        let promptLength = try model.promptLength(of: prompt)
        // Token-id inputs carry no prompt.
        let promptLengths = items.map { if case .text = $0 { promptLength } else { 0 } }
        var rows = try await batcher.embed(encodings, promptLengths: promptLengths)
        if let dimensions { rows = rows.truncated(to: dimensions) }
        return (normalize ? rows.normalized() : rows, encodings.reduce(0) { $0 + $1.count })
    }

    /// Whether the model computes embeddings: the outcome of the last forward pass, or when it failed (or none ran
    /// yet) of a forward pass over one short text, as TEI's health check runs one when the backend is not known good.
    func checkHealth() async -> Bool {
        if await batcher.lastPassSucceeded == true { return true }
        do {
            let encoding = try untruncated.encode("health check")
            _ = try await batcher.embed([encoding], promptLengths: [0])
            return true
        } catch {
            return false
        }
    }
}

extension InputItem {
    var isEmpty: Bool {
        switch self {
        case let .text(text): text.isEmpty
        case let .ids(ids): ids.isEmpty
        }
    }
}
