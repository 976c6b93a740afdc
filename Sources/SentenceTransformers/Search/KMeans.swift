/// k-means clustering (Lloyd's algorithm) with k-means++ seeding from a seeded generator, so a run is reproducible.
/// On data with one optimum it finds scikit-learn's partition and inertia (`KMeans(n_clusters=k)`, which
/// sentence-transformers' clustering examples use); the seeding draws differ, so elsewhere it may stop in another local
/// optimum. A cluster left empty keeps its centroid (scikit-learn moves it to a far row), so duplicated rows can give
/// fewer distinct labels than `clusters`, as they do in scikit-learn.
///
/// ```swift
/// let result = try KMeans(clusters: 5, seed: 42).fit(embeddings)
/// result.labels   // cluster of each row
/// ```
public struct KMeans: Sendable {
    public var clusters: Int
    public var maxIterations: Int
    /// Stop when no centroid moves more than this (squared Euclidean distance).
    public var tolerance: Float
    public var seed: UInt64

    public init(clusters: Int, maxIterations: Int = 300, tolerance: Float = 1e-6, seed: UInt64 = 0) {
        self.clusters = clusters
        self.maxIterations = maxIterations
        self.tolerance = tolerance
        self.seed = seed
    }

    public struct Result: Sendable, Equatable {
        /// The cluster of each input row.
        public var labels: [Int]
        public var centroids: Embeddings
        /// Sum of squared distances of rows to their centroid.
        public var inertia: Double
        public var iterations: Int
    }

    /// Clusters the rows of `data` (`[rows, dimension]`).
    ///
    /// - Returns: a label per row (0..<clusters), the `[clusters, dimension]` centroids, the inertia (sum of squared
    ///   Euclidean distances to the own centroid) and the iterations run.
    /// - Throws: ``SentenceTransformerError/invalidArgument(_:)`` unless 1 ≤ `clusters` ≤ rows.
    public func fit(_ data: Embeddings) throws -> Result {
        guard clusters > 0, clusters <= data.count else {
            throw SentenceTransformerError.invalidArgument("k-means needs 1 ≤ clusters ≤ rows (\(clusters) clusters, \(data.count) rows)")
        }
        let dimension = data.dimension
        var generator = SplitMix64(seed: seed)
        func distance(_ row: Int, _ centroids: [Float], _ c: Int) -> Float {
            var total: Float = 0
            for d in 0..<dimension {
                let difference = data.values[row * dimension + d] - centroids[c * dimension + d]
                total += difference * difference
            }
            return total
        }
        // k-means++: each next centroid drawn with probability proportional to the squared distance to the nearest.
        var centroids = [Float](data[Int.random(in: 0..<data.count, using: &generator)])
        var nearest = (0..<data.count).map { distance($0, centroids, 0) }
        while centroids.count / dimension < clusters {
            let total = nearest.reduce(0.0) { $0 + Double($1) }
            var pick = Double.random(in: 0..<max(total, .leastNonzeroMagnitude), using: &generator)
            var chosen = data.count - 1
            for (index, weight) in nearest.enumerated() {
                pick -= Double(weight)
                if pick < 0 { chosen = index; break }
            }
            centroids += data[chosen]
            let newest = centroids.count / dimension - 1
            for row in 0..<data.count { nearest[row] = min(nearest[row], distance(row, centroids, newest)) }
        }
        var labels = [Int](repeating: 0, count: data.count)
        var iterations = 0
        for iteration in 1...max(1, maxIterations) {
            iterations = iteration
            for row in 0..<data.count {
                var best = 0, bestDistance = Float.infinity
                for c in 0..<clusters {
                    let d = distance(row, centroids, c)
                    if d < bestDistance { bestDistance = d; best = c }
                }
                labels[row] = best
            }
            var sums = [Double](repeating: 0, count: clusters * dimension)
            var counts = [Int](repeating: 0, count: clusters)
            for row in 0..<data.count {
                counts[labels[row]] += 1
                for d in 0..<dimension { sums[labels[row] * dimension + d] += Double(data.values[row * dimension + d]) }
            }
            var shift: Float = 0
            for c in 0..<clusters where counts[c] > 0 {
                for d in 0..<dimension {
                    let updated = Float(sums[c * dimension + d] / Double(counts[c]))
                    shift = max(shift, (updated - centroids[c * dimension + d]) * (updated - centroids[c * dimension + d]))
                    centroids[c * dimension + d] = updated
                }
            }
            if shift <= tolerance { break }
        }
        let inertia = (0..<data.count).reduce(0.0) { $0 + Double(distance($1, centroids, labels[$1])) }
        return Result(labels: labels, centroids: Embeddings(uncheckedValues: centroids, dimension: dimension), inertia: inertia, iterations: iterations)
    }
}

/// SplitMix64, the library's seeded generator for reproducible randomized algorithms. Its whole state is one
/// `UInt64`, so it is `Codable` (training checkpoints record it exactly).
public struct SplitMix64: RandomNumberGenerator, Sendable, Codable, Equatable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
