/// How one sequence's attention is cut into blocks of consecutive queries, each with the one range of keys that any of
/// its queries sees, so that causal and sliding-window attention compute only those keys: O(L·window) work and
/// memory instead of O(L²).
///
/// A bidirectional mask (or a sequence no longer than one block) is a single block `L × L`, exactly the layout and
/// the arithmetic of plain attention. Otherwise block `b` holds queries `[b·B, min((b+1)·B, L))` (B =
/// ``AttentionShape/queryBlock``) and keys from the first key of its first query to the end of its last query's keys
/// (every mask's key range moves forward with the query, so that covers them all), widened to start on a multiple of
/// 16 keys and end on one (or at `L`), so that inference reads them from the sequence's packed K. Per head, a block's scores (and
/// probabilities) are `[queries.count, keys.count]`, row-major, from `offset`; `size` is the sum of the blocks.
///
/// Inside a block a query's scores outside its own keys are exact zeros after the softmax, so products and
/// gradients over the whole block treat them as absent, as the unblocked kernels did.
public struct AttentionBlocks: Sendable, Equatable {
    /// One block: its queries and keys (positions in the sequence) and where its `[queries, keys]` scores start.
    public struct Block: Sendable, Equatable {
        public let queries: Range<Int>
        public let keys: Range<Int>
        public let offset: Int
    }

    public let blocks: [Block]
    /// Key ranges start at a multiple of this (the packed kernels' panel width).
    public static let keyAlignment = 16
    /// Floats per head: the sum of `queries.count · keys.count` over the blocks.
    public let size: Int
    /// The largest `queries.count · keys.count` of a block (a scratch buffer's size).
    public let largestBlock: Int
    /// The largest `keys.count` of a block.
    public let widestKeys: Int

    /// The blocks of a `length`-token sequence under `shape`'s mask and query block.
    public init(length: Int, shape: AttentionShape) {
        self.init(length: length, mask: shape.mask, queryBlock: shape.queryBlock)
    }

    public init(length: Int, mask: AttentionMask, queryBlock: Int) {
        var blocks: [Block] = []
        var size = 0, largest = 0, widest = 0
        let step = mask == .bidirectional ? max(length, 1) : max(queryBlock, 1)
        var first = 0
        while first < length {
            let end = min(length, first + step)
            // Key ranges start on a panel boundary (ST_PACKED_PANEL keys) and end on one or at the sequence's end, so
            // that the inference kernel reads a block's keys straight out of the sequence's packed K.
            let low = mask.keys(of: first, length: length).lowerBound / Self.keyAlignment * Self.keyAlignment
            let high = min(length, (mask.keys(of: end - 1, length: length).upperBound + Self.keyAlignment - 1)
                / Self.keyAlignment * Self.keyAlignment)
            let keys = low..<high
            blocks.append(Block(queries: first..<end, keys: keys, offset: size))
            size += (end - first) * keys.count
            largest = max(largest, (end - first) * keys.count)
            widest = max(widest, keys.count)
            first = end
        }
        self.blocks = blocks
        self.size = size
        self.largestBlock = largest
        self.widestKeys = widest
    }
}

extension Attention {
    /// Where each sequence's attention probabilities start in a training buffer: sequence `s` holds `shape.heads`
    /// blocks of ``AttentionBlocks/size`` floats from `offsets[s]` (head `h` from `offsets[s] + h · size`); `total` is
    /// the buffer size. For a bidirectional mask a sequence's blocks are `L × L`.
    public static func probabilityLayout(sequences: [Range<Int>], shape: AttentionShape)
        -> (offsets: [Int], blocks: [AttentionBlocks], total: Int) {
        var offsets: [Int] = []
        var tilings: [AttentionBlocks] = []
        offsets.reserveCapacity(sequences.count)
        tilings.reserveCapacity(sequences.count)
        var total = 0
        for sequence in sequences {
            let blocks = AttentionBlocks(length: sequence.count, shape: shape)
            offsets.append(total)
            tilings.append(blocks)
            total += shape.heads * blocks.size
        }
        return (offsets, tilings, total)
    }

    /// The bidirectional layout (`heads` blocks of `L_s × L_s` per sequence), as MPNet's relative position bias reads
    /// its score gradients.
    public static func probabilityLayout(sequences: [Range<Int>], heads: Int) -> (offsets: [Int], total: Int) {
        let layout = probabilityLayout(sequences: sequences, shape: AttentionShape(heads: heads, headDim: 1))
        return (layout.offsets, layout.total)
    }
}
