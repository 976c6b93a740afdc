/// One result of a search: the index of a corpus entry and its score (higher is better).
public struct SearchHit: Sendable, Equatable, Codable {
    public var corpusID: Int
    public var score: Float

    public init(corpusID: Int, score: Float) {
        self.corpusID = corpusID
        self.score = score
    }

    /// Result order: higher score first, then lower corpus id, so ties are deterministic.
    static func ranksBefore(_ a: SearchHit, _ b: SearchHit) -> Bool {
        a.score > b.score || (a.score == b.score && a.corpusID < b.corpusID)
    }
}

/// The best `k` of a stream of hits, kept in a bounded min-heap (worst hit at the top).
struct TopK {
    let k: Int
    private(set) var heap: [SearchHit] = []

    init(_ k: Int) {
        self.k = k
        // `k` comes from users (`--top-k`) and may far exceed the hits there are: grow past this on demand.
        heap.reserveCapacity(min(max(k, 0), 1024))
    }

    /// Whether `hit` would enter the result.
    func accepts(_ hit: SearchHit) -> Bool {
        heap.count < k || (heap.first.map { SearchHit.ranksBefore(hit, $0) } ?? true)
    }

    mutating func insert(_ hit: SearchHit) {
        guard k > 0 else { return }
        if heap.count < k {
            heap.append(hit)
            siftUp(heap.count - 1)
        } else if let worst = heap.first, SearchHit.ranksBefore(hit, worst) {
            heap[0] = hit
            siftDown(0)
        }
    }

    /// The kept hits, best first.
    var sorted: [SearchHit] { heap.sorted(by: SearchHit.ranksBefore) }

    private mutating func siftUp(_ index: Int) {
        var child = index
        while child > 0 {
            let parent = (child - 1) / 2
            // The heap's top is the hit that ranks last.
            guard SearchHit.ranksBefore(heap[parent], heap[child]) else { break }
            heap.swapAt(parent, child)
            child = parent
        }
    }

    private mutating func siftDown(_ index: Int) {
        var parent = index
        while true {
            let left = 2 * parent + 1, right = left + 1
            var worst = parent
            if left < heap.count, SearchHit.ranksBefore(heap[worst], heap[left]) { worst = left }
            if right < heap.count, SearchHit.ranksBefore(heap[worst], heap[right]) { worst = right }
            guard worst != parent else { return }
            heap.swapAt(parent, worst)
            parent = worst
        }
    }
}
