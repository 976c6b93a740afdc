import Foundation

/// The one loading path of every model kind (``SentenceTransformer``, ``CrossEncoder``, ``SparseEncoder``,
/// ``MultiVectorEncoder``): each reads a directory with ``LoadOptions``; finding the directory by name (the cache, else
/// a download) and the async forms are written once, here.
public protocol LoadableModel: Sendable {
    /// Loads the model stored in `directory` with `options` (their `revision`, cache and token play no part).
    /// - Throws: ``SentenceTransformerError`` or `ModelError` for a missing, unsupported or inconsistent model.
    init(directory: URL, options: LoadOptions) throws
}

extension LoadableModel {
    /// Loads a model by directory path or Hugging Face id (`"all-MiniLM-L6-v2"` means
    /// `"sentence-transformers/all-MiniLM-L6-v2"`): from the local Hugging Face cache, else downloaded from the Hub
    /// (see ``HubClient``), with every setting in `options`.
    /// - Throws: ``SentenceTransformerError``, ``HubError`` or `ModelError` for a model that cannot be found, fetched
    ///   or loaded.
    public init(_ modelNameOrPath: String, options: LoadOptions) throws {
        try self.init(directory: try options.directory(of: modelNameOrPath), options: options)
    }

    /// Loads a model by directory path or Hugging Face id from async code: the download awaits async I/O and the
    /// weights are read on ``WorkerThreads/compute``, so no cooperative thread is held.
    /// - Throws: as ``init(_:options:)``, and `CancellationError` when the task is cancelled.
    public init(_ modelNameOrPath: String, options: LoadOptions = LoadOptions()) async throws {
        let directory = try await options.directory(of: modelNameOrPath)
        try await self.init(directory: directory, options: options)
    }

    /// Loads the model stored in `directory` from async code, its weights read on ``WorkerThreads/compute``.
    /// - Throws: as ``init(directory:options:)``, and `CancellationError` when the task is cancelled.
    public init(directory: URL, options: LoadOptions = LoadOptions()) async throws {
        self = try await WorkerThreads.compute.run { try Self(directory: directory, options: options) }
    }
}
