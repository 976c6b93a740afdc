import Foundation
import SentenceTransformers
import STServerAPI
import STTokenizers

/// What the routes share: the embedding model, the optional cross-encoders (a reranker for `/rerank`, a classifier
/// for `/predict`), the batcher, admission control, metrics, settings. Validation happens here, before anything is
/// queued, and throws ``APIError``s with TEI's status codes.
final class EmbeddingService: Sendable {
    let configuration: ServerConfiguration
    let model: ServedModel
    let reranker: CrossEncoder?
    let classifier: CrossEncoder?
    let batcher: EmbeddingBatcher
    let limiter: ConcurrencyLimiter
    let metrics: ServerMetrics
    /// Tokenizers of the default route (`nil` key) and of each Router route.
    private let tokenizers: [String?: RouteTokenizers]

    /// - Throws: ``SentenceTransformerError/invalidArgument(_:)`` for batch limits below 1.
    init(configuration: ServerConfiguration, model: ServedModel, reranker: CrossEncoder?, classifier: CrossEncoder? = nil) throws {
        self.configuration = configuration
        self.model = model
        self.reranker = reranker
        self.classifier = classifier
        let metrics = ServerMetrics()
        self.metrics = metrics
        batcher = try model.batcher(maxBatchTokens: configuration.maxBatchTokens, maxBatchRequests: configuration.maxBatchRequests,
                                    observer: EmbeddingBatcher.Observer(queued: { metrics.setQueued($0) },
                                                                        batch: { metrics.recordBatch(requests: $0, tokens: $1) }))
        limiter = ConcurrencyLimiter(limit: configuration.maxConcurrentRequests)
        var tokenizers: [String?: RouteTokenizers] = [nil: RouteTokenizers(model.defaultRoute.input)]
        for name in (model.pipeline.modules.first as? Router)?.routeNames ?? [] {
            if let route = try? model.pipeline.route(for: name) { tokenizers[name] = RouteTokenizers(route.input) }
        }
        self.tokenizers = tokenizers
    }

    /// The default route's tokenizers (`/tokenize`, `/decode`).
    var defaultTokenizers: RouteTokenizers { tokenizers[nil] ?? RouteTokenizers(model.defaultRoute.input) }

    var maxInputLength: Int { defaultTokenizers.maxInputLength }

    /// What `POST /` and `/invocations` serve for an `inputs` body: TEI routes them to the model's task, and a server
    /// started with a classifier is a classification server.
    var rootTask: RootRequest.Task { classifier != nil ? .predict : model.isSparse ? .embedSparse : .embed }

    /// The prompt for a request: its `prompt_name`, else the server's default (`--default-prompt` text or
    /// `--default-prompt-name`), else the model's.
    func prompt(named name: String?) throws -> String {
        if name == nil, let text = configuration.defaultPrompt { return text }
        guard let chosen = name ?? configuration.defaultPromptName else {
            return try model.configuration.resolvePrompt(prompt: nil, promptName: nil) ?? ""
        }
        if let text = model.configuration.prompts[chosen] { return text }
        // A Router's route name selects the route without a prompt text of its own.
        guard model.task(forPromptName: chosen) != nil else {
            throw APIError.validation("prompt name `\(chosen)` is not defined by the model")
        }
        return ""
    }

    /// Checks the batch size.
    func validate(batchSize: Int) throws {
        guard batchSize <= configuration.maxClientBatchSize else {
            throw APIError.validation("batch size \(batchSize) > maximum allowed batch size \(configuration.maxClientBatchSize)")
        }
    }

    /// Checks the batch size and the inputs, then tokenizes texts for `task`'s route (truncating only when allowed)
    /// and checks token-id inputs against the embedding table (cut to the limit when truncating, as the tokenizer
    /// would cut them).
    func tokenize(_ items: [InputItem], prompt: String = "", task: String? = nil, truncate: Bool?, direction: STServerAPI.TruncationDirection? = nil,
                  addSpecialTokens: Bool? = nil) throws -> [Encoding] {
        guard !items.isEmpty, !items.contains(where: \.isEmpty) else { throw APIError.empty("`inputs` cannot be empty") }
        try validate(batchSize: items.count)
        let route = tokenizers[task] ?? defaultTokenizers
        let allowTruncation = truncate ?? configuration.autoTruncate
        let special = addSpecialTokens ?? route.addsSpecialTokens
        let limit = route.maxInputLength
        return try items.map { item in
            switch item {
            case var .ids(ids):
                guard ids.allSatisfy({ (0..<route.vocabularySize).contains($0) }) else {
                    throw APIError.validation("token ids must be in 0..<\(route.vocabularySize), the model's embedding table")
                }
                if ids.count > limit {
                    guard allowTruncation else {
                        throw APIError.validation("`inputs` must have less than \(limit) tokens. Given: \(ids.count)")
                    }
                    ids = direction == .left ? Array(ids.suffix(limit)) : Array(ids.prefix(limit))
                }
                return Encoding(ids: ids, typeIDs: Array(repeating: 0, count: ids.count))
            case let .text(text):
                let lowered = route.doLowerCase ? (prompt + text).lowercased() : prompt + text
                let full = try route.untruncated.encode(lowered, addSpecialTokens: special)
                if full.count > limit {
                    guard allowTruncation else {
                        throw APIError.validation("`inputs` must have less than \(limit) tokens. Given: \(full.count)")
                    }
                    return try (direction == .left ? route.left : route.right).encode(lowered, addSpecialTokens: special)
                }
                return full
            }
        }
    }

    /// ``tokenize(_:prompt:task:truncate:direction:addSpecialTokens:)`` on the request worker threads: a request may
    /// carry megabytes of text, and tokenizing it on a cooperative thread would hold up every other route.
    func tokenizeOnWorkers(_ items: [InputItem], prompt: String = "", task: String? = nil, truncate: Bool?,
                           direction: STServerAPI.TruncationDirection? = nil, addSpecialTokens: Bool? = nil) async throws -> [Encoding] {
        try await WorkerThreads.requests.run {
            try self.tokenize(items, prompt: prompt, task: task, truncate: truncate, direction: direction, addSpecialTokens: addSpecialTokens)
        }
    }

    /// Checks a Matryoshka `dimensions` request field: 1 … the model's embedding dimension.
    func validate(dimensions: Int?) throws {
        if let dimensions, dimensions <= 0 || dimensions > model.embeddingDimension {
            throw APIError.validation("`dimensions` must be between 1 and \(model.embeddingDimension)")
        }
    }

    /// The encodings of a request, with its task (Router route) and prompt lengths.
    private func prepare(_ items: [InputItem], truncate: Bool?, direction: STServerAPI.TruncationDirection?,
                         promptName: String?) async throws -> (encodings: [Encoding], promptLengths: [Int], task: String?) {
        let prompt = try self.prompt(named: promptName)
        let task = model.task(forPromptName: promptName ?? configuration.defaultPromptName)
        let encodings = try await tokenizeOnWorkers(items, prompt: prompt, task: task, truncate: truncate, direction: direction)
        let promptLength = try model.pipeline.route(for: task).input.promptLength(of: prompt)
        // Token-id inputs carry no prompt.
        let promptLengths = items.map { if case .text = $0 { promptLength } else { 0 } }
        return (encodings, promptLengths, task)
    }

    /// Sentence embeddings through the batcher, then Matryoshka truncation and normalization as asked, with the number
    /// of tokens the model read (OpenAI's `usage`). A sparse model gives its vectors densely, never normalized (as
    /// TEI: `normalize` is refused for SPLADE models).
    func embed(_ items: [InputItem], truncate: Bool?, direction: STServerAPI.TruncationDirection?, promptName: String?, dimensions: Int?,
               normalize: Bool) async throws -> (rows: Embeddings, tokens: Int) {
        if model.isSparse, normalize { throw APIError.backend("`normalize` is not available for SPLADE models") }
        let request = try await prepare(items, truncate: truncate, direction: direction, promptName: promptName)
        try validate(dimensions: dimensions)
        var rows = try await batcher.embed(request.encodings, promptLengths: request.promptLengths, task: request.task)
        if let dimensions { rows = rows.truncated(to: dimensions) }
        return (normalize ? rows.normalized() : rows, request.encodings.reduce(0) { $0 + $1.count })
    }

    /// Sparse vectors through the batcher (`/embed_sparse`).
    /// - Throws: ``APIError/backend(_:)`` (424) for a dense model, as TEI answers.
    func embedSparse(_ items: [InputItem], truncate: Bool?, direction: STServerAPI.TruncationDirection?, promptName: String?) async throws -> [SparseVector] {
        guard model.isSparse else { throw APIError.backend("Model is not an embedding model with SPLADE pooling") }
        let request = try await prepare(items, truncate: truncate, direction: direction, promptName: promptName)
        return try await batcher.embedSparse(request.encodings, promptLengths: request.promptLengths, task: request.task)
    }

    /// Whether the model computes embeddings: the outcome of the last forward pass, or when it failed (or none ran
    /// yet) of a forward pass over one short text, as TEI's health check runs one when the backend is not known good.
    func checkHealth() async -> Bool {
        if await batcher.lastPassSucceeded == true { return true }
        do {
            let encoding = try defaultTokenizers.untruncated.encode("health check", addSpecialTokens: defaultTokenizers.addsSpecialTokens)
            _ = try await batcher.embed([encoding], promptLengths: [0], task: nil)
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
