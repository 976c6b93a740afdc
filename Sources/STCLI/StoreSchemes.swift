import Foundation
import SentenceTransformers
import Synchronization

/// What a command asks of the store named by `--store`.
package struct StoreRequest: Sendable {
    /// The `--store` value (`milvus://HOST:PORT/COLLECTION`, or a directory for a local index).
    package var location: String
    /// The embeddings' dimension, to create the store or check it; `nil` to open whatever is there.
    package var dimension: Int?
    /// Whether a missing store may be created.
    package var create: Bool
    package var metric: VectorIndex.Metric
    /// The index of a new store.
    package var kind: VectorIndex.Kind
    package var model: String?
    /// The sparse vectors' dimension: a new store is created hybrid, an existing one must be; `nil` to open whatever
    /// is there.
    package var sparseDimension: Int? = nil
    /// The sparse model's name, recorded in a new hybrid store.
    package var sparseModel: String? = nil
    /// The HNSW search width of this command's searches (`nil`: the store's default).
    package var efSearch: Int? = nil
}

/// Opens `--store` locations by URL scheme. A directory (no scheme) is a local ``VectorIndexStore``; other schemes
/// are registered by the executable that links their client: `sbert-milvus` registers `milvus://`. `sbert` itself
/// links no database client (so that its build compiles no gRPC), and hands a `milvus://` command to `sbert-milvus`
/// (``StoreForwarding``).
package enum StoreSchemes {
    package typealias Opener = @Sendable (StoreRequest) async throws -> any VectorStore

    private static let openers = Mutex<[String: Opener]>([:])

    /// Makes `scheme://…` locations open with `opener` (call before the command runs).
    package static func register(_ scheme: String, _ opener: @escaping Opener) {
        openers.withLock { $0[scheme] = opener }
    }

    /// The scheme of a location (`milvus` in `milvus://…`), or `nil` for a path.
    static func scheme(of location: String) -> String? {
        guard let range = location.range(of: "://") else { return nil }
        return String(location[..<range.lowerBound]).lowercased()
    }

    /// Whether this executable opens `location` itself.
    static func opensHere(_ location: String) -> Bool {
        guard let scheme = scheme(of: location) else { return true }
        return openers.withLock { $0[scheme] != nil }
    }

    /// The store at `request.location`.
    /// - Throws: ``CLIError`` for a scheme nobody registered; the store's own errors.
    static func open(_ request: StoreRequest) async throws -> any VectorStore {
        guard let scheme = scheme(of: request.location) else {
            let directory = URL(fileURLWithPath: request.location)
            let exists = FileManager.default.fileExists(atPath: directory.appendingPathComponent("CURRENT").path)
            guard exists || request.create else { throw CLIError("no index at \(request.location)") }
            guard exists || request.dimension != nil else { throw CLIError("no index at \(request.location)") }
            let store = try VectorIndexStore(directory: directory, dimension: request.dimension ?? 0, kind: request.kind,
                                             metric: request.metric, model: request.model, sparseDimension: request.sparseDimension,
                                             sparseModel: request.sparseModel)
            if let dimension = request.dimension, dimension != store.dimension {
                throw IndexError.dimensionMismatch(expected: store.dimension, actual: dimension)
            }
            if let sparseDimension = request.sparseDimension, sparseDimension != store.sparseDimension {
                guard let stored = store.sparseDimension else { throw CLIError("the index at \(request.location) keeps no sparse vectors") }
                throw IndexError.dimensionMismatch(expected: stored, actual: sparseDimension)
            }
            return store
        }
        guard let opener = openers.withLock({ $0[scheme] }) else {
            throw CLIError("no store for \(scheme):// locations in this program")
        }
        return try await opener(request)
    }
}
