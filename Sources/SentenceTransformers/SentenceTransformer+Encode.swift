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
    ///   - truncateDim: keep the first dimensions only (Matryoshka); defaults to the model's `truncate_dim`.
    ///   - progress: called after each batch with the number of texts done and the total.
    public func encode(_ texts: [String], batchSize: Int = 32, normalize: Bool = false, prompt: String? = nil,
                       promptName: String? = nil, truncateDim: Int? = nil,
                       progress: ((_ done: Int, _ total: Int) -> Void)? = nil) throws -> Embeddings {
        guard batchSize > 0 else { throw SentenceTransformerError.invalidArgument("batchSize must be positive, got \(batchSize)") }
        let dimension = embeddingDimension
        let keep = truncateDim ?? configuration.truncateDim
        if let keep, keep <= 0 { throw SentenceTransformerError.invalidArgument("truncateDim must be positive, got \(keep)") }
        let (encodings, promptLength) = try tokenizeAll(texts, prompt: prompt, promptName: promptName)
        var values = [Float](repeating: 0, count: texts.count * dimension)
        var done = 0
        for batch in Self.batches(encodings, size: batchSize) {
            let features = try run(batch.map { encodings[$0] }, promptLength: promptLength, through: modules.count)
            guard features.sentenceDimension == dimension else {
                throw SentenceTransformerError.invalidArgument("pipeline produced \(features.sentenceDimension) dimensions, expected \(dimension)")
            }
            if let position = Self.firstNonFiniteRow(features.sentenceEmbeddings, dimension: dimension) {
                throw SentenceTransformerError.nonFiniteEmbedding(input: batch[position], text: texts[batch[position]])
            }
            for (position, index) in batch.enumerated() {
                values.replaceSubrange(
                    (index * dimension)..<((index + 1) * dimension),
                    with: features.sentenceEmbeddings[(position * dimension)..<((position + 1) * dimension)])
            }
            done += batch.count
            progress?(done, texts.count)
        }
        var embeddings = Embeddings(values: values, dimension: dimension)
        if let keep { embeddings = embeddings.truncated(to: keep) }
        return normalize ? embeddings.normalized() : embeddings
    }

    /// Embeds one text.
    public func encode(_ text: String, normalize: Bool = false, prompt: String? = nil, promptName: String? = nil,
                       truncateDim: Int? = nil) throws -> [Float] {
        let embeddings = try encode([text], normalize: normalize, prompt: prompt, promptName: promptName, truncateDim: truncateDim)
        return embeddings[0]
    }

    /// The transformer's output for each text: one row per token (special tokens included), not pooled
    /// (Python: `encode(texts, output_value="token_embeddings")`).
    public func tokenEmbeddings(_ texts: [String], batchSize: Int = 32, prompt: String? = nil,
                                promptName: String? = nil) throws -> [Embeddings] {
        guard batchSize > 0 else { throw SentenceTransformerError.invalidArgument("batchSize must be positive, got \(batchSize)") }
        let (encodings, promptLength) = try tokenizeAll(texts, prompt: prompt, promptName: promptName)
        var result = [Embeddings](repeating: Embeddings(values: [], dimension: transformer.encoder.hiddenSize), count: texts.count)
        for batch in Self.batches(encodings, size: batchSize) {
            let features = try run(batch.map { encodings[$0] }, promptLength: promptLength, through: 0)
            for (position, index) in batch.enumerated() {
                let rows = features.sequences[position]
                result[index] = Embeddings(
                    values: Array(features.tokenEmbeddings[(rows.lowerBound * features.tokenDimension)..<(rows.upperBound * features.tokenDimension)]),
                    dimension: features.tokenDimension)
            }
        }
        return result
    }

    /// Runs already-tokenized inputs through the whole pipeline in one forward pass, rows in the given order — for
    /// callers that batch inputs themselves (the server's dynamic batching). `promptLength` is the number of leading
    /// prompt tokens (``Pooling`` leaves them out when `include_prompt` is false).
    public func embed(encodings: [Encoding], promptLengths: [Int]? = nil) throws -> Embeddings {
        guard !encodings.isEmpty else { return Embeddings(values: [], dimension: embeddingDimension) }
        let features = try run(encodings, promptLengths: promptLengths ?? [], through: modules.count)
        if let position = Self.firstNonFiniteRow(features.sentenceEmbeddings, dimension: features.sentenceDimension) {
            throw SentenceTransformerError.nonFiniteEmbedding(input: position, text: nil)
        }
        return Embeddings(values: features.sentenceEmbeddings, dimension: features.sentenceDimension)
    }

    /// The first row holding NaN or an infinity, if any.
    static func firstNonFiniteRow(_ values: [Float], dimension: Int) -> Int? {
        guard let index = values.firstIndex(where: { !$0.isFinite }) else { return nil }
        return index / max(dimension, 1)
    }

    /// The transformer's per-token output for already-tokenized inputs, in one forward pass.
    public func tokenEmbeddings(encodings: [Encoding]) throws -> [Embeddings] {
        guard !encodings.isEmpty else { return [] }
        let features = try run(encodings, promptLength: 0, through: 0)
        return features.sequences.map { rows in
            Embeddings(values: Array(features.tokenEmbeddings[(rows.lowerBound * features.tokenDimension)..<(rows.upperBound * features.tokenDimension)]),
                       dimension: features.tokenDimension)
        }
    }

    /// The number of prompt tokens `prompt` puts before a text (its tokens with the leading special token, without
    /// the trailing one), as sentence-transformers counts them.
    /// - Throws: ``TokenizerError`` when the tokenizer cannot process the prompt.
    public func promptLength(of prompt: String) throws -> Int {
        prompt.isEmpty ? 0 : max(0, try transformer.tokenize(prompt).count - 1)
    }

    private func tokenizeAll(_ texts: [String], prompt: String?, promptName: String?) throws -> ([Encoding], Int) {
        let promptText = try resolvePrompt(prompt: prompt, promptName: promptName) ?? ""
        let encodings = try texts.enumerated().map { index, text in
            do {
                return try transformer.tokenize(promptText + text)
            } catch let error as TokenizerError {
                throw SentenceTransformerError.untokenizableInput(input: index, text: text, reason: error.description)
            }
        }
        return (encodings, try promptLength(of: promptText))
    }

    /// Indices of `encodings` grouped into batches of similar length, longest first.
    static func batches(_ encodings: [Encoding], size: Int) -> [[Int]] {
        let order = encodings.indices.sorted { encodings[$0].count > encodings[$1].count || (encodings[$0].count == encodings[$1].count && $0 < $1) }
        return stride(from: 0, to: order.count, by: size).map { Array(order[$0..<min($0 + size, order.count)]) }
    }

    /// Runs the transformer and the first `moduleCount` modules on one batch.
    func run(_ encodings: [Encoding], promptLength: Int, through moduleCount: Int) throws -> Features {
        try run(encodings, promptLengths: Array(repeating: promptLength, count: encodings.count), through: moduleCount)
    }

    func run(_ encodings: [Encoding], promptLengths: [Int], through moduleCount: Int) throws -> Features {
        var batch = TokenBatch()
        for encoding in encodings { try batch.append(inputIDs: encoding.ids, tokenTypeIDs: encoding.typeIDs) }
        let output = try transformer.encoder.forward(batch, outputHiddenStates: false)
        var features = Features(
            tokenEmbeddings: output.lastHiddenState, tokenDimension: output.hiddenSize, sequences: batch.sequences,
            promptLengths: promptLengths.count == encodings.count ? promptLengths : Array(repeating: 0, count: encodings.count))
        for module in modules.prefix(moduleCount) { try module.forward(&features) }
        return features
    }
}
