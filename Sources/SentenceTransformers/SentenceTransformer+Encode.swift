import STKernels
import STModels
import STTokenizers

extension SentenceTransformer {
    /// Embeds `texts`, one row per text in input order.
    ///
    /// Texts are tokenized, sorted by length, run through the model in batches of `batchSize` without padding,
    /// and put back in input order, so a text gets the same vector whatever else is in the batch.
    ///
    /// - Parameters:
    ///   - normalize: scale each vector to unit length (the model may already do so with a Normalize module).
    ///   - prompt: text put before each input; overrides `promptName` and the model's default prompt (`""` = none).
    ///   - promptName: one of the model's prompts (`config_sentence_transformers.json`).
    ///   - truncateDim: keep the first dimensions only (Matryoshka); defaults to the model's `truncate_dim`; more than
    ///     the model's dimension is refused.
    ///   - task: the route of a model with a ``Router`` (`"query"`, `"document"`); `nil` = the default route.
    ///   - progress: called after each batch with the number of texts done and the total.
    /// - Returns: `[texts.count, embeddingDimension]` (or `truncateDim` columns).
    /// - Throws: ``SentenceTransformerError`` for bad arguments, untokenizable texts or non-finite outputs.
    public func encode(_ texts: [String], batchSize: Int = 32, normalize: Bool = false, prompt: String? = nil,
                       promptName: String? = nil, truncateDim: Int? = nil, task: String? = nil,
                       progress: ((_ done: Int, _ total: Int) -> Void)? = nil) throws -> Embeddings {
        let keep = truncateDim ?? configuration.truncateDim
        if let keep, keep <= 0 { throw SentenceTransformerError.invalidArgument("truncateDim must be positive, got \(keep)") }
        let promptText = try configuration.resolvePrompt(prompt: prompt, promptName: promptName, task: task) ?? ""
        let dimension = try pipeline.route(for: task).outputDimension
        if let keep, keep > dimension {
            // Python slices silently (a no-op); a value that cannot take effect is refused instead.
            throw SentenceTransformerError.invalidArgument("truncateDim \(keep) is more than the model's \(dimension) dimensions")
        }
        let rows = try BatchedEncoding.encode(texts, pipeline: pipeline, task: task, prompt: promptText, batchSize: batchSize, threads: threads,
                                              progress: progress) { features, position, input in
            guard features.sentenceDimension == dimension else {
                throw SentenceTransformerError.invalidArgument("pipeline produced \(features.sentenceDimension) dimensions, expected \(dimension)")
            }
            let row = features.sentenceEmbeddings[(position * dimension)..<((position + 1) * dimension)]
            if row.contains(where: { !$0.isFinite }) {
                throw SentenceTransformerError.nonFiniteEmbedding(input: input, text: texts[input])
            }
            return row
        }
        var embeddings = Embeddings(uncheckedValues: Array(rows.joined()), dimension: dimension)
        if let keep { embeddings = embeddings.truncated(to: keep) }
        return normalize ? embeddings.normalized() : embeddings
    }

    /// Embeds queries: the `"query"` route of a Router model and the model's `"query"` prompt, unless `prompt` or
    /// `promptName` says otherwise (Python: `encode_query`).
    public func encodeQuery(_ texts: [String], batchSize: Int = 32, normalize: Bool = false, prompt: String? = nil,
                            promptName: String? = nil, truncateDim: Int? = nil,
                            progress: ((_ done: Int, _ total: Int) -> Void)? = nil) throws -> Embeddings {
        try encode(texts, batchSize: batchSize, normalize: normalize, prompt: prompt, promptName: promptName,
                   truncateDim: truncateDim, task: "query", progress: progress)
    }

    /// Embeds documents: the `"document"` route and the `"document"` (or `"passage"`, `"corpus"`) prompt
    /// (Python: `encode_document`).
    public func encodeDocument(_ texts: [String], batchSize: Int = 32, normalize: Bool = false, prompt: String? = nil,
                               promptName: String? = nil, truncateDim: Int? = nil,
                               progress: ((_ done: Int, _ total: Int) -> Void)? = nil) throws -> Embeddings {
        try encode(texts, batchSize: batchSize, normalize: normalize, prompt: prompt, promptName: promptName,
                   truncateDim: truncateDim, task: "document", progress: progress)
    }

    /// Embeds one text.
    public func encode(_ text: String, normalize: Bool = false, prompt: String? = nil, promptName: String? = nil,
                       truncateDim: Int? = nil) throws -> [Float] {
        let embeddings = try encode([text], normalize: normalize, prompt: prompt, promptName: promptName, truncateDim: truncateDim)
        return embeddings[0]
    }

    /// The input module's per-token output for each text: one row per token (special tokens included), not pooled
    /// (Python: `encode(texts, output_value="token_embeddings")`).
    /// - Throws: ``SentenceTransformerError/invalidArgument(_:)`` for a model whose input module gives no token rows
    ///   (StaticEmbedding).
    public func tokenEmbeddings(_ texts: [String], batchSize: Int = 32, prompt: String? = nil,
                                promptName: String? = nil) throws -> [Embeddings] {
        let promptText = try configuration.resolvePrompt(prompt: prompt, promptName: promptName) ?? ""
        let route = try tokenRoute()
        return try BatchedEncoding.encode(texts, pipeline: pipeline, task: nil, prompt: promptText, batchSize: batchSize, threads: threads,
                                          progress: nil) { features, position, _ in
            Self.rows(of: features, position: position)
        }.map { $0 ?? Embeddings(uncheckedValues: [], dimension: route.input.outputDimension) }
    }

    /// Runs already-tokenized inputs through the whole pipeline in one forward pass, rows in the given order — for
    /// callers that batch inputs themselves (the server's dynamic batching). `promptLength` is the number of leading
    /// prompt tokens (``Pooling`` leaves them out when `include_prompt` is false).
    /// - Throws: ``SentenceTransformerError/nonFiniteEmbedding(input:text:)`` naming the first bad row.
    public func embed(encodings: [Encoding], promptLengths: [Int]? = nil) throws -> Embeddings {
        guard !encodings.isEmpty else { return Embeddings(uncheckedValues: [], dimension: embeddingDimension) }
        let features = try Parallel.withWorkerCount(threads) {
            try ModulePipeline.run(defaultRoute, encodings: encodings, promptLengths: promptLengths, task: nil)
        }
        if let index = features.sentenceEmbeddings.firstIndex(where: { !$0.isFinite }) {
            throw SentenceTransformerError.nonFiniteEmbedding(input: index / max(features.sentenceDimension, 1), text: nil)
        }
        return Embeddings(uncheckedValues: features.sentenceEmbeddings, dimension: features.sentenceDimension)
    }

    /// The input module's per-token output for already-tokenized inputs, in one forward pass.
    /// - Throws: ``SentenceTransformerError/invalidArgument(_:)`` for a model without token rows.
    public func tokenEmbeddings(encodings: [Encoding]) throws -> [Embeddings] {
        guard !encodings.isEmpty else { return [] }
        let route = try tokenRoute()
        let features = try Parallel.withWorkerCount(threads) { try ModulePipeline.run(route, encodings: encodings, task: nil, through: 0) }
        return features.sequences.indices.map { Self.rows(of: features, position: $0) ?? Embeddings(uncheckedValues: [], dimension: features.tokenDimension) }
    }

    /// The number of prompt tokens `prompt` puts before a text (its tokens with the leading special token, without
    /// the trailing one), as sentence-transformers counts them.
    /// - Throws: ``TokenizerError`` when the tokenizer cannot process the prompt.
    public func promptLength(of prompt: String) throws -> Int {
        try inputModule.promptLength(of: prompt)
    }

    private func tokenRoute() throws -> ModulePipeline.Route {
        guard defaultRoute.input is Transformer else {
            throw SentenceTransformerError.invalidArgument("\(defaultRoute.input.summary) gives no per-token embeddings")
        }
        return defaultRoute
    }

    /// The token rows of sequence `position`.
    static func rows(of features: Features, position: Int) -> Embeddings? {
        guard position < features.sequences.count else { return nil }
        let rows = features.sequences[position], width = features.tokenDimension
        return Embeddings(uncheckedValues: Array(features.tokenEmbeddings[(rows.lowerBound * width)..<(rows.upperBound * width)]), dimension: width)
    }
}

extension SentenceTransformer {
    /// Embeds `texts` and quantizes the result as sentence-transformers 6.2's `encode(texts, precision=…)` does:
    /// int8 / uint8 buckets calibrated on these embeddings themselves (so at least two texts; for stable buckets
    /// quantize a large set at once, or call ``quantizeEmbeddings(_:precision:ranges:calibration:)`` with
    /// calibration rows), binary / ubinary packed sign bits. `.float32` gives the plain float bytes.
    ///
    /// ```swift
    /// let packed = try model.encode(corpus, precision: .ubinary)   // 48 bytes a row for 384 dimensions
    /// ```
    ///
    /// - Parameters: as ``encode(_:batchSize:normalize:prompt:promptName:truncateDim:task:progress:)``; normalizing
    ///   and truncating come before quantizing.
    /// - Returns: `texts.count` rows of ``QuantizationPrecision/bytesPerRow(dimension:)`` bytes.
    /// - Throws: ``SentenceTransformerError`` as `encode` does, and ``SentenceTransformerError/invalidArgument(_:)``
    ///   for int8 / uint8 of a single text (no spread to calibrate on, as in Python).
    public func encode(_ texts: [String], precision: QuantizationPrecision, batchSize: Int = 32, normalize: Bool = false,
                       prompt: String? = nil, promptName: String? = nil, truncateDim: Int? = nil, task: String? = nil,
                       progress: ((_ done: Int, _ total: Int) -> Void)? = nil) throws -> QuantizedEmbeddings {
        let embeddings = try encode(texts, batchSize: batchSize, normalize: normalize, prompt: prompt, promptName: promptName,
                                    truncateDim: truncateDim, task: task, progress: progress)
        return try quantizeEmbeddings(embeddings, precision: precision)
    }
}
