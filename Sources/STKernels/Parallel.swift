import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Deterministic work partitioning: `count` items split into contiguous chunks whose boundaries depend
/// only on `count`, `minimumChunk` and ``Parallel/workerCount``, so a result never depends on scheduling.
public enum Parallel {
    /// The number of workers used by kernels outside BLAS: `SBERT_NUM_THREADS` when set, else the machine's active
    /// processor count.
    public static let workerCount: Int = {
        if let value = getenv("SBERT_NUM_THREADS").flatMap({ Int(String(cString: $0)) }), value > 0 { return value }
        return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }()

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
