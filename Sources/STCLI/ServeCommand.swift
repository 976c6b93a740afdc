import ArgumentParser
import Foundation
import Hummingbird
import Logging
import SentenceTransformers
import STServer

/// `sbert serve`: the embedding server (text-embeddings-inference and OpenAI compatible).
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve a model over HTTP: TEI routes (/embed, /rerank, /predict, POST /, …), OpenAI /v1/embeddings, a playground at /.",
        discussion: "Every option also reads TEI's environment variable (MAX_BATCH_TOKENS, API_KEY, …). Stops on SIGTERM: requests in flight get --shutdown-timeout seconds."
    )

    @OptionGroup var modelOptions: ModelOptions
    @Option(help: "A cross-encoder with one label for /rerank (and /predict when no --classifier is given).")
    var reranker: String?
    @Option(help: "A sequence-classification cross-encoder (any number of labels) for /predict; POST / then classifies, as on a TEI classifier server.")
    var classifier: String?
    @Option(help: "Address to listen on (HOSTNAME).")
    var host: String?
    @Option(help: "Port (PORT).")
    var port: Int?
    @Option(help: "Tokens per forward pass (MAX_BATCH_TOKENS).")
    var maxBatchTokens: Int?
    @Option(help: "Requests per forward pass (MAX_BATCH_REQUESTS).")
    var maxBatchRequests: Int?
    @Option(help: "Requests in flight before 429 (MAX_CONCURRENT_REQUESTS).")
    var maxConcurrentRequests: Int?
    @Option(help: "Inputs per request (MAX_CLIENT_BATCH_SIZE).")
    var maxClientBatchSize: Int?
    // Optional, so that an absent flag leaves AUTO_TRUNCATE in charge and --no-auto-truncate can overrule it.
    @Flag(inversion: .prefixedNo, help: "Truncate long inputs instead of refusing them (AUTO_TRUNCATE).")
    var autoTruncate: Bool?
    @Option(help: "Largest body in bytes (PAYLOAD_LIMIT).")
    var payloadLimit: Int?
    @Option(help: "Require Authorization: Bearer KEY (API_KEY).")
    var apiKey: String?
    @Option(help: "Prompt used when a request names none (DEFAULT_PROMPT_NAME).")
    var defaultPromptName: String?
    @Option(help: "Allowed CORS origins, comma-separated, or * (CORS_ALLOW_ORIGIN).")
    var corsAllowOrigin: String?
    @Option(help: "Seconds a client has to send a request head, from its first byte; then 408 and close (HEADER_READ_TIMEOUT, default 10).")
    var headerReadTimeout: Double?
    @Option(help: "Seconds a client has to send a request body, from the end of its head; then close (BODY_READ_TIMEOUT, default 30).")
    var bodyReadTimeout: Double?
    @Option(help: "Seconds an idle keep-alive connection is kept open (IDLE_TIMEOUT, default 60).")
    var idleTimeout: Double?
    @Option(help: "Seconds requests in flight get after SIGTERM/SIGINT before their connections are cut and the server exits (SHUTDOWN_TIMEOUT, default 10).")
    var shutdownTimeout: Double?

    func validate() throws {
        for (name, value) in [("--port", port), ("--max-batch-tokens", maxBatchTokens), ("--max-batch-requests", maxBatchRequests),
                              ("--max-concurrent-requests", maxConcurrentRequests), ("--max-client-batch-size", maxClientBatchSize),
                              ("--payload-limit", payloadLimit)] {
            if let value, value <= 0 { throw ValidationError("\(name) must be positive") }
        }
        if let port, !ServerConfiguration.ports.contains(port) { throw ValidationError("--port \(port) is not a TCP port (1…65535)") }
        for (name, value) in [("--header-read-timeout", headerReadTimeout), ("--body-read-timeout", bodyReadTimeout),
                              ("--idle-timeout", idleTimeout), ("--shutdown-timeout", shutdownTimeout)] {
            if let value, !(value.isFinite && value > 0) { throw ValidationError("\(name) must be a positive number of seconds") }
        }
    }

    func run() async throws {
        var configuration: ServerConfiguration
        do {
            configuration = try ServerConfiguration(environment: ProcessInfo.processInfo.environment)
        } catch let error as ServerConfiguration.InvalidSetting {
            throw CLIError(error.description)
        }
        configuration.host = host ?? configuration.host
        configuration.port = port ?? configuration.port
        configuration.maxBatchTokens = maxBatchTokens ?? configuration.maxBatchTokens
        configuration.maxBatchRequests = maxBatchRequests ?? configuration.maxBatchRequests
        configuration.maxConcurrentRequests = maxConcurrentRequests ?? configuration.maxConcurrentRequests
        configuration.maxClientBatchSize = maxClientBatchSize ?? configuration.maxClientBatchSize
        configuration.autoTruncate = autoTruncate ?? configuration.autoTruncate
        configuration.payloadLimit = payloadLimit ?? configuration.payloadLimit
        configuration.apiKey = apiKey ?? configuration.apiKey
        configuration.defaultPromptName = defaultPromptName ?? configuration.defaultPromptName
        configuration.corsAllowOrigin = corsAllowOrigin.map { $0.split(separator: ",").map(String.init) } ?? configuration.corsAllowOrigin
        configuration.headerReadTimeout = headerReadTimeout.map { .seconds($0) } ?? configuration.headerReadTimeout
        configuration.bodyReadTimeout = bodyReadTimeout.map { .seconds($0) } ?? configuration.bodyReadTimeout
        configuration.idleTimeout = idleTimeout.map { .seconds($0) } ?? configuration.idleTimeout
        configuration.shutdownTimeout = shutdownTimeout.map { .seconds($0) } ?? configuration.shutdownTimeout
        configuration.modelID = modelOptions.model
        configuration.modelDtype = modelOptions.precision == .int8 ? "int8" : "float32"
        let directory = try modelOptions.directory()
        let kind = try ModelKind.of(directory: directory)
        let crossEncoder = try reranker.map { try CrossEncoder($0) }
        if let crossEncoder, crossEncoder.numLabels != 1 {
            throw CLIError("--reranker needs a cross-encoder with one label; \(crossEncoder.numLabels) labels: pass it as --classifier")
        }
        let sequenceClassifier = try classifier.map { try CrossEncoder($0) }
        do {
            try await serve(kind: kind, directory: directory, configuration: configuration, reranker: crossEncoder, classifier: sequenceClassifier)
        } catch let error as ListenError {
            throw CLIError("cannot listen on \(configuration.host):\(configuration.port): \(error)")
        }
    }

    private func serve(kind: ModelKind, directory: URL, configuration: ServerConfiguration, reranker crossEncoder: CrossEncoder?,
                       classifier sequenceClassifier: CrossEncoder?) async throws {
        switch kind {
        case .sparseEncoder:
            let model = try SparseEncoder(directory: directory, precision: modelOptions.precision)
            try configuration.check(for: model)
            try await buildApplication(configuration: configuration, sparseModel: model, reranker: crossEncoder, classifier: sequenceClassifier)
                .runService(shutdownTimeout: configuration.shutdownTimeout)
        case .multiVectorEncoder:
            throw CLIError("\(directory.path) is a multi-vector (ColBERT) model: TEI's routes serve dense and sparse models; use `sbert encode` or the library")
        case .sentenceTransformer:
            let model = try SentenceTransformer(directory: directory, precision: modelOptions.precision)
            try configuration.check(for: model)
            try await buildApplication(configuration: configuration, model: model, reranker: crossEncoder, classifier: sequenceClassifier)
                .runService(shutdownTimeout: configuration.shutdownTimeout)
        }
    }
}
