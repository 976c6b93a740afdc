/// Bottom-up clustering on cosine distance (`1 − cosine`): start with every row alone and keep merging the two
/// closest clusters while their distance is below `distanceThreshold` (scikit-learn's
/// `AgglomerativeClustering(n_clusters=None, distance_threshold=…, metric="cosine")`, which sentence-transformers'
/// clustering examples use; a distance exactly at the threshold is not merged in either).
///
/// ```swift
/// let labels = try AgglomerativeClustering(distanceThreshold: 0.4).fit(embeddings)
/// ```
///
/// Intentional differences: one row gives `[0]` (scikit-learn needs two rows); a zero vector has cosine 0 and so
/// distance 1 to every row (scikit-learn refuses zero vectors with the cosine metric); among equally close pairs the
/// one with the lowest indices merges first. Time `O(rows³)`, memory `rows²` doubles.
public struct AgglomerativeClustering: Sendable {
    public enum Linkage: String, Sendable, CaseIterable {
        /// Mean of all pairwise distances between the two clusters.
        case average
        /// Largest pairwise distance.
        case complete
        /// Smallest pairwise distance.
        case single
    }

    /// Clusters closer than this (cosine distance, 0…2) merge.
    public var distanceThreshold: Float
    public var linkage: Linkage

    public init(distanceThreshold: Float, linkage: Linkage = .average) {
        self.distanceThreshold = distanceThreshold
        self.linkage = linkage
    }

    /// The cluster of each row of `data` (`[rows, dimension]`), numbered by first appearance (0, 1, …).
    ///
    /// - Throws: ``SentenceTransformerError/invalidArgument(_:)`` when `distanceThreshold` is NaN.
    public func fit(_ data: Embeddings) throws -> [Int] {
        guard !distanceThreshold.isNaN else { throw SentenceTransformerError.invalidArgument("distanceThreshold is NaN") }
        let n = data.count
        guard n > 0 else { return [] }
        let similarities = try SimilarityFunction.cosine.matrix(data, data).values
        // distance[i][j] between current clusters (Lance–Williams updates), with cluster sizes.
        var distance = similarities.map { Double(1 - $0) }
        var size = [Int](repeating: 1, count: n)
        var active = [Bool](repeating: true, count: n)
        var members = (0..<n).map { [$0] }
        while true {
            var best: (i: Int, j: Int, d: Double)?
            for i in 0..<n where active[i] {
                for j in (i + 1)..<n where active[j] {
                    let d = distance[i * n + j]
                    if best == nil || d < best?.d ?? .infinity { best = (i, j, d) }
                }
            }
            guard let pair = best, pair.d < Double(distanceThreshold) else { break }
            let (i, j) = (pair.i, pair.j)
            for k in 0..<n where active[k] && k != i && k != j {
                let dik = distance[i * n + k], djk = distance[j * n + k]
                let merged: Double
                switch linkage {
                case .average: merged = (Double(size[i]) * dik + Double(size[j]) * djk) / Double(size[i] + size[j])
                case .complete: merged = max(dik, djk)
                case .single: merged = min(dik, djk)
                }
                distance[i * n + k] = merged
                distance[k * n + i] = merged
            }
            size[i] += size[j]
            members[i] += members[j]
            active[j] = false
        }
        var labels = [Int](repeating: -1, count: n)
        var next = 0
        for row in 0..<n where labels[row] < 0 {
            guard let owner = (0..<n).first(where: { active[$0] && members[$0].contains(row) }) else { continue }
            for member in members[owner] { labels[member] = next }
            next += 1
        }
        return labels
    }
}
