/// The async forms of scoring, as ``SentenceTransformer``'s: run on ``WorkerThreads/compute``, stopped between
/// batches by cancellation (`CancellationError`).
extension CrossEncoder {
    /// ``predict(_:batchSize:activation:applySoftmax:)`` from async code.
    /// - Throws: as the synchronous form, and `CancellationError`.
    public func predict(_ pairs: [(String, String)], batchSize: Int = 32, activation: CrossEncoderActivation? = nil,
                        applySoftmax: Bool = false) async throws -> Embeddings {
        let pairs = pairs.map { Pair(a: $0.0, b: $0.1) }
        return try await WorkerThreads.compute.run {
            try self.predict(pairs.map { ($0.a, $0.b) }, batchSize: batchSize, activation: activation, applySoftmax: applySoftmax)
        }
    }

    /// ``predict(encodings:batchSize:activation:applySoftmax:)`` from async code.
    /// - Throws: as the synchronous form, and `CancellationError`.
    public func predict(encodings: [Encoding], batchSize: Int = 32, activation: CrossEncoderActivation? = nil,
                        applySoftmax: Bool = false) async throws -> Embeddings {
        try await WorkerThreads.compute.run {
            try self.predict(encodings: encodings, batchSize: batchSize, activation: activation, applySoftmax: applySoftmax)
        }
    }

    /// ``rank(query:documents:topK:returnDocuments:batchSize:)`` from async code.
    /// - Throws: as the synchronous form, and `CancellationError`.
    public func rank(query: String, documents: [String], topK: Int? = nil, returnDocuments: Bool = false,
                     batchSize: Int = 32) async throws -> [Ranked] {
        try await WorkerThreads.compute.run {
            try self.rank(query: query, documents: documents, topK: topK, returnDocuments: returnDocuments, batchSize: batchSize)
        }
    }

    /// A pair as a `Sendable` value: a tuple of strings is not one to the compiler.
    private struct Pair: Sendable {
        var a: String
        var b: String
    }
}
