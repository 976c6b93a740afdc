import Foundation
import STKernels

/// MPNet's relative position bias (T5-style, bidirectional): the attention score of query `i` and key `j` gets
/// `weight[bucket(j − i)][head]`, one `[buckets, heads]` table shared by every layer.
public struct RelativePositionBias: Sendable {
    public let weight: Parameter  // [buckets, heads]
    public let maxDistance: Int

    public init(weight: Parameter, maxDistance: Int = 128) {
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

    /// The bucket of every offset `j − i` in `−(length − 1)...(length − 1)`, at index `j − i + length − 1`.
    func bucketsByOffset(length: Int) -> [Int] {
        length > 0 ? (-(length - 1)...(length - 1)).map(bucket) : []
    }

    /// `[heads, length, length]`: the bias of every (head, query, key) for sequences up to `length` tokens.
    func table(length: Int, bank: ParameterBank?) -> [Float] {
        guard length > 0 else { return [] }
        let heads = self.heads
        let values = weight.values(bank)
        let bucketOf = bucketsByOffset(length: length)
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

    /// Sums one layer's score gradients `dScores` (probability layout of `sequences`) into the table's gradient.
    func accumulateGradient(_ dScores: UnsafePointer<Float>, sequences: [Range<Int>], bank: ParameterBank) {
        guard let dTable = weight.gradients(bank) else { return }
        let longest = sequences.map(\.count).max() ?? 0
        guard longest > 0 else { return }
        let bucketOf = bucketsByOffset(length: longest)
        let offsets = Attention.probabilityLayout(sequences: sequences, heads: heads).offsets
        for (index, sequence) in sequences.enumerated() {
            let length = sequence.count
            for head in 0..<heads {
                let block = dScores + offsets[index] + head * length * length
                for i in 0..<length {
                    for j in 0..<length { dTable[bucketOf[j - i + longest - 1] * heads + head] += block[i * length + j] }
                }
            }
        }
    }
}
