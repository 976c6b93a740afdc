import Foundation

/// Runs long synchronous work (a whole training run, a child process) on its own thread, so that it does not hold one
/// of the few cooperative-pool threads that async tests in other suites (server health checks) need to make progress.
public func onDedicatedThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            do { continuation.resume(returning: try body()) } catch { continuation.resume(throwing: error) }
        }
        thread.stackSize = 8 << 20
        thread.start()
    }
}
