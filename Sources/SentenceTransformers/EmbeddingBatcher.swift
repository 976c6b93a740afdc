import Foundation
import STKernels
import STTokenizers

/// Dynamic batching, as `sbert serve` (and TEI) run it: calls from many tasks wait in one queue and are run together,
/// as many per forward pass as `maxBatchTokens` and `maxBatchRequests` allow (calls for another Router route, or
/// another kind of output, wait for the next pass). The forward passes run one at a time on a ``WorkerThreads`` pool,
/// so no cooperative thread is held. One call's bad input never fails the calls batched with it: a failed pass is
/// rerun one call at a time.
///
/// ```swift
/// let batcher = try EmbeddingBatcher(model: try await SentenceTransformer("all-MiniLM-L6-v2"))
/// // From any number of request handlers at once:
/// let rows = try await batcher.encode(["How do I reset my password?"])
/// ```
public actor EmbeddingBatcher {
    enum Kind: Sendable, Equatable { case pooled, tokens, sparse }

    /// What the batcher reports as it works (the server's metrics): each is called on the batcher's actor, so keep
    /// them short.
    public struct Observer: Sendable {
        /// The number of calls waiting, after each change.
        public var queued: @Sendable (_ count: Int) -> Void
        /// Each forward pass: the calls and tokens it runs.
        public var batch: @Sendable (_ requests: Int, _ tokens: Int) -> Void

        public init(queued: @escaping @Sendable (_ count: Int) -> Void, batch: @escaping @Sendable (_ requests: Int, _ tokens: Int) -> Void) {
            self.queued = queued
            self.batch = batch
        }
    }

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

    private let pipeline: ModulePipeline
    private let configuration: SentenceTransformerConfiguration
    private let modelThreads: Int?
    private let maxBatchTokens: Int
    private let maxBatchRequests: Int?
    private let threads: WorkerThreads
    private let observer: Observer?
    private var queue: [Job] = []
    private var running = false
    /// Whether the last forward pass succeeded (nil before the first): a health check can answer from it while it is
    /// true.
    public private(set) var lastPassSucceeded: Bool?

    /// Batches the calls for `model`: at most `maxBatchTokens` tokens (TEI's `--max-batch-tokens`; one call over it
    /// still runs, alone) and `maxBatchRequests` calls per pass, the passes run on `threads`.
    /// - Throws: ``SentenceTransformerError/invalidArgument(_:)`` for a limit below 1.
    public init(model: SentenceTransformer, maxBatchTokens: Int = 16_384, maxBatchRequests: Int? = nil,
                threads: WorkerThreads = .compute, observer: Observer? = nil) throws {
        try self.init(pipeline: model.pipeline, configuration: model.configuration, modelThreads: model.threads,
                      maxBatchTokens: maxBatchTokens, maxBatchRequests: maxBatchRequests, threads: threads, observer: observer)
    }

    /// Batches the calls for a sparse `model` (``embedSparse(_:promptLengths:task:)``; ``embed(_:promptLengths:task:)``
    /// gives its vectors as dense rows).
    /// - Throws: ``SentenceTransformerError/invalidArgument(_:)`` for a limit below 1.
    public init(model: SparseEncoder, maxBatchTokens: Int = 16_384, maxBatchRequests: Int? = nil,
                threads: WorkerThreads = .compute, observer: Observer? = nil) throws {
        try self.init(pipeline: model.pipeline, configuration: model.configuration, modelThreads: model.threads,
                      maxBatchTokens: maxBatchTokens, maxBatchRequests: maxBatchRequests, threads: threads, observer: observer)
    }

    private init(pipeline: ModulePipeline, configuration: SentenceTransformerConfiguration, modelThreads: Int?, maxBatchTokens: Int,
                 maxBatchRequests: Int?, threads: WorkerThreads, observer: Observer?) throws {
        guard maxBatchTokens > 0 else { throw SentenceTransformerError.invalidArgument("maxBatchTokens must be positive, got \(maxBatchTokens)") }
        if let maxBatchRequests, maxBatchRequests <= 0 {
            throw SentenceTransformerError.invalidArgument("maxBatchRequests must be positive, got \(maxBatchRequests)")
        }
        self.pipeline = pipeline
        self.configuration = configuration
        self.modelThreads = modelThreads
        self.maxBatchTokens = maxBatchTokens
        self.maxBatchRequests = maxBatchRequests
        self.threads = threads
        self.observer = observer
    }

    /// Embeds `texts` (each with the prompt ``SentenceTransformer/encode(_:batchSize:normalize:prompt:promptName:truncateDim:task:progress:)``
    /// would put before it) in the next forward pass, beside whatever other calls are waiting: the rows
    /// `encode` gives, in input order.
    /// - Throws: ``SentenceTransformerError`` as `encode` does.
    public func encode(_ texts: [String], prompt: String? = nil, promptName: String? = nil, task: String? = nil) async throws -> Embeddings {
        let pipeline = self.pipeline, configuration = self.configuration
        let (encodings, promptLength) = try await threads.run {
            let promptText = try configuration.resolvePrompt(prompt: prompt, promptName: promptName, task: task) ?? ""
            let route = try pipeline.route(for: task)
            return (try BatchedEncoding.tokenize(texts, route: route, prompt: promptText, task: task), try route.input.promptLength(of: promptText))
        }
        return try await embed(encodings, promptLengths: Array(repeating: promptLength, count: encodings.count), task: task)
    }

    /// Sentence embeddings of already-tokenized inputs (one row each, in order); a sparse model's vectors as dense
    /// rows. `promptLengths`: the leading prompt tokens of each (``Pooling`` leaves them out when `include_prompt` is
    /// false), or empty for none.
    /// - Throws: ``SentenceTransformerError/nonFiniteEmbedding(input:text:)``, or the model's error for this input.
    public func embed(_ encodings: [Encoding], promptLengths: [Int], task: String?) async throws -> Embeddings {
        guard case let .pooled(result) = try await submit(encodings, promptLengths: promptLengths, kind: .pooled, task: task) else {
            throw CancellationError()
        }
        return result
    }

    /// Sparse vectors of already-tokenized inputs (a sparse model).
    /// - Throws: as ``embed(_:promptLengths:task:)``.
    public func embedSparse(_ encodings: [Encoding], promptLengths: [Int], task: String?) async throws -> [SparseVector] {
        guard case let .sparse(result) = try await submit(encodings, promptLengths: promptLengths, kind: .sparse, task: task) else {
            throw CancellationError()
        }
        return result
    }

    /// Token embeddings of already-tokenized inputs: the input module's rows, one matrix per input.
    /// - Throws: as ``embed(_:promptLengths:task:)``.
    public func tokenEmbeddings(_ encodings: [Encoding]) async throws -> [Embeddings] {
        guard case let .tokens(result) = try await submit(encodings, promptLengths: [], kind: .tokens, task: nil) else { throw CancellationError() }
        return result
    }

    private func submit(_ encodings: [Encoding], promptLengths: [Int], kind: Kind, task: String?) async throws -> Output {
        try await withCheckedThrowingContinuation { continuation in
            queue.append(Job(encodings: encodings, promptLengths: promptLengths, kind: kind, task: task, continuation: continuation))
            observer?.queued(queue.count)
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
            observer?.queued(queue.count)
            observer?.batch(batch.count, tokens)
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

    /// One forward pass over the jobs' inputs, on the batcher's threads.
    private func run(_ batch: [Job]) async -> Result<Output, any Error> {
        let encodings = batch.flatMap(\.encodings)
        let promptLengths = batch.flatMap { $0.promptLengths.count == $0.encodings.count ? $0.promptLengths : Array(repeating: 0, count: $0.encodings.count) }
        let pipeline = self.pipeline, modelThreads = self.modelThreads, kind = batch[0].kind, task = batch[0].task
        return await withCheckedContinuation { continuation in
            // Submitted, not `run`: a pass serves many callers, so no one caller's cancellation may stop it.
            threads.submit {
                continuation.resume(returning: Result {
                    try Parallel.withWorkerCount(modelThreads) {
                        try Self.forward(pipeline, encodings: encodings, promptLengths: promptLengths, kind: kind, task: task)
                    }
                })
            }
        }
    }

    /// Runs the route and takes the output `kind` asks for.
    /// - Throws: ``SentenceTransformerError/nonFiniteEmbedding(input:text:)`` naming the first bad row.
    private static func forward(_ pipeline: ModulePipeline, encodings: [Encoding], promptLengths: [Int], kind: Kind, task: String?) throws -> Output {
        let route = try pipeline.route(for: task)
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
                Embeddings(uncheckedValues: Array(values[(rows.lowerBound * width)..<(rows.upperBound * width)]), dimension: width)
            })
        case .sparse, .pooled:
            if let vectors = features.sparseEmbeddings {
                for (index, vector) in vectors.enumerated() where vector.values.contains(where: { !$0.isFinite }) {
                    throw SentenceTransformerError.nonFiniteEmbedding(input: index, text: nil)
                }
                return kind == .sparse ? .sparse(vectors)
                    : .pooled(Embeddings(uncheckedValues: vectors.flatMap(\.dense), dimension: features.sentenceDimension))
            }
            return .pooled(Embeddings(uncheckedValues: try checked(features.sentenceEmbeddings, width: features.sentenceDimension),
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
