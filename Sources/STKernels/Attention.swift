import CSTKernels
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Multi-head (or grouped-query) scaled dot-product self-attention over packed (unpadded) sequences.
///
/// Shapes: `qkv` `[tokens, shape.qkvStride]` laid out `Q | K | V` (``AttentionShape``); `output`
/// `[tokens, shape.outputStride]`. `sequences` lists the rows of each sequence; a token attends only to the tokens of
/// its own sequence that `shape.mask` lets it see, so there is no padding, and a text gives the same result alone as
/// inside any batch.
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

    /// `output[s] = softmax(scale·Q_s K_sᵀ + bias, over the keys the mask allows) V_s` for each sequence `s` and query
    /// head; (sequence, head) pairs are spread over the workers. Both products run on the packed-panel kernel
    /// (`st_packed_gemm_f32`): K and V of the pair are packed once (a few KiB), so there is no per-call BLAS packing,
    /// which dominated short sequences. Causal and sliding-window masks run block by block (``AttentionBlocks``), each
    /// block of queries against only the keys it sees: a window costs O(L·window), not O(L²).
    ///
    /// `keyLimits` (one per sequence, or `nil`): keys at or after the limit are hidden from every query, as positions
    /// with attention mask 0 are in PyTorch (ColBERT's query expansion: padding tokens that read the text but that no
    /// token reads). Each limit must be at least 1.
    public static func forward(
        output: UnsafeMutablePointer<Float>, qkv: UnsafePointer<Float>,
        sequences: [Range<Int>], shape: AttentionShape, scoreBias: ScoreBias? = nil, keyLimits: [Int]? = nil
    ) {
        let headDim = shape.headDim, heads = shape.heads
        let qkvStride = shape.qkvStride, outputStride = shape.outputStride
        let tilings = sequences.map { AttentionBlocks(length: $0.count, shape: shape) }
        let largestBlock = tilings.map(\.largestBlock).max() ?? 0
        let longest = sequences.map(\.count).max() ?? 0
        guard largestBlock > 0 else { return }
        let panel = Int(ST_PACKED_PANEL)
        let longestPadded = (longest + panel - 1) / panel * panel
        let headDimPadded = (headDim + panel - 1) / panel * panel
        // Pairs are numbered head-major, so each worker's contiguous chunk covers every sequence for some heads and
        // the workers get equal work even when the sequences differ in length.
        Parallel.forEachChunk(count: sequences.count * heads, minimumChunk: 1) { pairs in
            let scores = UnsafeMutablePointer<Float>.allocate(capacity: largestBlock)
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
                let keyLimit = keyLimits.map { max(1, min(length, $0[pair % sequences.count])) } ?? length
                if let scoreBias {
                    precondition(length <= scoreBias.stride, "Attention: score bias smaller than the sequence")
                }
                let rows = qkv + sequence.lowerBound * qkvStride
                // K [length, headDim] as the "weights" of Q·Kᵀ (panels of 16 keys), V [length, headDim] as the [k, n]
                // matrix of P·V (panels of 16 channels), each packed once for all the blocks.
                st_pack_weights_f32(rows + shape.keyOffset(head), length, headDim, qkvStride, keys)
                st_pack_columns_f32(rows + shape.valueOffset(head), length, headDim, qkvStride, values)
                for block in tilings[pair % sequences.count].blocks {
                    let first = block.queries.lowerBound, count = block.queries.count
                    let firstKey = block.keys.lowerBound, width = block.keys.count
                    // scores = Q·Kᵀ over the block's keys: its first key starts a panel (AttentionBlocks aligns it).
                    st_packed_gemm_f32(rows + first * qkvStride + shape.queryOffset(head), count, headDim, qkvStride,
                                       keys + firstKey * headDim, width, 0, (width + panel - 1) / panel, nil, scores, width, 0)
                    for i in block.queries {
                        let row = scores + (i - first) * width
                        st_scale(row, width, shape.scale)
                        if let scoreBias { VectorMath.add(scoreBias.row(head: head, query: i) + firstKey, into: row, count: width) }
                        let visible = visibleKeys(shape.mask, query: i, length: length, limit: keyLimit)
                        softmax(row, keys: (visible.lowerBound - firstKey)..<(visible.upperBound - firstKey), length: width)
                    }
                    // output = P·V over the block's rows of V: the whole packed V when the block sees every key, else
                    // one channel panel at a time (a panel's rows firstKey..< are contiguous, panels are `length` apart).
                    let out = output + (sequence.lowerBound + first) * outputStride + shape.queryOffset(head)
                    if width == length {
                        st_packed_gemm_f32(scores, count, width, width, values, headDim, 0, (headDim + panel - 1) / panel, nil,
                                           out, outputStride, 0)
                    } else {
                        for p in 0..<((headDim + panel - 1) / panel) {
                            st_packed_gemm_f32(scores, count, width, width, values + p * length * panel + firstKey * panel,
                                               min(panel, headDim - p * panel), 0, 1, nil, out + p * panel, outputStride, 0)
                        }
                    }
                }
            }
        }
    }

    /// The keys query `query` sees: the mask's range, cut at `limit` (never empty: the first key stays).
    @inline(__always)
    static func visibleKeys(_ mask: AttentionMask, query: Int, length: Int, limit: Int) -> Range<Int> {
        let keys = mask.keys(of: query, length: length)
        guard limit < keys.upperBound else { return keys }
        return keys.lowerBound..<max(min(limit, keys.upperBound), keys.lowerBound + 1)
    }

    /// Softmax of one score row over the visible `keys`; the masked scores become exact zeros, so every product and
    /// gradient that reads the row treats them as absent.
    @inline(__always)
    static func softmax(_ row: UnsafeMutablePointer<Float>, keys: Range<Int>, length: Int) {
        Softmax.forward(row + keys.lowerBound, rows: 1, columns: keys.count, rowStride: keys.count)
        if keys.lowerBound > 0 { row.update(repeating: 0, count: keys.lowerBound) }
        if keys.upperBound < length { (row + keys.upperBound).update(repeating: 0, count: length - keys.upperBound) }
    }

    /// Naive twin of ``forward(output:qkv:sequences:shape:scoreBias:keyLimits:)`` in `Double`.
    public static func forwardReference(
        output: UnsafeMutablePointer<Float>, qkv: UnsafePointer<Float>,
        sequences: [Range<Int>], shape: AttentionShape, scoreBias: ScoreBias? = nil, keyLimits: [Int]? = nil
    ) {
        let qkvStride = shape.qkvStride, outputStride = shape.outputStride
        for (index, sequence) in sequences.enumerated() {
            let limit = max(1, keyLimits?[index] ?? sequence.count)
            for head in 0..<shape.heads {
                for i in sequence {
                    let all = shape.mask.keys(of: i - sequence.lowerBound, length: sequence.count)
                    let visible = all.filter { $0 < limit || $0 == all.lowerBound }
                    var weights = [Double]()
                    for j in visible.map({ $0 + sequence.lowerBound }) {
                        let bias = scoreBias.map { Double($0.row(head: head, query: i - sequence.lowerBound)[j - sequence.lowerBound]) } ?? 0
                        var dot = 0.0
                        for d in 0..<shape.headDim {
                            dot += Double(qkv[i * qkvStride + shape.queryOffset(head) + d])
                                * Double(qkv[j * qkvStride + shape.keyOffset(head) + d])
                        }
                        weights.append(dot * Double(shape.scale) + bias)
                    }
                    let maximum = weights.max() ?? 0
                    let exps = weights.map { exp($0 - maximum) }
                    let total = exps.reduce(0, +)
                    for d in 0..<shape.headDim {
                        var sum = 0.0
                        for (index, j) in visible.enumerated() {
                            sum += exps[index] / total * Double(qkv[(j + sequence.lowerBound) * qkvStride + shape.valueOffset(head) + d])
                        }
                        output[i * outputStride + shape.queryOffset(head) + d] = Float(sum)
                    }
                }
            }
        }
    }
}

extension Attention {
    /// Plain multi-head attention (`kvHeads == heads`, bidirectional, `1/√headDim`): `qkv` `[tokens, 3·heads·headDim]`.
    public static func forward(output: UnsafeMutablePointer<Float>, qkv: UnsafePointer<Float>, sequences: [Range<Int>],
                               heads: Int, headDim: Int, scoreBias: ScoreBias? = nil) {
        forward(output: output, qkv: qkv, sequences: sequences, shape: AttentionShape(heads: heads, headDim: headDim),
                scoreBias: scoreBias)
    }

    /// Naive twin of ``forward(output:qkv:sequences:heads:headDim:scoreBias:)``.
    public static func forwardReference(output: UnsafeMutablePointer<Float>, qkv: UnsafePointer<Float>, sequences: [Range<Int>],
                                        heads: Int, headDim: Int, scoreBias: ScoreBias? = nil) {
        forwardReference(output: output, qkv: qkv, sequences: sequences, shape: AttentionShape(heads: heads, headDim: headDim),
                         scoreBias: scoreBias)
    }
}
