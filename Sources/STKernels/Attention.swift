import CSTKernels
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Multi-head scaled dot-product self-attention over packed (unpadded) sequences.
///
/// Shapes: `qkv` `[tokens, 3·heads·headDim]` with each row laid out `Q | K | V`, heads contiguous
/// inside each part; `output` `[tokens, heads·headDim]`. `sequences` lists the rows of each sequence; a token
/// attends only to the tokens of its own sequence, so there is no padding and no mask to apply, and a text gives
/// the same result alone as inside any batch.
public enum Attention {
    /// A bias added to the attention scores before the softmax, the same for every sequence: `values` is
    /// `[heads, stride, stride]` and a sequence of length `L ≤ stride` uses the top-left `L × L` block of each head
    /// (MPNet's relative position bias depends only on `j − i`).
    public struct ScoreBias {
        public let values: UnsafePointer<Float>
        public let stride: Int

        public init(values: UnsafePointer<Float>, stride: Int) {
            self.values = values
            self.stride = stride
        }

        func row(head: Int, query: Int) -> UnsafePointer<Float> { values + (head * stride + query) * stride }
    }

    /// `output[s] = softmax(Q_s K_sᵀ / √headDim + bias) V_s` for each sequence `s` and head; (sequence, head) pairs are
    /// spread over the workers. Both products run on the packed-panel kernel (`st_packed_gemm_f32`): K and V of the
    /// pair are packed once (a few KiB), so there is no per-call BLAS packing, which dominated short sequences.
    public static func forward(
        output: UnsafeMutablePointer<Float>, qkv: UnsafePointer<Float>,
        sequences: [Range<Int>], heads: Int, headDim: Int, scoreBias: ScoreBias? = nil
    ) {
        let hidden = heads * headDim
        let qkvStride = 3 * hidden
        let longest = sequences.map(\.count).max() ?? 0
        guard longest > 0 else { return }
        let scale = 1 / Float(headDim).squareRoot()
        let panel = Int(ST_PACKED_PANEL)
        let longestPadded = (longest + panel - 1) / panel * panel
        let headDimPadded = (headDim + panel - 1) / panel * panel
        // Pairs are numbered head-major, so each worker's contiguous chunk covers every sequence for some heads and
        // the workers get equal work even when the sequences differ in length.
        Parallel.forEachChunk(count: sequences.count * heads, minimumChunk: 1) { pairs in
            let scores = UnsafeMutablePointer<Float>.allocate(capacity: longest * longest)
            let keys = UnsafeMutablePointer<Float>.allocate(capacity: longestPadded * headDim)
            let values = UnsafeMutablePointer<Float>.allocate(capacity: headDimPadded * longest)
            defer {
                scores.deallocate()
                keys.deallocate()
                values.deallocate()
            }
            for pair in pairs {
                let sequence = sequences[pair % sequences.count]
                let head = pair / sequences.count
                let length = sequence.count
                guard length > 0 else { continue }
                let rows = qkv + sequence.lowerBound * qkvStride
                let query = rows + head * headDim
                // scores = Q·Kᵀ: K's rows are the "weights" [length, headDim].
                st_pack_weights_f32(rows + hidden + head * headDim, length, headDim, qkvStride, keys)
                st_packed_gemm_f32(query, length, headDim, qkvStride, keys, length, 0, (length + panel - 1) / panel,
                                   nil, scores, length, 0)
                for i in 0..<length {
                    let row = scores + i * length
                    st_scale(row, length, scale)
                    if let scoreBias {
                        precondition(length <= scoreBias.stride, "Attention: score bias smaller than the sequence")
                        VectorMath.add(scoreBias.row(head: head, query: i), into: row, count: length)
                    }
                }
                Softmax.forward(scores, rows: length, columns: length, rowStride: length)
                // output = P·V: V [length, headDim] is the [k, n] matrix of the product.
                st_pack_columns_f32(rows + 2 * hidden + head * headDim, length, headDim, qkvStride, values)
                st_packed_gemm_f32(scores, length, length, length, values, headDim, 0, (headDim + panel - 1) / panel,
                                   nil, output + sequence.lowerBound * hidden + head * headDim, hidden, 0)
            }
        }
    }

    /// Naive twin of ``forward(output:qkv:sequences:heads:headDim:)`` in `Double`.
    public static func forwardReference(
        output: UnsafeMutablePointer<Float>, qkv: UnsafePointer<Float>,
        sequences: [Range<Int>], heads: Int, headDim: Int, scoreBias: ScoreBias? = nil
    ) {
        let hidden = heads * headDim
        let qkvStride = 3 * hidden
        let scale = 1 / Double(headDim).squareRoot()
        for sequence in sequences {
            for head in 0..<heads {
                for i in sequence {
                    var weights = [Double]()
                    for j in sequence {
                        let bias = scoreBias.map { Double($0.row(head: head, query: i - sequence.lowerBound)[j - sequence.lowerBound]) } ?? 0
                        var dot = 0.0
                        for d in 0..<headDim {
                            dot += Double(qkv[i * qkvStride + head * headDim + d])
                                * Double(qkv[j * qkvStride + hidden + head * headDim + d])
                        }
                        weights.append(dot * scale + bias)
                    }
                    let maximum = weights.max() ?? 0
                    let exps = weights.map { exp($0 - maximum) }
                    let total = exps.reduce(0, +)
                    for d in 0..<headDim {
                        var sum = 0.0
                        for (index, j) in sequence.enumerated() {
                            sum += exps[index] / total * Double(qkv[j * qkvStride + 2 * hidden + head * headDim + d])
                        }
                        output[i * hidden + head * headDim + d] = Float(sum)
                    }
                }
            }
        }
    }
}
