import STKernels

/// Late-interaction search over multi-vector documents (ColBERT's two stages): every query token finds its nearest
/// document tokens (exact inner products over all stored token vectors), the documents those tokens belong to are
/// the candidates, and each candidate is rescored by exact MaxSim (``MultiVectorEncoder/maxSim(_:_:)``).
///
/// With `candidateTokens` at least the number of stored tokens every document with a token is a candidate, so the
/// result equals scoring every document exhaustively (``exhaustiveSearch(_:topK:)``, the naive twin). A document
/// without tokens is never returned.
///
/// ```swift
/// var index = MultiVectorIndex(dimension: colbert.embeddingDimension)
/// try index.add(try colbert.encodeDocument(passages))
/// let hits = try index.search(try colbert.encodeQuery(["who plays guitar"])[0], topK: 10)
/// ```
public struct MultiVectorIndex: Sendable {
    /// The width of every token vector.
    public let dimension: Int
    /// The documents' token matrices, as added.
    public private(set) var documents: [Embeddings] = []
    /// All token vectors one after another, and the document each belongs to.
    private var tokens: [Float] = []
    private var owners: [Int32] = []

    public init(dimension: Int) {
        self.dimension = max(0, dimension)
    }

    /// The number of documents.
    public var count: Int { documents.count }

    /// Appends documents (one token matrix each).
    /// - Throws: ``SentenceTransformerError/invalidArgument(_:)`` for a matrix of another width or past 2³¹ documents.
    public mutating func add(_ newDocuments: [Embeddings]) throws {
        guard documents.count + newDocuments.count < Int(Int32.max) else {
            throw SentenceTransformerError.invalidArgument("a MultiVectorIndex holds at most \(Int32.max) documents")
        }
        for document in newDocuments where !document.isEmpty && document.dimension != dimension {
            throw SentenceTransformerError.invalidArgument("token vectors of width \(document.dimension) given to an index of width \(dimension)")
        }
        for document in newDocuments {
            let owner = Int32(documents.count)
            tokens += document.values
            owners += Array(repeating: owner, count: document.count)
            documents.append(document)
        }
    }

    /// The `topK` documents of largest MaxSim with `query`: candidates from each query token's `candidateTokens`
    /// nearest document tokens, rescored exactly. Ties go to the lower document.
    /// - Throws: ``SentenceTransformerError/invalidArgument(_:)`` for a query of another width or non-positive counts.
    public func search(_ query: Embeddings, topK: Int, candidateTokens: Int = 64) throws -> [SearchHit] {
        guard query.isEmpty || query.dimension == dimension else {
            throw SentenceTransformerError.invalidArgument("query vectors of width \(query.dimension) given to an index of width \(dimension)")
        }
        guard topK > 0, candidateTokens > 0 else { throw SentenceTransformerError.invalidArgument("topK and candidateTokens must be positive") }
        var candidates = Set<Int>()
        let tokenCount = owners.count
        tokens.withUnsafeBufferPointer { stored in
            query.values.withUnsafeBufferPointer { q in
                guard let stored = stored.baseAddress, let q = q.baseAddress else { return }
                for row in 0..<query.count {
                    var nearest = TopK(min(candidateTokens, tokenCount))
                    for token in 0..<tokenCount {
                        let score = VectorMath.dot(q + row * dimension, stored + token * dimension, count: dimension)
                        nearest.insert(SearchHit(corpusID: token, score: score))
                    }
                    for hit in nearest.sorted { candidates.insert(Int(owners[hit.corpusID])) }
                }
            }
        }
        var best = TopK(topK)
        for document in candidates { best.insert(SearchHit(corpusID: document, score: MultiVectorEncoder.maxSim(query, documents[document]))) }
        return best.sorted
    }

    /// Every document scored by MaxSim (the naive twin of ``search(_:topK:candidateTokens:)``).
    public func exhaustiveSearch(_ query: Embeddings, topK: Int) -> [SearchHit] {
        var best = TopK(max(topK, 1))
        for (index, document) in documents.enumerated() {
            best.insert(SearchHit(corpusID: index, score: MultiVectorEncoder.maxSim(query, document)))
        }
        return best.sorted
    }
}
