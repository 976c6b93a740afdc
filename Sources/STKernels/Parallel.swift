import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Deterministic work partitioning: `count` items split into contiguous chunks whose boundaries depend
/// only on `count`, `minimumChunk` and ``Parallel/workerCount``, so a result never depends on scheduling.
public enum Parallel {
    /// The workers a job runs on when nothing narrower is asked: `SBERT_NUM_THREADS` when set, else the machine's
    /// active processor count; ``setDefaultWorkerCount(_:)`` changes it for the process.
    public static var defaultWorkerCount: Int { processDefault.load(ordering: .relaxed) }

    private static let processDefault = Atomic<Int>(environmentWorkerCount)

    /// The upper bound on a worker count: more threads than this is a mistake, not a machine.
    public static let maximumWorkerCount = 1024

    private static var environmentWorkerCount: Int {
        if let value = getenv("SBERT_NUM_THREADS").flatMap({ Int(String(cString: $0)) }), value > 0 {
            return min(value, maximumWorkerCount)
        }
        return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }

    /// Sets the process-wide default worker count (what `SBERT_NUM_THREADS` sets at start).
    /// - Throws: ``ParallelError/invalidWorkerCount(_:)`` unless `1...maximumWorkerCount`.
    public static func setDefaultWorkerCount(_ count: Int) throws {
        try check(count)
        processDefault.store(count, ordering: .relaxed)
    }

    /// The workers of the job a thread is running for, when it asked for a number (a model's `threads`).
    @TaskLocal static var scopedWorkerCount: Int?

    /// The number of workers used by kernels outside BLAS here: the count ``withWorkerCount(_:_:)`` set around the
    /// calling code, else ``defaultWorkerCount``.
    public static var workerCount: Int { scopedWorkerCount ?? defaultWorkerCount }

    /// Runs `body` with `count` workers for every parallel kernel it calls (on this thread, or this task); `nil`
    /// keeps the current count. Results do not depend on it.
    /// - Throws: ``ParallelError/invalidWorkerCount(_:)`` unless `count` is nil or `1...maximumWorkerCount`;
    ///   whatever `body` throws.
    public static func withWorkerCount<T>(_ count: Int?, _ body: () throws -> T) throws -> T {
        guard let count else { return try body() }
        try check(count)
        return try $scopedWorkerCount.withValue(count) { try body() }
    }

    /// - Throws: ``ParallelError/invalidWorkerCount(_:)`` unless `1...maximumWorkerCount`.
    public static func check(_ count: Int) throws {
        guard (1...maximumWorkerCount).contains(count) else { throw ParallelError.invalidWorkerCount(count) }
    }

    /// Calls `body` on disjoint contiguous ranges covering `0..<count`, in parallel when worthwhile.
    public static func forEachChunk(count: Int, minimumChunk: Int, _ body: (Range<Int>) -> Void) {
        guard count > 0 else { return }
        let chunks = min(workerCount, max(1, count / max(1, minimumChunk)))
        if chunks == 1 {
            body(0..<count)
            return
        }
        let base = count / chunks
        let remainder = count % chunks
        // The pool runs the job to completion before `run` returns, so `body` never actually escapes; the chunks are
        // disjoint, so the raw buffers the body captures are never shared between workers.
        withoutActuallyEscaping(body) { body in
            nonisolated(unsafe) let body = body
            let chunk = { (index: Int) in
                let start = index * base + min(index, remainder)
                let end = start + base + (index < remainder ? 1 : 0)
                body(start..<end)
            }
            if !WorkerPool.shared.run(chunks: chunks, chunk) {
                // The pool is busy (a nested call, or another thread's job): the same chunks, one after another.
                for index in 0..<chunks { chunk(index) }
            }
        }
    }
}

/// A worker count that cannot be used.
public enum ParallelError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Not in `1...Parallel.maximumWorkerCount`.
    case invalidWorkerCount(Int)

    public var description: String {
        switch self {
        case let .invalidWorkerCount(count): return "threads must be between 1 and \(Parallel.maximumWorkerCount), got \(count)"
        }
    }
}
