import Foundation
import STKernels

/// A Hierarchical Navigable Small World graph (Malkov & Yashunin) over the rows of a vector store: approximate
/// nearest neighbours in logarithmic time. Levels are drawn from a seeded generator, so a build is reproducible.
struct HNSWGraph: Sendable, Equatable {
    /// Max neighbours per node on levels above 0 (level 0 keeps `2·m`).
    var m: Int
    var efConstruction: Int
    /// `neighbors[node][level]` = neighbour nodes.
    var neighbors: [[[Int32]]] = []
    var entryPoint: Int = -1
    var maxLevel: Int = -1
    var generatorState: UInt64

    init(m: Int, efConstruction: Int, seed: UInt64) {
        self.m = m
        self.efConstruction = efConstruction
        generatorState = seed
    }

    /// Distance between stored rows / a query, smaller is closer.
    typealias Distance = (Int) -> Float

    private mutating func randomLevel() -> Int {
        var generator = SplitMix64(seed: generatorState)
        let uniform = Double(generator.next() >> 11) / Double(1 << 53)
        generatorState = generator.next()
        return Int(-log(max(uniform, 1e-300)) / log(Double(max(2, m))))
    }

    /// Adds node `node` (the next row of the store); `distance(a, b)` compares stored rows.
    mutating func insert(_ node: Int, distance: @escaping (Int, Int) -> Float) {
        precondition(node == neighbors.count, "HNSW: nodes are added in order")
        let level = randomLevel()
        neighbors.append(Array(repeating: [], count: level + 1))
        guard entryPoint >= 0 else {
            entryPoint = node
            maxLevel = level
            return
        }
        let toNode: Distance = { distance(node, $0) }
        var current = entryPoint
        var currentDistance = toNode(current)
        if maxLevel > level {
            for layer in stride(from: maxLevel, to: level, by: -1) {
                (current, currentDistance) = greedy(from: current, distance: currentDistance, layer: layer, measure: toNode)
            }
        }
        var entries = [(node: current, distance: currentDistance)]
        for layer in stride(from: min(level, maxLevel), through: 0, by: -1) {
            let candidates = searchLayer(entries: entries, ef: efConstruction, layer: layer, measure: toNode, accept: { _ in true })
            let maxNeighbors = layer == 0 ? 2 * m : m
            let chosen = selectNeighbors(candidates, count: maxNeighbors, distance: distance)
            neighbors[node][layer] = chosen.map { Int32($0.node) }
            for neighbor in chosen {
                var list = neighbors[neighbor.node][layer]
                list.append(Int32(node))
                if list.count > maxNeighbors {
                    let scored = list.map { (node: Int($0), distance: distance(neighbor.node, Int($0))) }.sorted { $0.distance < $1.distance }
                    list = selectNeighbors(scored, count: maxNeighbors, distance: distance).map { Int32($0.node) }
                }
                neighbors[neighbor.node][layer] = list
            }
            entries = candidates
        }
        if level > maxLevel {
            maxLevel = level
            entryPoint = node
        }
    }

    /// The `k` nodes closest to the query measured by `measure`, among those `accept` lets through, closest first.
    func search(k: Int, ef: Int, measure: Distance, accept: (Int) -> Bool) -> [(node: Int, distance: Float)] {
        guard entryPoint >= 0 else { return [] }
        var current = entryPoint
        var currentDistance = measure(current)
        for layer in stride(from: maxLevel, to: 0, by: -1) {
            (current, currentDistance) = greedy(from: current, distance: currentDistance, layer: layer, measure: measure)
        }
        let found = searchLayer(entries: [(current, currentDistance)], ef: max(ef, k), layer: 0, measure: measure, accept: accept)
        return Array(found.filter { accept($0.node) }.prefix(k))
    }

    private func greedy(from start: Int, distance: Float, layer: Int, measure: Distance) -> (Int, Float) {
        var current = start, currentDistance = distance
        var improved = true
        while improved {
            improved = false
            for neighbor in neighbors[current][layer] {
                let d = measure(Int(neighbor))
                if d < currentDistance {
                    currentDistance = d
                    current = Int(neighbor)
                    improved = true
                }
            }
        }
        return (current, currentDistance)
    }

    /// Best-first search on one layer keeping the `ef` closest found; deleted nodes are walked through but only
    /// accepted ones fill the result.
    private func searchLayer(entries: [(node: Int, distance: Float)], ef: Int, layer: Int, measure: Distance,
                             accept: (Int) -> Bool) -> [(node: Int, distance: Float)] {
        var visited = Set<Int>(entries.map(\.node))
        var candidates = entries.sorted { $0.distance < $1.distance }  // ascending; pop the front
        var results = entries.filter { accept($0.node) }.sorted { $0.distance < $1.distance }
        while let closest = candidates.first {
            candidates.removeFirst()
            if results.count >= ef, let worst = results.last, closest.distance > worst.distance { break }
            for neighbor in neighbors[closest.node][layer] where visited.insert(Int(neighbor)).inserted {
                let node = Int(neighbor)
                let d = measure(node)
                if results.count < ef || d < (results.last?.distance ?? .infinity) {
                    Self.insertSorted(&candidates, (node, d))
                    if accept(node) {
                        Self.insertSorted(&results, (node, d))
                        if results.count > ef { results.removeLast() }
                    }
                }
            }
        }
        return results
    }

    private static func insertSorted(_ list: inout [(node: Int, distance: Float)], _ item: (node: Int, distance: Float)) {
        var low = 0, high = list.count
        while low < high {
            let middle = (low + high) / 2
            if list[middle].distance < item.distance || (list[middle].distance == item.distance && list[middle].node < item.node) {
                low = middle + 1
            } else {
                high = middle
            }
        }
        list.insert(item, at: low)
    }

    /// The neighbour-selection heuristic: keep a candidate only if it is closer to the new node than to every
    /// neighbour kept so far, which spreads links out; fill up with the nearest rejected ones.
    private func selectNeighbors(_ candidates: [(node: Int, distance: Float)], count: Int, distance: (Int, Int) -> Float) -> [(node: Int, distance: Float)] {
        var selected: [(node: Int, distance: Float)] = []
        var rejected: [(node: Int, distance: Float)] = []
        for candidate in candidates {
            if selected.count >= count { break }
            if selected.allSatisfy({ distance(candidate.node, $0.node) > candidate.distance }) {
                selected.append(candidate)
            } else {
                rejected.append(candidate)
            }
        }
        for candidate in rejected where selected.count < count { selected.append(candidate) }
        return selected
    }

    static func == (lhs: HNSWGraph, rhs: HNSWGraph) -> Bool {
        lhs.m == rhs.m && lhs.efConstruction == rhs.efConstruction && lhs.neighbors == rhs.neighbors
            && lhs.entryPoint == rhs.entryPoint && lhs.maxLevel == rhs.maxLevel
    }
}
