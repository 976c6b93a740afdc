import Foundation
import STTensor

/// MPNet's relative position bias (T5-style, bidirectional): the attention score of query `i` and key `j` gets
/// `weight[bucket(j − i)][head]`, the same table in every layer.
public struct RelativePositionBias: Sendable {
    public let weight: Tensor  // [buckets, heads]
    public let maxDistance: Int

    public init(weight: Tensor, maxDistance: Int = 128) {
        self.weight = weight
        self.maxDistance = maxDistance
    }

    public var buckets: Int { weight.shape[0] }
    public var heads: Int { weight.shape[1] }

    /// The bucket of `relativePosition = j − i`: half the buckets for keys before the query, half after; exact
    /// distances below `buckets / 4`, then logarithmic up to `maxDistance`. The logarithm is computed in `Float`,
    /// as PyTorch computes it, so the boundaries match.
    public func bucket(_ relativePosition: Int) -> Int {
        let half = buckets / 2
        var n = -relativePosition
        var result = n < 0 ? half : 0
        n = abs(n)
        let maxExact = half / 2
        if n < maxExact { return result + n }
        let scaled = logf(Float(n) / Float(maxExact)) / Float(log(Double(maxDistance) / Double(maxExact))) * Float(half - maxExact)
        result += min(half - 1, maxExact + Int(scaled))
        return result
    }

    /// `[heads, length, length]`: the bias of every (head, query, key) for sequences up to `length` tokens.
    func table(length: Int) -> [Float] {
        guard length > 0 else { return [] }
        let heads = self.heads
        let values = weight.values
        var bucketOf = [Int](repeating: 0, count: 2 * length - 1)
        for offset in -(length - 1)...(length - 1) { bucketOf[offset + length - 1] = bucket(offset) }
        var table = [Float](repeating: 0, count: heads * length * length)
        for head in 0..<heads {
            for i in 0..<length {
                for j in 0..<length {
                    table[(head * length + i) * length + j] = values[bucketOf[j - i + length - 1] * heads + head]
                }
            }
        }
        return table
    }
}
