import Dispatch
import Foundation
import SentenceTransformers
import STTokenizers

/// Dynamic batching: requests from many clients wait in one queue and are run together, as many per forward pass as
/// `maxBatchTokens` and `maxBatchRequests` allow. Requests arrive tokenized (tokenization runs on the request's own
/// task); the forward passes run one at a time on a dedicated thread, off the server's event loops.
actor EmbeddingBatcher {
    enum Output: Sendable {
        case pooled(Embeddings)
        case tokens([Embeddings])
    }

    private struct Job {
        var encodings: [Encoding]
        var promptLengths: [Int]
        var wantsTokens: Bool
        var continuation: CheckedContinuation<Output, any Error>
        var tokens: Int { encodings.reduce(0) { $0 + $1.count } }
    }

    private let model: SentenceTransformer
    private let maxBatchTokens: Int
    private let maxBatchRequests: Int?
    private let metrics: ServerMetrics
    private var queue: [Job] = []
    private var running = false
    /// Whether the last forward pass succeeded (nil before the first): `/health` answers from it while it is true.
    private(set) var lastPassSucceeded: Bool?

    init(model: SentenceTransformer, maxBatchTokens: Int, maxBatchRequests: Int?, metrics: ServerMetrics) {
        self.model = model
        self.maxBatchTokens = maxBatchTokens
        self.maxBatchRequests = maxBatchRequests
        self.metrics = metrics
    }

    /// Sentence embeddings of `encodings` (one row each, in order).
    func embed(_ encodings: [Encoding], promptLengths: [Int]) async throws -> Embeddings {
        guard case let .pooled(result) = try await submit(encodings, promptLengths: promptLengths, wantsTokens: false) else { throw CancellationError() }
        return result
    }

    /// Token embeddings of `encodings`.
    func tokenEmbeddings(_ encodings: [Encoding]) async throws -> [Embeddings] {
        guard case let .tokens(result) = try await submit(encodings, promptLengths: [], wantsTokens: true) else { throw CancellationError() }
        return result
    }

    private func submit(_ encodings: [Encoding], promptLengths: [Int], wantsTokens: Bool) async throws -> Output {
        try await withCheckedThrowingContinuation { continuation in
            queue.append(Job(encodings: encodings, promptLengths: promptLengths, wantsTokens: wantsTokens, continuation: continuation))
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
                    || (tokens + next.tokens <= maxBatchTokens && batch.count < (maxBatchRequests ?? .max) && next.wantsTokens == batch[0].wantsTokens) {
                batch.append(queue.removeFirst())
                tokens += next.tokens
            }
            metrics.setQueued(queue.count)
            metrics.recordBatch(requests: batch.count, tokens: tokens)
            let wantsTokens = batch[0].wantsTokens
            let result = await run(batch, wantsTokens: wantsTokens)
            if case .failure = result, batch.count > 1 {
                // One request's input must never fail the others batched with it: run each alone, so that only the
                // request at fault gets the error.
                for job in batch {
                    let alone = await run([job], wantsTokens: wantsTokens)
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
    private func run(_ batch: [Job], wantsTokens: Bool) async -> Result<Output, any Error> {
        let encodings = batch.flatMap(\.encodings)
        let promptLengths = batch.flatMap { $0.promptLengths.count == $0.encodings.count ? $0.promptLengths : Array(repeating: 0, count: $0.encodings.count) }
        let model = self.model
        return await withCheckedContinuation { continuation in
            WorkerThreads.inference.submit {
                continuation.resume(returning: Result {
                    wantsTokens ? .tokens(try model.tokenEmbeddings(encodings: encodings))
                                : .pooled(try model.embed(encodings: encodings, promptLengths: promptLengths))
                })
            }
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
            }
        }
    }
}
