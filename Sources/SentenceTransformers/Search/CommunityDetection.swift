/// Groups of mutually close entries, as sentence-transformers' `util.community_detection`: an entry with at least
/// `minCommunitySize` neighbours (itself included) at cosine ≥ `threshold` starts a community of all those
/// neighbours, best first; communities are then taken largest first, dropping members already taken, and kept when
/// still at least `minCommunitySize` strong.
public func communityDetection(embeddings: Embeddings, threshold: Float = 0.75, minCommunitySize: Int = 10,
                               batchSize: Int = 1024) throws -> [[Int]] {
    guard minCommunitySize > 0, batchSize > 0 else { throw SentenceTransformerError.invalidArgument("minCommunitySize and batchSize must be positive") }
    let normalized = embeddings.normalized()
    let minimum = min(minCommunitySize, normalized.count)
    var candidates: [[Int]] = []
    for start in stride(from: 0, to: normalized.count, by: batchSize) {
        let end = min(start + batchSize, normalized.count)
        let scores = try SimilarityFunction.dot.matrix(normalized.rows(start..<end), normalized)
        for row in 0..<(end - start) {
            let rowScores = Array(scores.values[(row * scores.dimension)..<((row + 1) * scores.dimension)])
            let members = rowScores.indices.filter { rowScores[$0] >= threshold }
            guard members.count >= minimum, minimum > 0 else { continue }
            candidates.append(members.sorted { rowScores[$0] > rowScores[$1] || (rowScores[$0] == rowScores[$1] && $0 < $1) })
        }
    }
    // Stable sort by size, largest first, as Python's sorted(..., reverse=True) keeps equal sizes in order.
    let ordered = candidates.enumerated().sorted { $0.element.count > $1.element.count || ($0.element.count == $1.element.count && $0.offset < $1.offset) }.map(\.element)
    var taken = Set<Int>()
    var communities: [[Int]] = []
    for community in ordered {
        let fresh = community.filter { !taken.contains($0) }
        if fresh.count >= minimum {
            communities.append(fresh)
            taken.formUnion(fresh)
        }
    }
    return communities.enumerated().sorted { $0.element.count > $1.element.count || ($0.element.count == $1.element.count && $0.offset < $1.offset) }.map(\.element)
}
