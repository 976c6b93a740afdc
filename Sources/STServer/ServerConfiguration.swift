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
    /// Truncate inputs longer than the model's maximum instead of refusing them (TEI 1.9's default: on).
    public var autoTruncate = true
    /// Largest request body, in bytes.
    public var payloadLimit = 2_000_000
    /// When set, requests need `Authorization: Bearer KEY`.
    public var apiKey: String?
    /// The prompt used when a request names none: a name from the model's prompts (or Router routes)…
    public var defaultPromptName: String?
    /// …or a prompt text itself (TEI's `--default-prompt`); at most one of the two is set.
    public var defaultPrompt: String?
    /// The pooling TEI's `--pooling` asks for (`cls`, `mean`, `splade`, `last-token`): the model's own must be it.
    public var pooling: String?
    /// Origins allowed by CORS (`*` for any); nil: no CORS headers.
    public var corsAllowOrigin: [String]?
    /// The model id or path the server loaded (`/info`'s `model_id`).
    public var modelID = "sentence-transformers/all-MiniLM-L6-v2"
    /// The model's name in OpenAI responses and `/info`'s `served_model_name` (TEI: `--served-model-name`, else
    /// the model id).
    public var servedModelName: String?
    /// The name clients see: ``servedModelName``, else ``modelID``.
    public var servedName: String { servedModelName ?? modelID }
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
        _ = try int("TOKENIZATION_WORKERS")   // read by the request threads themselves; refused here when not positive
        if let text = environment["AUTO_TRUNCATE"] {
            guard let value = Self.bool(text) else { throw InvalidSetting(description: "AUTO_TRUNCATE=\(text) is not true or false") }
            autoTruncate = value
        }
        payloadLimit = try int("PAYLOAD_LIMIT") ?? payloadLimit
        apiKey = environment["API_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        defaultPromptName = environment["DEFAULT_PROMPT_NAME"]
        defaultPrompt = environment["DEFAULT_PROMPT"]
        pooling = environment["POOLING"]
        servedModelName = environment["SERVED_MODEL_NAME"].flatMap { $0.isEmpty ? nil : $0 }
        corsAllowOrigin = environment["CORS_ALLOW_ORIGIN"].map { $0.split(separator: ",").map(String.init) }
        modelID = environment["MODEL_ID"] ?? modelID
        // Not TEI's (it has no such settings): named like its variables.
        headerReadTimeout = try seconds("HEADER_READ_TIMEOUT") ?? headerReadTimeout
        bodyReadTimeout = try seconds("BODY_READ_TIMEOUT") ?? bodyReadTimeout
        idleTimeout = try seconds("IDLE_TIMEOUT") ?? idleTimeout
        shutdownTimeout = try seconds("SHUTDOWN_TIMEOUT") ?? shutdownTimeout
        try validate()
    }

    /// `TOKENIZATION_WORKERS`, the number of request threads (decoding, tokenization), when it is a positive integer.
    public static func tokenizationWorkers(_ environment: [String: String]) -> Int? {
        environment["TOKENIZATION_WORKERS"].flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }.flatMap { $0 > 0 ? $0 : nil }
    }

    /// TEI's pooling names (`--pooling`).
    public static let poolingNames = ["cls", "mean", "splade", "last-token"]

    /// Checks the settings that conflict or name nothing TEI knows.
    /// - Throws: ``InvalidSetting``.
    public func validate() throws {
        if defaultPrompt != nil, defaultPromptName != nil {
            throw InvalidSetting(description: "--default-prompt and --default-prompt-name (DEFAULT_PROMPT, DEFAULT_PROMPT_NAME) cannot be used together")
        }
        if let pooling, !Self.poolingNames.contains(pooling) {
            throw InvalidSetting(description: "pooling `\(pooling)` is not one of \(Self.poolingNames.joined(separator: ", "))")
        }
    }

    /// A boolean as clap (TEI's argument parser) reads one from the environment: true/false, also 1/0, yes/no, on/off.
    public static func bool(_ text: String) -> Bool? {
        switch text.trimmingCharacters(in: .whitespaces).lowercased() {
        case "true", "1", "yes", "on", "y": true
        case "false", "0", "no", "off", "n": false
        default: nil
        }
    }
}
