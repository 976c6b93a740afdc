/// The async forms of encoding, as ``SentenceTransformer``'s: run on ``WorkerThreads/compute``, stopped between
/// batches by cancellation (`CancellationError`).
extension SparseEncoder {
    /// ``encode(_:batchSize:prompt:promptName:maxActiveDims:task:progress:)`` from async code.
    /// - Throws: as the synchronous form, and `CancellationError`.
    public func encode(_ texts: [String], batchSize: Int = 32, prompt: String? = nil, promptName: String? = nil,
                       maxActiveDims: Int? = nil, task: String? = nil,
                       progress: (@Sendable (_ done: Int, _ total: Int) -> Void)? = nil) async throws -> [SparseVector] {
        try await WorkerThreads.compute.run {
            try self.encode(texts, batchSize: batchSize, prompt: prompt, promptName: promptName, maxActiveDims: maxActiveDims,
                            task: task, progress: progress)
        }
    }

    /// ``encodeQuery(_:batchSize:prompt:promptName:maxActiveDims:)`` from async code.
    /// - Throws: as the synchronous form, and `CancellationError`.
    public func encodeQuery(_ texts: [String], batchSize: Int = 32, prompt: String? = nil, promptName: String? = nil,
                            maxActiveDims: Int? = nil) async throws -> [SparseVector] {
        try await encode(texts, batchSize: batchSize, prompt: prompt, promptName: promptName, maxActiveDims: maxActiveDims, task: "query")
    }

    /// ``encodeDocument(_:batchSize:prompt:promptName:maxActiveDims:)`` from async code.
    /// - Throws: as the synchronous form, and `CancellationError`.
    public func encodeDocument(_ texts: [String], batchSize: Int = 32, prompt: String? = nil, promptName: String? = nil,
                               maxActiveDims: Int? = nil) async throws -> [SparseVector] {
        try await encode(texts, batchSize: batchSize, prompt: prompt, promptName: promptName, maxActiveDims: maxActiveDims, task: "document")
    }
}
