import Foundation

/// How a model is found, loaded and run: one value every model kind's initializer takes (``SentenceTransformer``,
/// ``CrossEncoder``, ``SparseEncoder``, ``MultiVectorEncoder``), with the names of the Python library's arguments.
///
/// ```swift
/// var options = LoadOptions(compute: .int8, maxSeqLength: 256, threads: 4)
/// options.cacheFolder = URL(fileURLWithPath: "/srv/models")
/// let model = try await SentenceTransformer("all-MiniLM-L6-v2", options: options)
/// ```
public struct LoadOptions: Sendable, Equatable {
    /// The branch, tag or commit of a Hub model (`revision`).
    public var revision: String
    /// The encoder's weight file `model.VARIANT.safetensors` (`model_kwargs={"variant": …}`, e.g. `"fp16"`).
    public var variant: String?
    /// The arithmetic of the projections (``ComputePrecision``: `.float32`, or `.int8` quantized at load).
    public var compute: ComputePrecision
    /// The Hugging Face cache to read and download into (`cache_folder`); `nil`: `HF_HUB_CACHE`, `HF_HOME/hub`, or
    /// `~/.cache/huggingface/hub`.
    public var cacheFolder: URL?
    /// The Hub token for private or gated models (`token`); `nil`: `HF_TOKEN`.
    public var token: String?
    /// Never contact the Hub: only what the cache holds (`local_files_only`); false leaves `HF_HUB_OFFLINE` in charge.
    public var localFilesOnly: Bool
    /// Inputs are truncated to this many tokens instead of the configured `max_seq_length` (Python:
    /// `model.max_seq_length = n`), at most the model's position embeddings.
    public var maxSeqLength: Int?
    /// The kernels' worker threads for this model's computations; `nil`: ``Parallel/defaultWorkerCount``
    /// (`SBERT_NUM_THREADS`, else one per core). Results do not depend on it.
    public var threads: Int?

    public init(revision: String = "main", variant: String? = nil, compute: ComputePrecision = .float32, cacheFolder: URL? = nil,
                token: String? = nil, localFilesOnly: Bool = false, maxSeqLength: Int? = nil, threads: Int? = nil) {
        self.revision = revision
        self.variant = variant
        self.compute = compute
        self.cacheFolder = cacheFolder
        self.token = token
        self.localFilesOnly = localFilesOnly
        self.maxSeqLength = maxSeqLength
        self.threads = threads
    }

    /// - Throws: ``SentenceTransformerError/invalidArgument(_:)`` for a length or thread count that cannot be used.
    func validate() throws {
        if let maxSeqLength, maxSeqLength <= 0 {
            throw SentenceTransformerError.invalidArgument("maxSeqLength must be positive, got \(maxSeqLength)")
        }
        if let threads, !(1...Parallel.maximumWorkerCount).contains(threads) {
            throw SentenceTransformerError.invalidArgument("threads must be between 1 and \(Parallel.maximumWorkerCount), got \(threads)")
        }
    }

    /// The process environment with these options in the Hub's variables, as ``HubClient`` and ``ModelLocator`` read them.
    func environment(_ base: [String: String] = ProcessInfo.processInfo.environment) -> [String: String] {
        var environment = base
        if let cacheFolder { environment["HF_HUB_CACHE"] = cacheFolder.path }
        if let token { environment["HF_TOKEN"] = token }
        if localFilesOnly { environment["HF_HUB_OFFLINE"] = "1" }
        return environment
    }

    /// The directory of `modelNameOrPath`: a path, the cache's snapshot, or a download.
    /// - Throws: ``SentenceTransformerError`` or ``HubError``.
    func directory(of modelNameOrPath: String) throws -> URL {
        try validate()
        return try ModelLocator.resolveOrDownload(modelNameOrPath, revision: revision, environment: environment())
    }

    /// ``directory(of:)`` with an async download.
    func directory(of modelNameOrPath: String) async throws -> URL {
        try validate()
        return try await ModelLocator.resolveOrDownload(modelNameOrPath, revision: revision, environment: environment())
    }
}
