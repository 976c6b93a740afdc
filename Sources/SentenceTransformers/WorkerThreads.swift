import Dispatch
import Foundation
import Synchronization

/// Threads of the library's own for CPU-heavy work called from async code: the async `encode`, `predict`, `rank` and
/// loads run their batches here, and the server its request decoding and forward passes.
///
/// Neither Swift's cooperative pool nor a `DispatchQueue` will do: on Linux both run on libdispatch's worker threads,
/// about one per core, so a few requests decoding 100,000 ids held every thread for seconds and `/health` waited
/// behind them (12.7 s median on two cores); an encode awaited on the pool holds one of its few threads for the whole
/// encode. Work here competes for the CPU through the kernel's scheduler instead, which gives the cooperative pool's
/// short tasks their turn within milliseconds.
public final class WorkerThreads: Sendable {
    private struct Queue {
        var jobs: [@Sendable () -> Void] = []
        var next = 0
    }

    private let queue = Mutex(Queue())
    /// Counts the jobs not yet taken: a thread sleeps on it until there is one.
    private let waiting = DispatchSemaphore(value: 0)
    /// The number of threads.
    public let count: Int

    /// `count` threads named `name-0`, `name-1`, …; jobs start in submission order. The threads live as long as the
    /// process: make a pool once (a `static let`, as ``compute`` and the server's pools are), not per call.
    /// `niceness` (Linux): how far below the event loops the threads are scheduled when the CPU is contended.
    public init(count: Int, name: String, niceness: Int32 = 0) {
        self.count = max(count, 1)
        for index in 0..<self.count {
            let thread = Thread { [self] in work(niceness: niceness) }
            thread.name = "\(name)-\(index)"
            // The size of a main thread's stack: model code was written and tested on one.
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    /// Runs `work` on one of the threads and returns its result to the caller's task, which holds no thread while it
    /// waits. When the task is cancelled, the work sees ``isCancelled`` turn true (the library's loops stop between
    /// batches and throw `CancellationError`); the call returns only once the work has stopped.
    /// - Throws: `CancellationError` when the task was cancelled before the work started; what `work` throws.
    public func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try Task.checkCancellation()
        let flag = CancellationFlag()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                submit { continuation.resume(with: Result { try Self.$cancellation.withValue(flag) { try work() } }) }
            }
        } onCancel: {
            flag.cancel()
        }
    }

    /// Queues `job` without waiting for it.
    public func submit(_ job: @escaping @Sendable () -> Void) {
        queue.withLock { $0.jobs.append(job) }
        waiting.signal()
    }

    /// Whether the task that handed the calling code to ``run(_:)`` has been cancelled (false outside `run`).
    public static var isCancelled: Bool { cancellation?.isCancelled ?? false }

    /// Throws `CancellationError` when ``isCancelled``: the check between two batches of a long computation.
    public static func checkCancellation() throws {
        if isCancelled { throw CancellationError() }
    }

    @TaskLocal private static var cancellation: CancellationFlag?

    private final class CancellationFlag: Sendable {
        private let value = Atomic<Bool>(false)
        var isCancelled: Bool { value.load(ordering: .relaxed) }
        func cancel() { value.store(true, ordering: .relaxed) }
    }

    private func work(niceness: Int32) {
        #if os(Linux)
        // Linux keeps a nice value per thread: see `requests`.
        if niceness != 0 { _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, niceness) }
        #endif
        while true {
            waiting.wait()
            let job = queue.withLock { queue in
                let job = queue.jobs[queue.next]
                queue.next += 1
                // Compact once the taken prefix is most of the array, so that taking a job stays O(1) amortized.
                if queue.next > 64, queue.next * 2 > queue.jobs.count {
                    queue.jobs.removeFirst(queue.next)
                    queue.next = 0
                }
                return job
            }
            job()
        }
    }
}

extension WorkerThreads {
    /// The threads the async API computes on: one per active core (at least two), so that as many async calls run at
    /// once as the machine has cores (each one's kernels take the idle cores; see ``Parallel``).
    public static let compute = WorkerThreads(count: max(2, ProcessInfo.processInfo.activeProcessorCount), name: "sbert.compute")
}

/// Async code can run on these threads too (`Task(executorPreference:)`): how a synchronous call waits for async work
/// without needing a thread of the cooperative pool, which may be the very thread it blocks.
extension WorkerThreads: TaskExecutor {
    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        submit { job.runSynchronously(on: executor) }
    }
}

extension WorkerThreads {
    /// The thread that runs the async work synchronous callers wait for (``HubClient``'s synchronous download).
    static let blockingBridge = WorkerThreads(count: 1, name: "sbert.bridge")

    /// Runs the async `work` to its end from synchronous code, on ``blockingBridge``: the calling thread waits, and no
    /// thread of the cooperative pool is needed (a synchronous call made on one would otherwise deadlock a busy pool).
    static func wait<T: Sendable>(for work: @escaping @Sendable () async throws -> T) throws -> T {
        let outcome = Mutex<Result<T, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task(executorPreference: blockingBridge) {
            do {
                let value = try await work()
                outcome.withLock { $0 = .success(value) }
            } catch {
                outcome.withLock { $0 = .failure(error) }
            }
            done.signal()
        }
        done.wait()
        return try outcome.withLock { $0 ?? .failure(CancellationError()) }.get()
    }
}
