import SentenceTransformers

/// The query vectors of a search.
public enum MilvusQueryVectors: Sendable, Equatable {
    /// Rows of `dimension` fp32 values, one after another.
    case float(dimension: Int, values: [Float])
    /// Rows of `dimension` bits packed into `dimension / 8` bytes.
    case binary(dimension: Int, bytes: [UInt8])
    /// Sparse fp32 vectors (a `SPARSE_FLOAT_VECTOR` field, metric IP).
    case sparse([SparseVector])

    /// The number of query rows.
    public var count: Int {
        switch self {
        case let .float(dimension, values): return dimension > 0 ? values.count / dimension : 0
        case let .binary(dimension, bytes): return dimension >= 8 ? bytes.count / (dimension / 8) : 0
        case let .sparse(vectors): return vectors.count
        }
    }
}

/// A nearest-neighbour search of one vector field.
public struct MilvusSearchRequest: Sendable, Equatable {
    public var collection: String
    /// The vector field searched.
    public var vectorField: String
    public var vectors: MilvusQueryVectors
    /// Hits per query (Milvus allows 1…16,384).
    public var topK: Int
    /// The metric (must be the index's).
    public var metric: MilvusMetric
    /// Only rows that match; `nil` for all.
    public var filter: MilvusExpression?
    /// Fields returned with each hit.
    public var outputFields: [String]
    /// Search parameters of the index type, as a JSON object's members: `ef` (HNSW), `nprobe` (IVF).
    public var parameters: [String: Int]
    /// Whether to see every write acknowledged before the search (Milvus's `Strong` consistency); else `Bounded`.
    public var strongConsistency: Bool

    public init(collection: String, vectorField: String, vectors: MilvusQueryVectors, topK: Int, metric: MilvusMetric,
                filter: MilvusExpression? = nil, outputFields: [String] = [], parameters: [String: Int] = [:],
                strongConsistency: Bool = true) {
        self.collection = collection
        self.vectorField = vectorField
        self.vectors = vectors
        self.topK = topK
        self.metric = metric
        self.filter = filter
        self.outputFields = outputFields
        self.parameters = parameters
        self.strongConsistency = strongConsistency
    }
}

/// One hit of a search: the row's key, its score under the metric, and the output fields asked for.
public struct MilvusSearchHit: Sendable, Equatable {
    public var id: MilvusPrimaryKey
    /// The metric's value: a similarity (IP, COSINE: higher is closer) or a distance (L2, HAMMING: lower is closer).
    public var score: Float
    /// Output fields of this row, one value each (a one-row column).
    public var fields: [String: MilvusColumn.Values]
}
