import Dispatch
import Foundation
import SentenceTransformers
import STTokenizers

/// Dynamic batching: requests from many clients wait in one queue and are run together, as many per forward pass as
/// `maxBatchTokens` and `maxBatchRequests` allow (requests for another Router route, or another kind of output, wait
/// for the next pass). Requests arrive tokenized (tokenization runs on the request's own task); the forward passes
/// run one at a time on a dedicated thread, off the server's event loops.
actor EmbeddingBatcher {
    enum Kind: Sendable, Equatable { case pooled, tokens, sparse }

    enum Output: Sendable {
        case pooled(Embeddings)
        case tokens([Embeddings])
        case sparse([SparseVector])
    }

    private struct Job {
        var encodings: [Encoding]
        var promptLengths: [Int]
        var kind: Kind
        var task: String?
        var continuation: CheckedContinuation<Output, any Error>
        var tokens: Int { encodings.reduce(0) { $0 + $1.count } }
    }

    private let model: ServedModel
    private let maxBatchTokens: Int
    private let maxBatchRequests: Int?
    private let metrics: ServerMetrics
    private var queue: [Job] = []
    private var running = false
    /// Whether the last forward pass succeeded (nil before the first): `/health` answers from it while it is true.
    private(set) var lastPassSucceeded: Bool?

    init(model: ServedModel, maxBatchTokens: Int, maxBatchRequests: Int?, metrics: ServerMetrics) {
        self.model = model
        self.maxBatchTokens = maxBatchTokens
        self.maxBatchRequests = maxBatchRequests
        self.metrics = metrics
    }

    /// Sentence embeddings of `encodings` (one row each, in order); a sparse model's vectors as dense rows.
    func embed(_ encodings: [Encoding], promptLengths: [Int], task: String?) async throws -> Embeddings {
        guard case let .pooled(result) = try await submit(encodings, promptLengths: promptLengths, kind: .pooled, task: task) else {
            throw CancellationError()
        }
        return result
    }

    /// Sparse vectors of `encodings` (a sparse model).
    func embedSparse(_ encodings: [Encoding], promptLengths: [Int], task: String?) async throws -> [SparseVector] {
        guard case let .sparse(result) = try await submit(encodings, promptLengths: promptLengths, kind: .sparse, task: task) else {
            throw CancellationError()
        }
        return result
    }

    /// Token embeddings of `encodings`.
    func tokenEmbeddings(_ encodings: [Encoding]) async throws -> [Embeddings] {
        guard case let .tokens(result) = try await submit(encodings, promptLengths: [], kind: .tokens, task: nil) else { throw CancellationError() }
        return result
    }

    private func submit(_ encodings: [Encoding], promptLengths: [Int], kind: Kind, task: String?) async throws -> Output {
        try await withCheckedThrowingContinuation { continuation in
            queue.append(Job(encodings: encodings, promptLengths: promptLengths, kind: kind, task: task, continuation: continuation))
            metrics.setQueued(queue.count)
            if !running {
                running = true
                Task { await self.drain() }
            }
        }
    }

    private func drain() async {
        while !queue.isEmpty {
            // Take jobs in arrival order while they fit; a job alone over the budget still runs, by itself.
            var batch: [Job] = []
            var tokens = 0
            while let next = queue.first, batch.isEmpty
                    || (tokens + next.tokens <= maxBatchTokens && batch.count < (maxBatchRequests ?? .max)
                        && next.kind == batch[0].kind && next.task == batch[0].task) {
                batch.append(queue.removeFirst())
                tokens += next.tokens
            }
            metrics.setQueued(queue.count)
            metrics.recordBatch(requests: batch.count, tokens: tokens)
            let result = await run(batch)
            if case .failure = result, batch.count > 1 {
                // One request's input must never fail the others batched with it: run each alone, so that only the
                // request at fault gets the error.
                for job in batch {
                    let alone = await run([job])
                    lastPassSucceeded = (try? alone.get()) != nil
                    Self.deliver(alone, to: [job])
                }
            } else {
                lastPassSucceeded = (try? result.get()) != nil
                Self.deliver(result, to: batch)
            }
        }
        running = false
    }

    /// One forward pass over the jobs' inputs, on the inference thread.
    private func run(_ batch: [Job]) async -> Result<Output, any Error> {
        let encodings = batch.flatMap(\.encodings)
        let promptLengths = batch.flatMap { $0.promptLengths.count == $0.encodings.count ? $0.promptLengths : Array(repeating: 0, count: $0.encodings.count) }
        let model = self.model, kind = batch[0].kind, task = batch[0].task
        return await withCheckedContinuation { continuation in
            WorkerThreads.inference.submit {
                continuation.resume(returning: Result { try Self.forward(model, encodings: encodings, promptLengths: promptLengths, kind: kind, task: task) })
            }
        }
    }

    /// Runs the route and takes the output `kind` asks for.
    /// - Throws: ``SentenceTransformerError/nonFiniteEmbedding(input:text:)`` naming the first bad row.
    private static func forward(_ model: ServedModel, encodings: [Encoding], promptLengths: [Int], kind: Kind, task: String?) throws -> Output {
        let route = try model.pipeline.route(for: task)
        let features = try ModulePipeline.run(route, encodings: encodings, promptLengths: promptLengths, task: task,
                                              through: kind == .tokens ? 0 : nil)
        func checked(_ values: [Float], width: Int) throws -> [Float] {
            if let index = values.firstIndex(where: { !$0.isFinite }) {
                throw SentenceTransformerError.nonFiniteEmbedding(input: index / max(width, 1), text: nil)
            }
            return values
        }
        switch kind {
        case .tokens:
            let width = features.tokenDimension
            let values = try checked(features.tokenEmbeddings, width: width)
            return .tokens(features.sequences.map { rows in
                Embeddings(values: Array(values[(rows.lowerBound * width)..<(rows.upperBound * width)]), dimension: width)
            })
        case .sparse, .pooled:
            if let vectors = features.sparseEmbeddings {
                for (index, vector) in vectors.enumerated() where vector.values.contains(where: { !$0.isFinite }) {
                    throw SentenceTransformerError.nonFiniteEmbedding(input: index, text: nil)
                }
                return kind == .sparse ? .sparse(vectors)
                    : .pooled(Embeddings(values: vectors.flatMap(\.dense), dimension: features.sentenceDimension))
            }
            return .pooled(Embeddings(values: try checked(features.sentenceEmbeddings, width: features.sentenceDimension),
                                      dimension: features.sentenceDimension))
        }
    }

    /// Hands each job its rows of a pass's result (or the pass's error).
    private static func deliver(_ result: Result<Output, any Error>, to batch: [Job]) {
        var offset = 0
        for job in batch {
            let range = offset..<(offset + job.encodings.count)
            offset += job.encodings.count
            switch result {
            case let .failure(error): job.continuation.resume(throwing: error)
            case let .success(.pooled(rows)): job.continuation.resume(returning: .pooled(rows.rows(range)))
            case let .success(.tokens(rows)): job.continuation.resume(returning: .tokens(Array(rows[range])))
            case let .success(.sparse(vectors)): job.continuation.resume(returning: .sparse(Array(vectors[range])))
            }
        }
    }
}
