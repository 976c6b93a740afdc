import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2Posix

/// A client of Milvus's gRPC API (Milvus 2.3 and later, and milvus-lite): collections, indexes, inserts, deletes,
/// search and query.
///
/// Every call carries the configured credentials and database, has the configured deadline, and is retried with
/// exponential backoff while the server is unavailable (gRPC `UNAVAILABLE`, e.g. still starting or restarting). A
/// failure status from the server becomes ``MilvusError/server(operation:code:legacyCode:message:)`` with Milvus's
/// code and message.
///
/// ```swift
/// let client = try MilvusClient(MilvusConfiguration(host: "127.0.0.1", port: 19530))
/// defer { client.close() }
/// print(try await client.version())
/// ```
///
/// The client is `Sendable`: share one across tasks. Its connection runs until ``close()``.
public final class MilvusClient: Sendable {
    typealias Transport = HTTP2ClientTransport.Posix

    /// The configuration the client was made with.
    public let configuration: MilvusConfiguration
    let grpc: GRPCClient<Transport>
    let service: PBMilvusService.Client<Transport>
    private let connections: Task<Void, Never>

    /// Makes a client and starts connecting (lazily: the first call waits for the connection).
    /// - Throws: ``MilvusError/invalidArgument(_:)`` for a port outside 1…65535, an empty host or a non-positive
    ///   attempt count; ``MilvusError/transport(operation:status:message:)`` when the transport cannot be set up.
    public init(_ configuration: MilvusConfiguration) throws {
        guard !configuration.host.isEmpty else { throw MilvusError.invalidArgument("empty host") }
        guard (1...65535).contains(configuration.port) else { throw MilvusError.invalidArgument("port \(configuration.port) is outside 1…65535") }
        guard configuration.maxAttempts >= 1 else { throw MilvusError.invalidArgument("maxAttempts must be at least 1") }
        self.configuration = configuration
        let transport: Transport
        do {
            transport = try HTTP2ClientTransport.Posix(
                target: .dns(host: configuration.host, port: configuration.port),
                transportSecurity: configuration.useTLS ? .tls : .plaintext,
                config: .defaults { $0.backoff.initial = .milliseconds(100); $0.backoff.max = .seconds(2) }
            )
        } catch {
            throw MilvusError.transport(operation: "connect", status: "transportError", message: "\(error)")
        }
        grpc = GRPCClient(transport: transport)
        service = PBMilvusService.Client(wrapping: grpc)
        let grpc = self.grpc
        connections = Task { try? await grpc.runConnections() }
    }

    deinit {
        grpc.beginGracefulShutdown()
    }

    /// Stops accepting calls and closes the connection once the calls in flight have finished.
    public func close() {
        grpc.beginGracefulShutdown()
    }

    /// Closes the connection and waits until it is closed.
    public func shutdown() async {
        grpc.beginGracefulShutdown()
        await connections.value
    }

    /// The server's version string (e.g. `v2.3.5`).
    /// - Throws: ``MilvusError`` when the server cannot be reached or answers with a failure.
    public func version() async throws -> String {
        let response = try await call("GetVersion") { service, metadata, options in
            try await service.getVersion(PBGetVersionRequest(), metadata: metadata, options: options)
        }
        try Self.check(response.status, "GetVersion")
        return response.version
    }

    // MARK: - Calls

    /// Runs one RPC with the configured headers and deadline, retrying with backoff on `UNAVAILABLE`.
    func call<Response: Sendable>(
        _ operation: String,
        _ body: (PBMilvusService.Client<Transport>, Metadata, CallOptions) async throws -> Response
    ) async throws -> Response {
        var metadata = Metadata()
        if let authorization = configuration.authorizationHeader { metadata.addString(authorization, forKey: "authorization") }
        if let database = configuration.database { metadata.addString(database, forKey: "dbname") }
        var options = CallOptions.defaults
        options.maxResponseMessageBytes = configuration.maxResponseBytes
        // grpc-swift-nio-transport 2.x sizes the stream's message decoder, which reads the answers, from the request
        // limit (default 4 MiB): a search answer with its texts passes that easily.
        options.maxRequestMessageBytes = max(configuration.maxResponseBytes, configuration.maxInsertBytes)
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: configuration.timeout)
        var backoff = configuration.initialBackoff
        var attempt = 1
        while true {
            options.timeout = max(deadline - clock.now, .milliseconds(1))
            do {
                return try await body(service, metadata, options)
            } catch let error as RPCError {
                let retriable = error.code == .unavailable && attempt < configuration.maxAttempts
                if retriable, clock.now.advanced(by: backoff) < deadline {
                    try? await Task.sleep(for: backoff)
                    backoff = min(backoff * 2, configuration.maximumBackoff)
                    attempt += 1
                    continue
                }
                throw MilvusError.transport(operation: operation, status: "\(error.code)", message: error.message)
            }
        }
    }

    /// Turns a failure status into ``MilvusError/server(operation:code:legacyCode:message:)``.
    static func check(_ status: PBStatus, _ operation: String) throws {
        guard status.code != 0 || status.errorCode != 0 else { return }
        let message = status.reason.isEmpty ? status.detail : status.reason
        throw MilvusError.server(operation: operation, code: Int(status.code), legacyCode: Int(status.errorCode), message: message)
    }
}
