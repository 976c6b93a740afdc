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

    /// One helper's mailbox: the caller bumps `assigned` to hand it the current job. Helpers are woken one by one, so a
    /// job of two chunks never waits for a third helper (on an oversubscribed machine, a helper not given a core
    /// would hold every job up until the scheduler ran it).
    private final class Slot: Sendable {
        let assigned = Atomic<UInt64>(0)
    }

    /// The helpers' mailboxes, helper `i` running chunk `i + 1`; appended to only by the caller holding `busy`.
    private nonisolated(unsafe) var slots: [Slot] = []
    var helperCount: Int { slots.count }
    private let busy = Atomic<Bool>(false)
    private let pending = Atomic<Int>(0)
    /// The current job; written before a helper's slot is bumped, read by that helper after it sees the bump.
    private nonisolated(unsafe) var job: ((Int) -> Void)?
    private var mutex = pthread_mutex_t()
    private var condition = pthread_cond_t()
    /// How long an idle helper spins before it sleeps, in nanoseconds.
    private static let spinNanoseconds: UInt64 = 200_000

    init(helpers: Int) {
        pthread_mutex_init(&mutex, nil)
        pthread_cond_init(&condition, nil)
        grow(to: helpers)
    }

    /// Starts helpers until there are `helpers` (at most 1,023); call only while holding `busy` (or from `init`).
    private func grow(to helpers: Int) {
        while slots.count < min(helpers, 1023) {
            let slot = Slot()
            // The pool lives as long as the process (`shared`), so the helpers never outlive it.
            let context = Unmanaged.passRetained(HelperContext(pool: self, slot: slot, chunk: slots.count + 1)).toOpaque()
            let created = st_thread_spawn_detached({ argument in
                guard let argument else { return nil }
                let context = Unmanaged<HelperContext>.fromOpaque(argument).takeRetainedValue()
                context.pool.helperLoop(slot: context.slot, chunk: context.chunk)
                return nil
            }, context, 0)
            guard created == 0 else {
                // No thread, no helper: the jobs split among the helpers there are (the caller runs the rest).
                Unmanaged<HelperContext>.fromOpaque(context).release()
                return
            }
            slots.append(slot)
        }
    }

    /// Runs `body(0..<chunks)` with chunk 0 on the calling thread; returns false (having run nothing) when the pool is
    /// already running a job.
    func run(chunks: Int, _ body: @escaping (Int) -> Void) -> Bool {
        guard chunks > 1, busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            return false
        }
        if slots.count < chunks - 1 { grow(to: chunks - 1) }
        guard slots.count >= chunks - 1 else {
            busy.store(false, ordering: .releasing)
            return false
        }
        job = body
        pending.store(chunks - 1, ordering: .relaxed)
        for slot in slots.prefix(chunks - 1) { slot.assigned.add(1, ordering: .releasing) }
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
        let slot: Slot
        let chunk: Int
        init(pool: WorkerPool, slot: Slot, chunk: Int) {
            self.pool = pool
            self.slot = slot
            self.chunk = chunk
        }
    }

    private func helperLoop(slot: Slot, chunk: Int) {
        var seen: UInt64 = 0
        while true {
            var spins = 0
            var spinStart: UInt64 = 0
            while slot.assigned.load(ordering: .acquiring) == seen {
                spins += 1
                if spins & 255 == 0 {
                    let now = Self.nanoseconds()
                    if spinStart == 0 {
                        spinStart = now
                    } else if now - spinStart > Self.spinNanoseconds {
                        pthread_mutex_lock(&mutex)
                        while slot.assigned.load(ordering: .acquiring) == seen { pthread_cond_wait(&condition, &mutex) }
                        pthread_mutex_unlock(&mutex)
                        break
                    }
                }
                st_cpu_relax()
            }
            seen = slot.assigned.load(ordering: .acquiring)
            // Assigned, so the caller waits for this helper before it touches `job` again.
            job?(chunk)
            pending.subtract(1, ordering: .releasing)
        }
    }

    private static func nanoseconds() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}
