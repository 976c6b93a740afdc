/// Groups of mutually close rows, as sentence-transformers 6.2's `util.community_detection`.
///
/// 1. Every row with at least `minCommunitySize` rows (itself included) at cosine ≥ `threshold` is the centre of a
///    candidate community: those rows, best score first.
/// 2. Candidates are taken largest first (equal sizes in row order). A candidate whose centre an earlier community
///    took is dropped; otherwise its rows not yet taken form a community, the centre first, if they are still at least
///    `minCommunitySize`.
///
/// A community is never smaller than `minCommunitySize`, however few rows there are: 3 rows and a minimum of 4 give
/// no community.
///
/// ```swift
/// let communities = try communityDetection(embeddings: embeddings, threshold: 0.8, minCommunitySize: 5)
/// communities[0][0]   // the centre of the largest community
/// ```
///
/// Intentional difference: members with equal scores to the centre come by lower row index (Python's order among
/// ties is `torch.topk`'s, unspecified).
///
/// - Parameters:
///   - embeddings: `[rows, dimension]`; compared by cosine (a zero row has cosine 0 with every row, itself included).
///   - threshold: the cosine a row needs to the centre, inclusive.
///   - minCommunitySize: the fewest rows of a community (≥ 1).
///   - batchSize: rows scored against all the others at once (memory `batchSize × rows` floats; the result does not
///     depend on it).
/// - Returns: the communities as row indices, largest first (equal sizes in the order they were formed), each with
///   its centre first and the rest by decreasing cosine to the centre.
/// - Throws: ``SentenceTransformerError/invalidArgument(_:)`` when `minCommunitySize` or `batchSize` is below 1 or
///   `threshold` is NaN.
public func communityDetection(embeddings: Embeddings, threshold: Float = 0.75, minCommunitySize: Int = 10,
                               batchSize: Int = 1024) throws -> [[Int]] {
    guard minCommunitySize > 0 else { throw SentenceTransformerError.invalidArgument("minCommunitySize must be positive, got \(minCommunitySize)") }
    guard batchSize > 0 else { throw SentenceTransformerError.invalidArgument("batchSize must be positive, got \(batchSize)") }
    guard !threshold.isNaN else { throw SentenceTransformerError.invalidArgument("threshold is NaN") }
    let rows = embeddings.count
    guard rows >= minCommunitySize else { return [] }
    let normalized = embeddings.normalized()
    var candidates: [(centre: Int, members: [Int])] = []
    for start in stride(from: 0, to: rows, by: batchSize) {
        let end = min(start + batchSize, rows)
        let scores = try SimilarityFunction.dot.matrix(normalized.rows(start..<end), normalized)
        scores.values.withUnsafeBufferPointer { buffer in
            for row in 0..<(end - start) {
                let rowScores = buffer[(row * rows)..<((row + 1) * rows)]
                let members = rowScores.indices.filter { rowScores[$0] >= threshold }.map { $0 - row * rows }
                guard members.count >= minCommunitySize else { continue }
                let base = row * rows
                let ordered = members.sorted { buffer[base + $0] > buffer[base + $1] || (buffer[base + $0] == buffer[base + $1] && $0 < $1) }
                candidates.append((start + row, ordered))
            }
        }
    }
    var taken = [Bool](repeating: false, count: rows)
    var communities: [[Int]] = []
    for candidate in largestFirst(candidates, size: { $0.members.count }) where !taken[candidate.centre] {
        let fresh = candidate.members.filter { !taken[$0] }
        guard fresh.count >= minCommunitySize else { continue }
        let community = [candidate.centre] + fresh.filter { $0 != candidate.centre }
        for member in community { taken[member] = true }
        communities.append(community)
    }
    return largestFirst(communities, size: \.count)
}

/// `items` by decreasing `size`, equal sizes kept in order (Python's stable `sorted(…, reverse=True)`).
private func largestFirst<T>(_ items: [T], size: (T) -> Int) -> [T] {
    items.enumerated().sorted { size($0.element) > size($1.element) || (size($0.element) == size($1.element) && $0.offset < $1.offset) }.map(\.element)
}
