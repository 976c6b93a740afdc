import Foundation
import Hummingbird
import NIOCore
import ServiceLifecycle

/// The server could not listen on its address (taken, or not allowed); `description` says why.
public struct ListenError: Error, CustomStringConvertible {
    public let description: String
}

extension ApplicationProtocol {
    /// Runs the server until SIGTERM or SIGINT, then stops within `shutdownTimeout`.
    ///
    /// Graceful shutdown stops accepting connections, closes idle ones and lets the requests in flight finish. A client
    /// that never finishes sending its request would keep the process alive forever, so after `shutdownTimeout` the
    /// shutdown escalates to cancellation: Hummingbird closes every connection's input, the routes waiting for a body
    /// fail, their connections close, and `run` returns.
    ///
    /// ```swift
    /// try await buildApplication(configuration: configuration, model: model).runService(shutdownTimeout: .seconds(10))
    /// ```
    /// - Throws: ``ListenError`` naming the address when it cannot be bound; the service's other errors.
    public func runService(shutdownTimeout: Duration) async throws {
        var configuration = ServiceGroupConfiguration(services: [self], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        configuration.maximumGracefulShutdownDuration = shutdownTimeout
        do {
            try await ServiceGroup(configuration: configuration).run()
        } catch let error as IOError where error.errnoCode == EADDRINUSE || error.errnoCode == EACCES || error.errnoCode == EADDRNOTAVAIL {
            let reason = error.errnoCode == EADDRINUSE ? "the address is already in use" : error.errnoCode == EACCES ? "permission denied" : "no such local address"
            throw ListenError(description: reason)
        }
    }
}
