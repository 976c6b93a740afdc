/// A distance between vectors, as Milvus names it. Higher scores are closer for ``ip`` and ``cosine``; lower for the
/// others (distances).
public enum MilvusMetric: String, Sendable, Equatable, CaseIterable {
    /// Euclidean distance (squared, as Milvus reports it).
    case l2 = "L2"
    /// Inner product.
    case ip = "IP"
    /// Cosine similarity.
    case cosine = "COSINE"
    /// Hamming distance between binary vectors.
    case hamming = "HAMMING"
    /// Jaccard distance between binary vectors.
    case jaccard = "JACCARD"

    /// Whether a higher score means closer.
    public var higherIsCloser: Bool { self == .ip || self == .cosine }
}

/// A vector index type with its build parameters.
public enum MilvusIndexType: Sendable, Equatable {
    /// Exact search (float vectors).
    case flat
    /// Inverted file over `nlist` clusters, vectors kept in full.
    case ivfFlat(nlist: Int)
    /// HNSW graph: `m` links per node, `efConstruction` candidates while building.
    case hnsw(m: Int, efConstruction: Int)
    /// Exact search over binary vectors.
    case binFlat
    /// Inverted file over binary vectors.
    case binIVFFlat(nlist: Int)
    /// The server's choice.
    case autoIndex
    /// An inverted index over sparse vectors (metric IP); exact, since no small values are dropped when building.
    case sparseInvertedIndex

    /// Milvus's name of the type.
    public var name: String {
        switch self {
        case .flat: return "FLAT"
        case .ivfFlat: return "IVF_FLAT"
        case .hnsw: return "HNSW"
        case .binFlat: return "BIN_FLAT"
        case .binIVFFlat: return "BIN_IVF_FLAT"
        case .autoIndex: return "AUTOINDEX"
        case .sparseInvertedIndex: return "SPARSE_INVERTED_INDEX"
        }
    }

    /// The build parameters as Milvus's `params` JSON object.
    var parametersJSON: String {
        switch self {
        case let .ivfFlat(nlist), let .binIVFFlat(nlist): return "{\"nlist\": \(nlist)}"
        case let .hnsw(m, efConstruction): return "{\"M\": \(m), \"efConstruction\": \(efConstruction)}"
        case .sparseInvertedIndex: return "{\"drop_ratio_build\": 0}"
        case .flat, .binFlat, .autoIndex: return "{}"
        }
    }
}

/// What ``MilvusClient/describeIndex(collection:field:)`` tells of one index.
public struct MilvusIndexDescription: Sendable, Equatable {
    public var indexName: String
    public var fieldName: String
    /// The index's parameters as the server lists them (`index_type`, `metric_type`, `params`, …).
    public var parameters: [String: String]
    /// Rows indexed so far, rows in all, and rows waiting for the index (Milvus 2.3+; 0 from older servers).
    public var indexedRows: Int64
    public var totalRows: Int64
    public var pendingRows: Int64
    /// Whether the index is built (`Finished`), and the failure reason if it failed.
    public var isFinished: Bool
    public var failureReason: String
}

/// A collection's load state (whether it is in memory for search and query).
public enum MilvusLoadState: Sendable, Equatable {
    case notExist, notLoaded, loading, loaded
}

/// A segment as the query nodes serve it (``MilvusClient/querySegments(_:)``).
public struct MilvusQuerySegment: Sendable, Equatable {
    public var id: Int64
    public var rows: Int64
    /// The index the segment is searched through; empty while it is searched without one (brute force on a growing
    /// segment, or Milvus's interim index on a sealed one).
    public var indexName: String
}
