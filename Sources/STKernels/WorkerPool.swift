import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CSTKernels

/// Persistent helper threads for ``Parallel/forEachChunk(count:minimumChunk:_:)``: one job at a time, chunk 0 run by the
/// caller and chunk `i` by helper `i − 1`. Helpers spin briefly after each job, then sleep, so the many short parallel
/// regions of one forward pass (dozens per layer) cost a memory write each instead of a thread wake-up (tens of
/// microseconds with Dispatch on this kind of machine).
///
/// A second caller arriving while a job runs — another request's thread, or a chunk that itself calls
/// `forEachChunk` — runs its chunks one after another on its own thread: the same chunks, so the same results.
///
/// The pool grows to the largest job it is given (``Parallel/setDefaultWorkerCount(_:)`` or a model's `threads` may
/// ask for more workers than it started with); helpers are never taken away, only left asleep.
final class WorkerPool: @unchecked Sendable {
    static let shared = WorkerPool(helpers: Parallel.defaultWorkerCount - 1)

    /// The number of helpers; changed only by the caller holding `busy`, before it publishes a job.
    private(set) var helperCount = 0
    private let busy = Atomic<Bool>(false)
    private let generation = Atomic<UInt64>(0)
    private let pending = Atomic<Int>(0)
    /// The current job; written before `generation` is published, read by helpers after they see it.
    private nonisolated(unsafe) var job: ((Int) -> Void)?
    private nonisolated(unsafe) var chunkCount = 0
    private var mutex = pthread_mutex_t()
    private var condition = pthread_cond_t()
    /// How long an idle helper spins before it sleeps, in nanoseconds.
    private static let spinNanoseconds: UInt64 = 200_000

    init(helpers: Int) {
        pthread_mutex_init(&mutex, nil)
        pthread_cond_init(&condition, nil)
        grow(to: helpers)
    }

    /// Starts helpers until there are `helpers` (at most 1,023); call only while no job is published.
    private func grow(to helpers: Int) {
        let seen = generation.load(ordering: .acquiring)
        while helperCount < min(helpers, 1023) {
            // The pool lives as long as the process (`shared`), so the helpers never outlive it.
            let context = Unmanaged.passRetained(HelperContext(pool: self, index: helperCount + 1, seen: seen)).toOpaque()
            let created = st_thread_spawn_detached({ argument in
                guard let argument else { return nil }
                let context = Unmanaged<HelperContext>.fromOpaque(argument).takeRetainedValue()
                context.pool.helperLoop(index: context.index, seen: context.seen)
                return nil
            }, context, 0)
            guard created == 0 else {
                // No thread, no helper: the jobs split among the helpers there are (the caller runs the rest).
                Unmanaged<HelperContext>.fromOpaque(context).release()
                return
            }
            helperCount += 1
        }
    }

    /// Runs `body(0..<chunks)` with chunk 0 on the calling thread; returns false (having run nothing) when the pool is
    /// already running a job.
    func run(chunks: Int, _ body: @escaping (Int) -> Void) -> Bool {
        guard chunks > 1, busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            return false
        }
        if helperCount < chunks - 1 { grow(to: chunks - 1) }
        guard helperCount >= chunks - 1 else {
            busy.store(false, ordering: .releasing)
            return false
        }
        job = body
        chunkCount = chunks
        pending.store(helperCount, ordering: .relaxed)
        generation.add(1, ordering: .releasing)
        pthread_mutex_lock(&mutex)
        pthread_cond_broadcast(&condition)
        pthread_mutex_unlock(&mutex)
        body(0)
        while pending.load(ordering: .acquiring) > 0 { st_cpu_relax() }
        job = nil
        busy.store(false, ordering: .releasing)
        return true
    }

    private final class HelperContext {
        let pool: WorkerPool
        let index: Int
        /// The generation when the helper was started: it joins the jobs published after it.
        let seen: UInt64
        init(pool: WorkerPool, index: Int, seen: UInt64) {
            self.pool = pool
            self.index = index
            self.seen = seen
        }
    }

    private func helperLoop(index: Int, seen start: UInt64) {
        var seen = start
        while true {
            var spins = 0
            var spinStart: UInt64 = 0
            while generation.load(ordering: .acquiring) == seen {
                spins += 1
                if spins & 255 == 0 {
                    let now = Self.nanoseconds()
                    if spinStart == 0 {
                        spinStart = now
                    } else if now - spinStart > Self.spinNanoseconds {
                        pthread_mutex_lock(&mutex)
                        while generation.load(ordering: .acquiring) == seen { pthread_cond_wait(&condition, &mutex) }
                        pthread_mutex_unlock(&mutex)
                        break
                    }
                }
                st_cpu_relax()
            }
            seen = generation.load(ordering: .acquiring)
            if index < chunkCount, let job { job(index) }
            pending.subtract(1, ordering: .releasing)
        }
    }

    private static func nanoseconds() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}
