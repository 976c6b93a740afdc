import Foundation

/// The settings of `sbert serve`, named and defaulted as text-embeddings-inference names them (each also read from
/// TEI's environment variable: `MAX_BATCH_TOKENS`, `MAX_CONCURRENT_REQUESTS`, …).
public struct ServerConfiguration: Sendable {
    public var host = "0.0.0.0"
    public var port = 3000
    /// Tokens in one forward pass, summed over the requests coalesced into it.
    public var maxBatchTokens = 16384
    /// Requests in one forward pass (nil: only the token budget limits it).
    public var maxBatchRequests: Int?
    /// Requests admitted at once; beyond, a request gets 429 at once.
    public var maxConcurrentRequests = 512
    /// Inputs in one request.
    public var maxClientBatchSize = 32
    /// Truncate inputs longer than the model's maximum instead of refusing them.
    public var autoTruncate = false
    /// Largest request body, in bytes.
    public var payloadLimit = 2_000_000
    /// When set, requests need `Authorization: Bearer KEY`.
    public var apiKey: String?
    public var defaultPromptName: String?
    /// Origins allowed by CORS (`*` for any); nil: no CORS headers.
    public var corsAllowOrigin: [String]?
    /// The model's name in `/info` and OpenAI responses.
    public var modelID = "sentence-transformers/all-MiniLM-L6-v2"
    /// The arithmetic the model runs in, as `/info` reports it (`model_dtype`: "float32" or "int8").
    public var modelDtype: String = "float32"
    /// Time a client has to send a request's head, from its first byte; then 408 and the connection is closed. Counted
    /// in total, not between bytes, so a client sending one byte a second is cut too.
    public var headerReadTimeout: Duration = .seconds(10)
    /// Time a client has to send a request's body, from the end of its head; then the connection is closed.
    public var bodyReadTimeout: Duration = .seconds(30)
    /// Time a connection may wait for its next request (keep-alive) before it is closed.
    public var idleTimeout: Duration = .seconds(60)
    /// After SIGTERM or SIGINT: time the requests in flight get to finish; then their connections are cut and the
    /// process exits.
    public var shutdownTimeout: Duration = .seconds(10)

    public init() {}

    /// The TCP ports a server can listen on.
    public static let ports = 1...65_535

    /// A setting that cannot be used: the variable or option and what is wrong with it.
    public struct InvalidSetting: Error, CustomStringConvertible {
        public let description: String
    }

    /// Defaults overridden by TEI's environment variables.
    /// - Throws: ``InvalidSetting`` for a numeric variable that is not a positive integer, a timeout that is not a
    ///   positive number of seconds, or a `PORT` outside 1…65535 (TEI refuses to start on such values too).
    public init(environment: [String: String]) throws {
        self.init()
        func int(_ key: String) throws -> Int? {
            guard let text = environment[key] else { return nil }
            guard let value = Int(text.trimmingCharacters(in: .whitespaces)), value > 0 else {
                throw InvalidSetting(description: "\(key)=\(text) is not a positive integer")
            }
            return value
        }
        // Timeouts in seconds, fractions allowed.
        func seconds(_ key: String) throws -> Duration? {
            guard let text = environment[key] else { return nil }
            guard let value = Double(text.trimmingCharacters(in: .whitespaces)), value.isFinite, value > 0 else {
                throw InvalidSetting(description: "\(key)=\(text) is not a positive number of seconds")
            }
            return .seconds(value)
        }
        host = environment["HOSTNAME"] ?? host
        port = try int("PORT") ?? port
        guard Self.ports.contains(port) else { throw InvalidSetting(description: "PORT=\(port) is not a TCP port (1…65535)") }
        maxBatchTokens = try int("MAX_BATCH_TOKENS") ?? maxBatchTokens
        maxBatchRequests = try int("MAX_BATCH_REQUESTS") ?? maxBatchRequests
        maxConcurrentRequests = try int("MAX_CONCURRENT_REQUESTS") ?? maxConcurrentRequests
        maxClientBatchSize = try int("MAX_CLIENT_BATCH_SIZE") ?? maxClientBatchSize
        autoTruncate = environment["AUTO_TRUNCATE"].map { ["1", "true", "yes"].contains($0.lowercased()) } ?? autoTruncate
        payloadLimit = try int("PAYLOAD_LIMIT") ?? payloadLimit
        apiKey = environment["API_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        defaultPromptName = environment["DEFAULT_PROMPT_NAME"]
        corsAllowOrigin = environment["CORS_ALLOW_ORIGIN"].map { $0.split(separator: ",").map(String.init) }
        modelID = environment["MODEL_ID"] ?? modelID
        // Not TEI's (it has no such settings): named like its variables.
        headerReadTimeout = try seconds("HEADER_READ_TIMEOUT") ?? headerReadTimeout
        bodyReadTimeout = try seconds("BODY_READ_TIMEOUT") ?? bodyReadTimeout
        idleTimeout = try seconds("IDLE_TIMEOUT") ?? idleTimeout
        shutdownTimeout = try seconds("SHUTDOWN_TIMEOUT") ?? shutdownTimeout
    }
}
