import Foundation

/// Threads of the server's own for CPU-heavy request work: JSON decoding of bodies, tokenization, `/decode`, large
/// responses, forward passes.
///
/// Neither Swift's cooperative pool nor a `DispatchQueue` will do: on Linux both run on libdispatch's worker threads,
/// about one per core, so a few requests decoding 100,000 ids held every thread for seconds and `/health` waited
/// behind them (12.7 s median on two cores). Work here competes for the CPU through the kernel's scheduler instead,
/// which gives the cooperative pool's short tasks (`/health`, the routes' bookkeeping) their turn within milliseconds.
final class WorkerThreads: @unchecked Sendable {
    // @unchecked: `jobs` is only touched with `condition` locked.
    private let condition = NSCondition()
    private var jobs: [@Sendable () -> Void] = []
    private var next = 0
    /// The number of threads.
    let count: Int

    /// `count` threads named `name-0`, `name-1`, …; jobs start in submission order. The threads live as long as the
    /// process (the server's pools are static).
    /// `niceness` (Linux): how far below the event loops the threads are scheduled when the CPU is contended.
    init(count: Int, name: String, niceness: Int32 = 0) {
        self.count = max(count, 1)
        for index in 0..<self.count {
            let thread = Thread { [self] in work(niceness: niceness) }
            thread.name = "\(name)-\(index)"
            // The size of a main thread's stack: model code was written and tested on one.
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    /// Runs `work` on one of the threads and returns its result to the caller's task.
    func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            submit { continuation.resume(with: Result { try work() }) }
        }
    }

    /// Queues `job` without waiting for it.
    func submit(_ job: @escaping @Sendable () -> Void) {
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    private func work(niceness: Int32) {
        #if os(Linux)
        // Linux keeps a nice value per thread: see `requests`.
        if niceness != 0 { _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, niceness) }
        #endif
        while true {
            condition.lock()
            while next == jobs.count { condition.wait() }
            let job = jobs[next]
            next += 1
            // Compact once the taken prefix is most of the array, so that taking a job stays O(1) amortized.
            if next > 64, next * 2 > jobs.count {
                jobs.removeFirst(next)
                next = 0
            }
            condition.unlock()
            job()
        }
    }
}

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
