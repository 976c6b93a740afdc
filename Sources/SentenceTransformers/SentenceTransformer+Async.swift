/// The async forms of the model's computations: the same names, parameters and results as the synchronous ones, run on
/// ``WorkerThreads/compute`` so that the awaiting task holds no cooperative thread. Each stops between two batches
/// when its task is cancelled and throws `CancellationError`; `progress` is called from a worker thread.
extension SentenceTransformer {
    /// ``encode(_:batchSize:normalize:prompt:promptName:truncateDim:task:progress:)`` from async code.
    /// - Throws: as the synchronous form, and `CancellationError`.
    public func encode(_ texts: [String], batchSize: Int = 32, normalize: Bool = false, prompt: String? = nil,
                       promptName: String? = nil, truncateDim: Int? = nil, task: String? = nil,
                       progress: (@Sendable (_ done: Int, _ total: Int) -> Void)? = nil) async throws -> Embeddings {
        try await WorkerThreads.compute.run {
            try self.encode(texts, batchSize: batchSize, normalize: normalize, prompt: prompt, promptName: promptName,
                            truncateDim: truncateDim, task: task, progress: progress)
        }
    }

    /// ``encodeQuery(_:batchSize:normalize:prompt:promptName:truncateDim:progress:)`` from async code.
    /// - Throws: as the synchronous form, and `CancellationError`.
    public func encodeQuery(_ texts: [String], batchSize: Int = 32, normalize: Bool = false, prompt: String? = nil,
                            promptName: String? = nil, truncateDim: Int? = nil,
                            progress: (@Sendable (_ done: Int, _ total: Int) -> Void)? = nil) async throws -> Embeddings {
        try await encode(texts, batchSize: batchSize, normalize: normalize, prompt: prompt, promptName: promptName,
                         truncateDim: truncateDim, task: "query", progress: progress)
    }

    /// ``encodeDocument(_:batchSize:normalize:prompt:promptName:truncateDim:progress:)`` from async code.
    /// - Throws: as the synchronous form, and `CancellationError`.
    public func encodeDocument(_ texts: [String], batchSize: Int = 32, normalize: Bool = false, prompt: String? = nil,
                               promptName: String? = nil, truncateDim: Int? = nil,
                               progress: (@Sendable (_ done: Int, _ total: Int) -> Void)? = nil) async throws -> Embeddings {
        try await encode(texts, batchSize: batchSize, normalize: normalize, prompt: prompt, promptName: promptName,
                         truncateDim: truncateDim, task: "document", progress: progress)
    }

    /// ``encode(_:normalize:prompt:promptName:truncateDim:)`` (one text) from async code.
    /// - Throws: as the synchronous form, and `CancellationError`.
    public func encode(_ text: String, normalize: Bool = false, prompt: String? = nil, promptName: String? = nil,
                       truncateDim: Int? = nil) async throws -> [Float] {
        try await WorkerThreads.compute.run {
            try self.encode(text, normalize: normalize, prompt: prompt, promptName: promptName, truncateDim: truncateDim)
        }
    }

    /// ``encode(_:precision:batchSize:normalize:prompt:promptName:truncateDim:task:progress:)`` from async code.
    /// - Throws: as the synchronous form, and `CancellationError`.
    public func encode(_ texts: [String], precision: QuantizationPrecision, batchSize: Int = 32, normalize: Bool = false,
                       prompt: String? = nil, promptName: String? = nil, truncateDim: Int? = nil, task: String? = nil,
                       progress: (@Sendable (_ done: Int, _ total: Int) -> Void)? = nil) async throws -> QuantizedEmbeddings {
        try await WorkerThreads.compute.run {
            try self.encode(texts, precision: precision, batchSize: batchSize, normalize: normalize, prompt: prompt,
                            promptName: promptName, truncateDim: truncateDim, task: task, progress: progress)
        }
    }

    /// ``tokenEmbeddings(_:batchSize:prompt:promptName:)`` from async code.
    /// - Throws: as the synchronous form, and `CancellationError`.
    public func tokenEmbeddings(_ texts: [String], batchSize: Int = 32, prompt: String? = nil,
                                promptName: String? = nil) async throws -> [Embeddings] {
        try await WorkerThreads.compute.run { try self.tokenEmbeddings(texts, batchSize: batchSize, prompt: prompt, promptName: promptName) }
    }

    /// ``similarity(_:_:function:)`` from async code (a large `[a.count, b.count]` matrix is seconds of work).
    /// - Throws: as the synchronous form, and `CancellationError`.
    public func similarity(_ a: Embeddings, _ b: Embeddings, function: SimilarityFunction? = nil) async throws -> Embeddings {
        try await WorkerThreads.compute.run { try self.similarity(a, b, function: function) }
    }
}

/// ``semanticSearch(queries:corpus:topK:scoreFunction:queryChunkSize:corpusChunkSize:)`` from async code, on
/// ``WorkerThreads/compute``; it stops between two chunks of queries when its task is cancelled.
/// - Throws: as the synchronous form, and `CancellationError`.
public func semanticSearch(queries: Embeddings, corpus: Embeddings, topK: Int = 10, scoreFunction: SimilarityFunction = .cosine,
                           queryChunkSize: Int = 100, corpusChunkSize: Int = 500_000) async throws -> [[SearchHit]] {
    try await WorkerThreads.compute.run {
        try semanticSearch(queries: queries, corpus: corpus, topK: topK, scoreFunction: scoreFunction,
                           queryChunkSize: queryChunkSize, corpusChunkSize: corpusChunkSize)
    }
}
