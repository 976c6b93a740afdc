import ArgumentParser
import Foundation
import Hummingbird
import Logging
import SentenceTransformers
import STCLI
import STServer

/// `sbert serve` (the `sbert-serve` executable): the embedding server (text-embeddings-inference and OpenAI
/// compatible), started with TEI 1.9's launcher flags and environment variables (`text-embeddings-router --help`).
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sbert serve",
        abstract: "Serve a model over HTTP: TEI routes (/embed, /rerank, /predict, POST /, …), OpenAI /v1/embeddings, a playground at /.",
        discussion: "TEI's launcher flags, each also read from TEI's environment variable (MODEL_ID, MAX_BATCH_TOKENS, API_KEY, …; a flag wins over its variable). TEI flags this server cannot honour (--dtype float16, --dense-path, --uds-path, --otlp-endpoint, --prometheus-port, …) are refused at start. Stops on SIGTERM: requests in flight get --shutdown-timeout seconds."
    )

    // TEI's launcher flags.
    @Option(name: [.customLong("model-id"), .customLong("model"), .short],
            help: "A model directory, or a Hugging Face model id (MODEL_ID; default \(ModelLocator.defaultModel)).")
    var modelID: String?
    @Option(help: "The revision (branch, tag or commit) of a model id (REVISION; default main).")
    var revision: String?
    @Option(help: "The name of the model in OpenAI responses and /info (SERVED_MODEL_NAME; default the model id).")
    var servedModelName: String?
    @Option(help: "TEI's --dtype (DTYPE): float32 only; float16 is refused (see --compute).")
    var dtype: String?
    @Option(help: "The model's pooling, checked (POOLING: cls, mean, splade, last-token); replacing it is refused.")
    var pooling: String?
    @Option(help: "Threads that decode and tokenize requests (TOKENIZATION_WORKERS; default one per core).")
    var tokenizationWorkers: Int?
    @Option(help: "Requests in flight before 429 (MAX_CONCURRENT_REQUESTS; default 512).")
    var maxConcurrentRequests: Int?
    @Option(help: "Tokens per forward pass (MAX_BATCH_TOKENS; default 16384).")
    var maxBatchTokens: Int?
    @Option(help: "Requests per forward pass (MAX_BATCH_REQUESTS).")
    var maxBatchRequests: Int?
    @Option(help: "Inputs per request (MAX_CLIENT_BATCH_SIZE; default 32).")
    var maxClientBatchSize: Int?
    @Option(name: .customLong("auto-truncate"),
            help: "Truncate inputs longer than the model's maximum instead of refusing them with 413: true (TEI 1.9's default; a bare --auto-truncate too) or false (AUTO_TRUNCATE).")
    var autoTruncate: Bool?
    @Flag(name: .customLong("no-auto-truncate"), help: "--auto-truncate false.")
    var noAutoTruncate = false
    @Option(help: "The prompt name used when a request names none (DEFAULT_PROMPT_NAME).")
    var defaultPromptName: String?
    @Option(help: "The prompt text used when a request names none (DEFAULT_PROMPT); not with --default-prompt-name.")
    var defaultPrompt: String?
    @Option(help: "Your Hugging Face token, for downloading a gated or private model (HF_TOKEN).")
    var hfToken: String?
    @Option(help: "--hf-token, TEI's deprecated name (HF_API_TOKEN).")
    var hfApiToken: String?
    @Option(name: [.customLong("hostname"), .customLong("host")], help: "Address to listen on (HOSTNAME; default 0.0.0.0).")
    var hostname: String?
    @Option(name: [.customLong("port"), .short], help: "Port (PORT; default 3000).")
    var port: Int?
    @Option(help: "The Hugging Face hub cache to find and download models in (HUGGINGFACE_HUB_CACHE).")
    var huggingfaceHubCache: String?
    @Option(help: "Largest body in bytes (PAYLOAD_LIMIT; default 2000000).")
    var payloadLimit: Int?
    @Option(help: "Require Authorization: Bearer KEY (API_KEY).")
    var apiKey: String?
    @Flag(help: "Log lines as JSON objects (JSON_OUTPUT).")
    var jsonOutput = false
    @Flag(help: "Leave trace spans out of the logs (DISABLE_SPANS): this server's logs have none.")
    var disableSpans = false
    @Option(help: "Allowed CORS origins, comma-separated, or * (CORS_ALLOW_ORIGIN).")
    var corsAllowOrigin: String?
    // TEI's flags for what this server does not have: refused when given (flag or variable).
    @Option(help: .hidden) var densePath: String?
    @Option(help: .hidden) var deviceID: Int?
    @Option(help: .hidden) var udsPath: String?
    @Option(help: .hidden) var otlpEndpoint: String?
    @Option(help: .hidden) var otlpServiceName: String?
    @Option(help: .hidden) var prometheusPort: Int?

    // Ours.
    @Option(help: "The arithmetic of the transformer projections: fp32 (exact) or int8 (quantized: faster where the CPU has int8 instructions, slightly less exact).")
    var compute: ComputePrecision = .float32
    @Option(help: "A cross-encoder with one label for /rerank (and /predict when no --classifier is given).")
    var reranker: String?
    @Option(help: "A sequence-classification cross-encoder (any number of labels) for /predict; POST / then classifies, as on a TEI classifier server.")
    var classifier: String?
    @Option(help: "Seconds a client has to send a request head, from its first byte; then 408 and close (HEADER_READ_TIMEOUT, default 10).")
    var headerReadTimeout: Double?
    @Option(help: "Seconds a client has to send a request body, from the end of its head; then close (BODY_READ_TIMEOUT, default 30).")
    var bodyReadTimeout: Double?
    @Option(help: "Seconds an idle keep-alive connection is kept open (IDLE_TIMEOUT, default 60).")
    var idleTimeout: Double?
    @Option(help: "Seconds requests in flight get after SIGTERM/SIGINT before their connections are cut and the server exits (SHUTDOWN_TIMEOUT, default 10).")
    var shutdownTimeout: Double?

    /// TEI's launcher settings this server has no counterpart for, by flag and variable, with why.
    static let unsupported: [(flag: String, variable: String, why: String)] = [
        ("--dense-path", "DENSE_PATH", "Dense modules are loaded as modules.json lists them; pick another Dense module by editing modules.json"),
        ("--uds-path", "UDS_PATH", "this server has no separate backend process to reach over a Unix socket"),
        ("--otlp-endpoint", "OTLP_ENDPOINT", "OpenTelemetry export is not implemented; /metrics serves Prometheus text"),
        ("--otlp-service-name", "OTLP_SERVICE_NAME", "OpenTelemetry export is not implemented"),
        ("--prometheus-port", "PROMETHEUS_PORT", "metrics are served at /metrics on --port, not on a port of their own"),
    ]

    /// TEI's `--auto-truncate` is a flag that also takes a value (`--auto-truncate false`): a bare one becomes
    /// `--auto-truncate true` before parsing.
    static func normalized(_ arguments: [String]) -> [String] {
        var result: [String] = []
        for (index, argument) in arguments.enumerated() {
            result.append(argument)
            if argument == "--auto-truncate" {
                let next = index + 1 < arguments.count ? arguments[index + 1] : nil
                if next.flatMap(ServerConfiguration.bool) == nil { result.append("true") }
            }
        }
        return result
    }

    func validate() throws {
        for (name, value) in [("--port", port), ("--max-batch-tokens", maxBatchTokens), ("--max-batch-requests", maxBatchRequests),
                              ("--max-concurrent-requests", maxConcurrentRequests), ("--max-client-batch-size", maxClientBatchSize),
                              ("--payload-limit", payloadLimit), ("--tokenization-workers", tokenizationWorkers)] {
            if let value, value <= 0 { throw ValidationError("\(name) must be positive") }
        }
        if let port, !ServerConfiguration.ports.contains(port) { throw ValidationError("--port \(port) is not a TCP port (1…65535)") }
        for (name, value) in [("--header-read-timeout", headerReadTimeout), ("--body-read-timeout", bodyReadTimeout),
                              ("--idle-timeout", idleTimeout), ("--shutdown-timeout", shutdownTimeout)] {
            if let value, !(value.isFinite && value > 0) { throw ValidationError("\(name) must be a positive number of seconds") }
        }
        if autoTruncate != nil, noAutoTruncate { throw ValidationError("--auto-truncate and --no-auto-truncate cannot be used together") }
        if hfToken != nil, hfApiToken != nil { throw ValidationError("--hf-token and --hf-api-token cannot be used together") }
        let environment = ProcessInfo.processInfo.environment
        let given: [String: Bool] = ["--dense-path": densePath != nil, "--uds-path": udsPath != nil, "--otlp-endpoint": otlpEndpoint != nil,
                                     "--otlp-service-name": otlpServiceName != nil, "--prometheus-port": prometheusPort != nil]
        for setting in Self.unsupported where given[setting.flag] == true || environment[setting.variable] != nil {
            throw ValidationError("\(setting.flag) (\(setting.variable)) is not supported: \(setting.why)")
        }
        let device = deviceID ?? environment["DEVICE_ID"].map { Int($0) ?? -1 }
        if let device, device != 0 { throw ValidationError("--device-id \(device) (DEVICE_ID): this server runs on the CPU; there is no CUDA device to pick") }
        let type = dtype ?? environment["DTYPE"]
        if let type, type != "float32" {
            throw ValidationError("--dtype \(type) (DTYPE): the weights are computed in float32 here (float16 is not supported); --compute int8 quantizes the projections")
        }
    }

    func run() async throws {
        var environment = ProcessInfo.processInfo.environment
        var configuration: ServerConfiguration
        do {
            configuration = try ServerConfiguration(environment: environment)
        } catch let error as ServerConfiguration.InvalidSetting {
            throw CLIError(error.description)
        }
        if jsonOutput || environment["JSON_OUTPUT"].flatMap(ServerConfiguration.bool) == true {
            LoggingSystem.bootstrap { JSONLogHandler(label: $0) }
        }
        if let tokenizationWorkers { setenv("TOKENIZATION_WORKERS", String(tokenizationWorkers), 1) }
        if let cache = huggingfaceHubCache ?? environment["HUGGINGFACE_HUB_CACHE"] { environment["HF_HUB_CACHE"] = cache }
        environment["HF_TOKEN"] = hfToken ?? hfApiToken ?? environment["HF_TOKEN"] ?? environment["HF_API_TOKEN"]
        configuration.host = hostname ?? configuration.host
        configuration.port = port ?? configuration.port
        configuration.maxBatchTokens = maxBatchTokens ?? configuration.maxBatchTokens
        configuration.maxBatchRequests = maxBatchRequests ?? configuration.maxBatchRequests
        configuration.maxConcurrentRequests = maxConcurrentRequests ?? configuration.maxConcurrentRequests
        configuration.maxClientBatchSize = maxClientBatchSize ?? configuration.maxClientBatchSize
        configuration.autoTruncate = noAutoTruncate ? false : autoTruncate ?? configuration.autoTruncate
        configuration.payloadLimit = payloadLimit ?? configuration.payloadLimit
        configuration.apiKey = apiKey ?? configuration.apiKey
        // A flag replaces what the environment set, and the other of the pair with it.
        if let defaultPromptName { configuration.defaultPromptName = defaultPromptName; if defaultPrompt == nil { configuration.defaultPrompt = nil } }
        if let defaultPrompt { configuration.defaultPrompt = defaultPrompt; if defaultPromptName == nil { configuration.defaultPromptName = nil } }
        configuration.pooling = pooling ?? configuration.pooling
        configuration.servedModelName = servedModelName ?? configuration.servedModelName
        configuration.corsAllowOrigin = corsAllowOrigin.map { $0.split(separator: ",").map(String.init) } ?? configuration.corsAllowOrigin
        configuration.headerReadTimeout = headerReadTimeout.map { .seconds($0) } ?? configuration.headerReadTimeout
        configuration.bodyReadTimeout = bodyReadTimeout.map { .seconds($0) } ?? configuration.bodyReadTimeout
        configuration.idleTimeout = idleTimeout.map { .seconds($0) } ?? configuration.idleTimeout
        configuration.shutdownTimeout = shutdownTimeout.map { .seconds($0) } ?? configuration.shutdownTimeout
        let model = modelID ?? environment["MODEL_ID"].flatMap { $0.isEmpty ? nil : $0 } ?? ModelLocator.defaultModel
        configuration.modelID = model
        configuration.modelDtype = compute == .int8 ? "int8" : "float32"
        do {
            try configuration.validate()
        } catch let error as ServerConfiguration.InvalidSetting {
            throw CLIError(error.description)
        }
        let directory = try ModelOptions.directory(of: model, revision: revision ?? environment["REVISION"] ?? "main", environment: environment)
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
        } catch let error as ServerConfiguration.InvalidSetting {
            throw CLIError(error.description)
        }
    }

    private func serve(kind: ModelKind, directory: URL, configuration: ServerConfiguration, reranker crossEncoder: CrossEncoder?,
                       classifier sequenceClassifier: CrossEncoder?) async throws {
        switch kind {
        case .sparseEncoder:
            let model = try SparseEncoder(directory: directory, compute: compute)
            try configuration.check(for: model)
            try await buildApplication(configuration: configuration, sparseModel: model, reranker: crossEncoder, classifier: sequenceClassifier)
                .runService(shutdownTimeout: configuration.shutdownTimeout)
        case .multiVectorEncoder:
            throw CLIError("\(directory.path) is a multi-vector (ColBERT) model: TEI's routes serve dense and sparse models; use `sbert encode` or the library")
        case .sentenceTransformer:
            let model = try SentenceTransformer(directory: directory, compute: compute)
            try configuration.check(for: model)
            try await buildApplication(configuration: configuration, model: model, reranker: crossEncoder, classifier: sequenceClassifier)
                .runService(shutdownTimeout: configuration.shutdownTimeout)
        }
    }
}
