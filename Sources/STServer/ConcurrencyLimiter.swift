import Synchronization

/// Admission control: at most `limit` requests in flight; the next one is refused at once (429), never queued.
final class ConcurrencyLimiter: Sendable {
    private let limit: Int
    private let inFlight = Mutex(0)

    init(limit: Int) { self.limit = limit }

    /// Takes a slot, or returns false when all are taken.
    func acquire() -> Bool {
        inFlight.withLock { count in
            guard count < limit else { return false }
            count += 1
            return true
        }
    }

    func release() { inFlight.withLock { $0 -= 1 } }

    var current: Int { inFlight.withLock { $0 } }
}
