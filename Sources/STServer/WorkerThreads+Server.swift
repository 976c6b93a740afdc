import Foundation
import SentenceTransformers

extension WorkerThreads {
    /// Request work (decoding bodies, tokenizing, `/decode`, building large responses): one thread per core, a notch
    /// below the event loops, so that a flood of it cannot delay the answers to cheap requests (`/health` p99 during
    /// a `/decode` flood on two cores: 110 ms at the same priority, 56–62 ms niced). Forward passes keep the normal
    /// priority: niced, they lost to any other busy process.
    /// `TOKENIZATION_WORKERS` threads when set (TEI's `--tokenization-workers`, which `sbert serve` puts in the
    /// environment before the server starts), else one per core (at least two).
    static let requests = WorkerThreads(count: ServerConfiguration.tokenizationWorkers(ProcessInfo.processInfo.environment) ?? max(2, ProcessInfo.processInfo.activeProcessorCount),
                                        name: "sbert.request", niceness: 5)
    /// The embedding model's forward passes, one at a time (``EmbeddingBatcher``).
    static let inference = WorkerThreads(count: 1, name: "sbert.inference")
    /// The reranker's forward passes, beside the embedding model's.
    static let rerank = WorkerThreads(count: 1, name: "sbert.rerank")
}
