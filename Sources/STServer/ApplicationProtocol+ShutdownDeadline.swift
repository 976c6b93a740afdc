import Hummingbird
import ServiceLifecycle

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
    public func runService(shutdownTimeout: Duration) async throws {
        var configuration = ServiceGroupConfiguration(services: [self], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        configuration.maximumGracefulShutdownDuration = shutdownTimeout
        try await ServiceGroup(configuration: configuration).run()
    }
}
