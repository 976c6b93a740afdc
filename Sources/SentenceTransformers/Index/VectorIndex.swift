import Foundation
import STKernels

/// A document kept beside its vector in a ``VectorIndex``.
public struct IndexDocument: Sendable, Equatable, Codable {
    public var id: String
    public var text: String
    public var metadata: [String: String]

    public init(id: String, text: String, metadata: [String: String] = [:]) {
        self.id = id
        self.text = text
        self.metadata = metadata
    }
}

/// One search result of a ``VectorIndex``.
public struct IndexHit: Sendable, Equatable {
    public var document: IndexDocument
    public var score: Float

    public init(document: IndexDocument, score: Float) {
        self.document = document
        self.score = score
    }
}

/// A persistent vector index: documents (id, text, metadata) with their embeddings, searched exactly (flat, in
/// fp32, int8 or binary with rescoring) or approximately (HNSW). Saved as a directory whose format is versioned and
/// checksummed; saving is atomic (see ``save(to:)``).
///
/// ```swift
/// var index = VectorIndex(dimension: 384, kind: .hnsw())
/// try index.add([IndexDocument(id: "1", text: "A cat.")], embeddings: try model.encode(["A cat."]))
/// let hits = try index.search(try model.encode("feline"), topK: 5)
/// try index.save(to: URL(fileURLWithPath: "my-index"))
/// ```
public struct VectorIndex: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// Exact search over every vector, stored at `precision` (binary indexes also keep int8 rows to rescore).
        case flat(precision: QuantizationPrecision = .float32)
        /// Approximate search in an HNSW graph over fp32 vectors.
        case hnsw(m: Int = 16, efConstruction: Int = 200, efSearch: Int = 200)
    }

    public enum Metric: String, Sendable, Codable {
        case cosine, dot, l2
    }

    public let dimension: Int
    public let kind: Kind
    public let metric: Metric
    /// The model whose embeddings the index holds (informational).
    public var model: String?
    public internal(set) var documents: [IndexDocument] = []
    var deleted: [Bool] = []
    var rowOfID: [String: Int] = [:]
    /// fp32 rows (normalized for cosine), for `.flat(.float32)` and `.hnsw`.
    var vectors: [Float] = []
    /// Quantized rows for int8/binary flat indexes; `rescore` holds int8 rows of binary indexes.
    var quantized: QuantizedEmbeddings?
    var rescore: QuantizedEmbeddings?
    /// int8 calibration, fixed by the first vectors added.
    var ranges: QuantizationRanges?
    var graph: HNSWGraph?
    /// A hybrid index's sparse vectors, one per row, with their inverted index.
    var sparse: SparseIndex?
    /// The sparse model whose vectors the index holds (informational).
    public var sparseModel: String?

    /// An empty index; `sparseDimension` makes it hybrid (every document then needs a sparse vector too).
    public init(dimension: Int, kind: Kind = .flat(), metric: Metric = .cosine, model: String? = nil, seed: UInt64 = 42,
                sparseDimension: Int? = nil, sparseModel: String? = nil) {
        self.dimension = dimension
        self.kind = kind
        self.metric = metric
        self.model = model
        self.sparseModel = sparseModel
        sparse = sparseDimension.map { SparseIndex(dimension: $0) }
        if case let .hnsw(m, efConstruction, _) = kind { graph = HNSWGraph(m: m, efConstruction: efConstruction, seed: seed) }
    }

    /// Documents not deleted.
    public var count: Int { deleted.filter { !$0 }.count }

    /// Storage per vector in bytes (what one more document costs, text aside).
    public var bytesPerVector: Int {
        switch kind {
        case let .flat(precision):
            return precision.bytesPerRow(dimension: dimension) + (precision == .binary || precision == .ubinary ? dimension : 0)
        case let .hnsw(m, _, _):
            return 4 * dimension + 4 * 2 * m + 4 * m / 2  // level 0 links, plus upper levels on average
        }
    }

    /// The document with `id`, if present.
    public func document(id: String) -> IndexDocument? {
        rowOfID[id].map { documents[$0] }
    }

    /// Adds documents with their embeddings (one row each), and for a hybrid index their sparse vectors. An id
    /// already present is an error (use ``update``).
    /// - Throws: ``IndexError`` for mismatched counts or dimensions, a duplicate id, or sparse vectors missing from
    ///   a hybrid index (or given to a dense one).
    public mutating func add(_ newDocuments: [IndexDocument], embeddings: Embeddings, sparseEmbeddings: [SparseVector]? = nil) throws {
        guard newDocuments.count == embeddings.count else {
            throw IndexError.invalidArgument("\(newDocuments.count) documents but \(embeddings.count) embeddings")
        }
        try IndexError.checkSparse(sparseEmbeddings, documents: newDocuments.count, storedDimension: sparse?.dimension, in: "the index")
        guard embeddings.isEmpty || embeddings.dimension == dimension else {
            throw IndexError.dimensionMismatch(expected: dimension, actual: embeddings.dimension)
        }
        var seen = Set<String>()
        for document in newDocuments {
            guard rowOfID[document.id] == nil, seen.insert(document.id).inserted else { throw IndexError.duplicateID(document.id) }
        }
        guard !newDocuments.isEmpty else { return }
        let rows = metric == .cosine ? embeddings.normalized() : embeddings
        let start = documents.count
        for (offset, document) in newDocuments.enumerated() {
            rowOfID[document.id] = start + offset
            documents.append(document)
            deleted.append(false)
        }
        if let sparseEmbeddings { try sparse?.add(sparseEmbeddings) }
        switch kind {
        case let .flat(precision) where precision != .float32:
            if ranges == nil { ranges = QuantizationRanges(calibration: rows) }
            let main = try quantizeEmbeddings(rows, precision: precision, ranges: ranges)
            quantized = Self.appending(main, to: quantized)
            if precision == .binary || precision == .ubinary {
                rescore = Self.appending(try quantizeEmbeddings(rows, precision: .int8, ranges: ranges), to: rescore)
            }
        default:
            vectors += rows.values
        }
        if var graph {
            let dimension = self.dimension, metric = self.metric
            let stored = vectors
            for node in start..<documents.count {
                graph.insert(node) { a, b in Self.distance(stored, a, stored, b, dimension: dimension, metric: metric) }
            }
            self.graph = graph
        }
    }

    /// Replaces the document (and vectors) stored under `document.id`.
    public mutating func update(_ document: IndexDocument, embedding: [Float], sparseEmbedding: SparseVector? = nil) throws {
        guard embedding.count == dimension else { throw IndexError.dimensionMismatch(expected: dimension, actual: embedding.count) }
        // Checked before the delete, so that a refused update leaves the document in place.
        try IndexError.checkSparse(sparseEmbedding.map { [$0] }, documents: 1, storedDimension: sparse?.dimension, in: "the index")
        try delete(id: document.id)
        try add([document], embeddings: Embeddings(uncheckedValues: embedding, dimension: embedding.count), sparseEmbeddings: sparseEmbedding.map { [$0] })
    }

    /// Removes a document; its vector stays in the file until the index is rebuilt, but is never returned.
    public mutating func delete(id: String) throws {
        guard let row = rowOfID[id] else { throw IndexError.unknownID(id) }
        deleted[row] = true
        rowOfID[id] = nil
    }

    /// The `topK` documents closest to `query` (higher score is closer: cosine or dot, negated L2 distance).
    /// `efSearch` overrides the HNSW search width; `rescoreMultiplier` sets how many binary candidates are rescored.
    public func search(_ query: [Float], topK: Int = 10, efSearch: Int? = nil, rescoreMultiplier: Int = 4) throws -> [IndexHit] {
        guard query.count == dimension else { throw IndexError.dimensionMismatch(expected: dimension, actual: query.count) }
        guard topK > 0 else { throw IndexError.invalidArgument("topK must be positive") }
        var vector = query
        if metric == .cosine { vector = Embeddings(uncheckedValues: query, dimension: dimension).normalized().values }
        // Every branch yields scores where higher is closer: similarities for binary rescoring, negated distances
        // elsewhere (turned into similarities at the end).
        var hits: [SearchHit]
        var negatedDistances = true
        switch kind {
        case .flat(.float32):
            hits = exactSearch(topK: topK) { row in Self.distance(self.vectors, row, vector, 0, dimension: self.dimension, metric: self.metric) }
        case let .flat(precision):
            guard let quantized else { return [] }
            if precision == .binary || precision == .ubinary {
                let candidates = try quantizedSearch(queries: Embeddings(uncheckedValues: vector, dimension: dimension), corpus: quantized,
                                                     topK: topK + (deleted.count - count), rescoreMultiplier: rescoreMultiplier, rescoreCorpus: rescore)[0]
                hits = candidates.filter { !deleted[$0.corpusID] }
                if metric == .cosine {
                    negatedDistances = false
                } else {
                    hits = hits.map { SearchHit(corpusID: $0.corpusID, score: -Self.distance(rescore?.dequantized($0.corpusID) ?? [], 0, vector, 0, dimension: dimension, metric: metric)) }
                        .sorted(by: SearchHit.ranksBefore)
                }
                hits = Array(hits.prefix(topK))
            } else {
                hits = try int8Search(vector, quantized: quantized, topK: topK)
            }
        case let .hnsw(_, _, defaultEf):
            guard let graph else { return [] }
            let found = graph.search(k: topK, ef: efSearch ?? defaultEf,
                                     measure: { Self.distance(self.vectors, $0, vector, 0, dimension: self.dimension, metric: self.metric) },
                                     accept: { !self.deleted[$0] })
            hits = found.map { SearchHit(corpusID: $0.node, score: -$0.distance) }
        }
        return hits.map { IndexHit(document: documents[$0.corpusID], score: negatedDistances ? Self.similarity(fromDistance: $0.score, metric: metric) : $0.score) }
    }

    /// Exact search over int8/uint8 rows without dequantizing them: a row's value is `(level + shift + ½)·step + start`,
    /// so its dot product with the query is `c + Σ (query·step)·level` with `c` computed once per query.
    private func int8Search(_ vector: [Float], quantized: QuantizedEmbeddings, topK: Int) throws -> [SearchHit] {
        guard let ranges = quantized.ranges else { throw IndexError.corrupt(path: "(memory)", reason: "int8 rows without their ranges") }
        let shift: Float = quantized.precision == .int8 ? 128 : 0
        var weights = [Float](repeating: 0, count: dimension)
        var constant: Float = 0
        var queryNorm: Float = 0
        for d in 0..<dimension {
            weights[d] = vector[d] * ranges.steps[d]
            constant += vector[d] * (ranges.starts[d] + ranges.steps[d] * (shift + 0.5))
            queryNorm += vector[d] * vector[d]
        }
        var best = TopK(topK)
        let signed = quantized.precision == .int8
        quantized.bytes.withUnsafeBufferPointer { bytes in
            for row in 0..<documents.count where !deleted[row] {
                let base = row * dimension
                var dot = constant
                for d in 0..<dimension {
                    let level = signed ? Float(Int8(bitPattern: bytes[base + d])) : Float(bytes[base + d])
                    dot += weights[d] * level
                }
                let distance: Float
                switch metric {
                case .cosine: distance = 1 - dot
                case .dot: distance = -dot
                case .l2:
                    // ‖q − v‖² needs ‖v‖²: read the row once more.
                    var squared: Float = 0
                    for d in 0..<dimension {
                        let level = signed ? Float(Int8(bitPattern: bytes[base + d])) : Float(bytes[base + d])
                        let value = (level + shift + 0.5) * ranges.steps[d] + ranges.starts[d]
                        squared += value * value
                    }
                    distance = queryNorm - 2 * dot + squared
                }
                best.insert(SearchHit(corpusID: row, score: -distance))
            }
        }
        return best.sorted
    }

    private func exactSearch(topK: Int, distance: (Int) -> Float) -> [SearchHit] {
        var best = TopK(topK)
        for row in 0..<documents.count where !deleted[row] {
            best.insert(SearchHit(corpusID: row, score: -distance(row)))
        }
        return best.sorted
    }

    /// Smaller is closer: `1 − cos` (rows normalized), `−dot`, or squared L2.
    static func distance(_ a: [Float], _ rowA: Int, _ b: [Float], _ rowB: Int, dimension: Int, metric: Metric) -> Float {
        a.withUnsafeBufferPointer { x in
            b.withUnsafeBufferPointer { y in
                guard let xs = x.baseAddress, let ys = y.baseAddress else { return .infinity }
                let p = xs + rowA * dimension, q = ys + rowB * dimension
                switch metric {
                case .cosine: return 1 - VectorMath.dot(p, q, count: dimension)
                case .dot: return -VectorMath.dot(p, q, count: dimension)
                case .l2: return VectorMath.squaredDistance(p, q, count: dimension)
                }
            }
        }
    }

    /// The score reported for a negated distance: cosine similarity, dot product, or negated squared L2.
    static func similarity(fromDistance negated: Float, metric: Metric) -> Float {
        switch metric {
        case .cosine: return 1 + negated
        case .dot, .l2: return negated
        }
    }

    static func appending(_ rows: QuantizedEmbeddings, to existing: QuantizedEmbeddings?) -> QuantizedEmbeddings {
        guard var combined = existing else { return rows }
        combined.bytes += rows.bytes
        return combined
    }

    public static func == (lhs: VectorIndex, rhs: VectorIndex) -> Bool {
        lhs.dimension == rhs.dimension && lhs.kind == rhs.kind && lhs.metric == rhs.metric && lhs.documents == rhs.documents
            && lhs.deleted == rhs.deleted && lhs.vectors == rhs.vectors && lhs.quantized == rhs.quantized && lhs.graph == rhs.graph
            && lhs.sparse == rhs.sparse
    }
}

/// Why an index operation failed.
public enum IndexError: Error, CustomStringConvertible, Equatable {
    case dimensionMismatch(expected: Int, actual: Int)
    case duplicateID(String)
    case unknownID(String)
    case invalidArgument(String)
    case notAnIndex(path: String)
    case unsupportedVersion(path: String, version: Int)
    case corrupt(path: String, reason: String)
    case cannotWrite(path: String, reason: String)

    public var description: String {
        switch self {
        case let .dimensionMismatch(expected, actual): return "vector of dimension \(actual) given to an index of dimension \(expected)"
        case let .duplicateID(id): return "document id '\(id)' is already in the index (use update)"
        case let .unknownID(id): return "no document with id '\(id)' in the index"
        case let .invalidArgument(reason): return reason
        case let .notAnIndex(path): return "\(path) is not an index written by swift-sentence-transformers"
        case let .unsupportedVersion(path, version): return "index \(path) has format version \(version); this library reads version \(VectorIndex.formatVersion)"
        case let .corrupt(path, reason): return "index file \(path) is corrupt: \(reason)"
        case let .cannotWrite(path, reason): return "cannot write the index to \(path): \(reason)"
        }
    }
}

extension IndexError {
    /// Checks the sparse vectors written with `documents` documents into a store that keeps sparse vectors of
    /// `storedDimension` (`nil`: none): one each, of that dimension, exactly when the store keeps them.
    /// - Parameter owner: The store, as error messages name it ("the index", "the collection docs").
    /// - Throws: ``invalidArgument(_:)`` or ``dimensionMismatch(expected:actual:)``.
    public static func checkSparse(_ vectors: [SparseVector]?, documents: Int, storedDimension: Int?, in owner: String) throws {
        switch (storedDimension, vectors) {
        case (nil, nil): return
        case (nil, _?): throw invalidArgument("sparse vectors given to \(owner), which keeps none")
        case (_?, nil): throw invalidArgument("\(owner) keeps sparse vectors too: every document needs one (give the sparse model)")
        case let (dimension?, vectors?):
            guard vectors.count == documents else { throw invalidArgument("\(documents) documents but \(vectors.count) sparse vectors") }
            if let bad = vectors.first(where: { $0.dimension != dimension }) { throw dimensionMismatch(expected: dimension, actual: bad.dimension) }
        }
    }
}

extension VectorMath {
    /// `Σ (x[i] − y[i])²`.
    static func squaredDistance(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, count: Int) -> Float {
        var total: Float = 0
        for i in 0..<count {
            let d = x[i] - y[i]
            total += d * d
        }
        return total
    }
}

extension IndexError: LocalizedError {
    /// The message ``description`` gives, so that `localizedDescription` in a log line or an alert reads it too.
    public var errorDescription: String? { description }
}
