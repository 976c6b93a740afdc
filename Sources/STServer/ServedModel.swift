import SentenceTransformers
import STTokenizers

/// The embedding model a server runs, whatever its kind: a dense ``SentenceTransformer`` (routes `/embed`,
/// `/embed_all`, OpenAI) or a ``SparseEncoder`` (`/embed_sparse`, and `/embed` with `normalize: false`, as TEI serves
/// SPLADE models). A model with a ``Router`` routes each request by its `prompt_name` (`query`, `document`).
struct ServedModel: Sendable {
    let pipeline: ModulePipeline
    let configuration: SentenceTransformerConfiguration
    let isSparse: Bool
    let defaultRoute: ModulePipeline.Route
    private let model: Model

    private enum Model: Sendable {
        case dense(SentenceTransformer)
        case sparse(SparseEncoder)
    }

    init(_ model: SentenceTransformer) {
        pipeline = model.pipeline
        configuration = model.configuration
        isSparse = false
        defaultRoute = model.defaultRoute
        self.model = .dense(model)
    }

    init(_ model: SparseEncoder) {
        pipeline = model.pipeline
        configuration = model.configuration
        isSparse = true
        defaultRoute = model.defaultRoute
        self.model = .sparse(model)
    }

    /// The request batcher of this model, its forward passes on the server's inference thread.
    /// - Throws: ``SentenceTransformerError/invalidArgument(_:)`` for limits below 1.
    func batcher(maxBatchTokens: Int, maxBatchRequests: Int?, observer: EmbeddingBatcher.Observer) throws -> EmbeddingBatcher {
        switch model {
        case let .dense(model):
            return try EmbeddingBatcher(model: model, maxBatchTokens: maxBatchTokens, maxBatchRequests: maxBatchRequests,
                                        threads: .inference, observer: observer)
        case let .sparse(model):
            return try EmbeddingBatcher(model: model, maxBatchTokens: maxBatchTokens, maxBatchRequests: maxBatchRequests,
                                        threads: .inference, observer: observer)
        }
    }

    /// The route a request's `prompt_name` selects: one of the Router's routes, else the default route.
    func task(forPromptName name: String?) -> String? {
        guard let name, let router = pipeline.modules.first as? Router, router.routes[name] != nil else { return nil }
        return name
    }

    /// The width of the default route's output.
    var embeddingDimension: Int { defaultRoute.outputDimension }

    /// TEI's name of the pooling: `splade`, `cls`, `mean`, `last_token` (and ours for the modes TEI lacks: `max`,
    /// `mean_sqrt_len_tokens`, `weightedmean`, `static`; several modes joined with `+`).
    var poolingName: String {
        if isSparse { return "splade" }
        if defaultRoute.input.output == .sentenceEmbedding { return "static" }
        let modes = defaultRoute.modules.compactMap { ($0 as? Pooling)?.configuration.poolingModes }.first ?? []
        return modes.map { $0 == .lasttoken ? "last_token" : $0.rawValue }.joined(separator: "+")
    }
}

/// How one route's inputs are tokenized by the server: its input module's tokenizer with and without truncation,
/// and truncated on the left, for TEI's `truncate` / `truncation_direction`.
struct RouteTokenizers: Sendable {
    let untruncated: Tokenizer
    let right: Tokenizer
    let left: Tokenizer
    let maxInputLength: Int
    let doLowerCase: Bool
    let addsSpecialTokens: Bool
    /// Rows of the input module's table: every token id must be below it.
    let vocabularySize: Int

    init(_ input: any InputModule) {
        var plain = input.tokenizer
        plain.truncation = nil
        untruncated = plain
        var truncating = input.tokenizer
        if truncating.truncation == nil, input.maxSeqLength < Int.max {
            truncating.truncation = Truncation(maxLength: input.maxSeqLength, strategy: .longestFirst, direction: .right)
        }
        right = truncating
        var left = truncating
        left.truncation?.direction = .left
        self.left = left
        maxInputLength = input.maxSeqLength
        doLowerCase = input.doLowerCase
        addsSpecialTokens = input.addsSpecialTokens
        vocabularySize = max(input.vocabularySize, 1)
    }
}
