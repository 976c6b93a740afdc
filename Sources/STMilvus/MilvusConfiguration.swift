import Foundation

/// How a ``MilvusClient`` reaches its server: address, credentials, TLS, deadlines and retries.
///
/// ```swift
/// var configuration = MilvusConfiguration(host: "127.0.0.1", port: 19530)
/// configuration.credentials = .token("root:Milvus")
/// configuration.timeout = .seconds(30)
/// let client = try MilvusClient(configuration)
/// ```
public struct MilvusConfiguration: Sendable, Equatable {
    /// Credentials sent with every call (Milvus's `authorization` header).
    public enum Credentials: Sendable, Equatable {
        /// An API key or `user:password` token, sent as Milvus expects (base64 in the `authorization` header).
        case token(String)
        /// A user name and password (the same header, from `user:password`).
        case user(String, password: String)
    }

    /// The server's host name or IP address.
    public var host: String
    /// The server's gRPC port (Milvus's default is 19530).
    public var port: Int
    /// The database to use (`dbname` header); `nil` for the server's default database.
    public var database: String?
    /// Credentials, or `nil` when the server runs without authentication.
    public var credentials: Credentials?
    /// Whether to connect with TLS (the system's trust roots verify the server); plaintext otherwise.
    public var useTLS: Bool
    /// The deadline of each call, every retry included.
    public var timeout: Duration
    /// Attempts per call when the server is unavailable (gRPC `UNAVAILABLE`): 1 means no retry.
    public var maxAttempts: Int
    /// The first wait between attempts; each next wait doubles, up to ``maximumBackoff``.
    public var initialBackoff: Duration
    /// The longest wait between attempts.
    public var maximumBackoff: Duration
    /// The largest message the client accepts from the server, in bytes (query and search answers).
    public var maxResponseBytes: Int
    /// The largest insert or upsert message sent at once, in bytes: larger batches are split into several calls
    /// (Milvus refuses messages over its `proxy.grpc.serverMaxRecvSize`, 64 MiB by default in 2.3).
    public var maxInsertBytes: Int

    /// A configuration with defaults: no credentials, plaintext, 60 s per call, 5 attempts from 100 ms backoff.
    /// - Parameters:
    ///   - host: The server's host name or address.
    ///   - port: The server's gRPC port.
    public init(host: String = "127.0.0.1", port: Int = 19530) {
        self.host = host
        self.port = port
        database = nil
        credentials = nil
        useTLS = false
        timeout = .seconds(60)
        maxAttempts = 5
        initialBackoff = .milliseconds(100)
        maximumBackoff = .seconds(5)
        maxResponseBytes = 256 << 20
        maxInsertBytes = 16 << 20
    }

    /// The `authorization` header's value for ``credentials`` (as pymilvus sends it), or `nil`.
    var authorizationHeader: String? {
        switch credentials {
        case nil: return nil
        case let .token(token): return Data(token.utf8).base64EncodedString()
        case let .user(user, password): return Data("\(user):\(password)".utf8).base64EncodedString()
        }
    }
}
