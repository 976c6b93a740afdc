/// Which keys each query of a sequence may see (the same for every head).
public enum AttentionMask: Sendable, Equatable, Hashable {
    /// Every token of the sequence (encoders: BERT, ModernBERT's global layers, EmbeddingGemma).
    case bidirectional
    /// Query `i` sees keys `j ≤ i` (decoders: Qwen3).
    case causal
    /// Query `i` sees keys with `|i − j| ≤ radius` (ModernBERT's local layers: `local_attention / 2`; Gemma 3's
    /// bidirectional sliding layers: `sliding_window / 2`).
    case window(radius: Int)
    /// Query `i` sees keys `i − size < j ≤ i` (a decoder's sliding window: Gemma 3 without bidirectional attention).
    case causalWindow(size: Int)

    /// The keys query `query` of a `length`-token sequence sees: always a contiguous range holding the query itself.
    @inlinable
    public func keys(of query: Int, length: Int) -> Range<Int> {
        switch self {
        case .bidirectional: return 0..<length
        case .causal: return 0..<(query + 1)
        case .window(let radius): return max(0, query - radius)..<min(length, query + radius + 1)
        case .causalWindow(let size): return max(0, query - size + 1)..<(query + 1)
        }
    }
}

/// The geometry of one multi-head (or grouped-query) self-attention over a fused `Q | K | V` buffer.
///
/// Rows of `qkv` are `[heads·headDim | kvHeads·headDim | kvHeads·headDim]`; query head `h` reads key/value head
/// `h / (heads / kvHeads)` (PyTorch's `repeat_interleave` of the KV heads, as Llama, Qwen and Gemma do). The output
/// rows are `[heads·headDim]`.
public struct AttentionShape: Sendable, Equatable {
    public var heads: Int
    public var kvHeads: Int
    public var headDim: Int
    /// The factor of the scores `Q·Kᵀ`; `1/√headDim` unless the architecture says otherwise (Gemma:
    /// `query_pre_attn_scalar^-½`).
    public var scale: Float
    public var mask: AttentionMask
    /// Queries per block when the mask is not bidirectional (``AttentionBlocks``): each block computes only the keys
    /// its queries see. Smaller blocks waste less on masked keys (a window of radius `r` costs `(B + 2r) / (2r + 1)`
    /// of the visible work), larger ones run the products on fuller tiles.
    public var queryBlock: Int

    public init(heads: Int, kvHeads: Int? = nil, headDim: Int, scale: Float? = nil, mask: AttentionMask = .bidirectional,
                queryBlock: Int = AttentionShape.defaultQueryBlock) {
        self.heads = heads
        self.kvHeads = kvHeads ?? heads
        self.headDim = headDim
        self.scale = scale ?? 1 / Float(headDim).squareRoot()
        self.mask = mask
        self.queryBlock = queryBlock
    }

    /// The query block of causal and sliding-window attention unless a test asks for another.
    public static let defaultQueryBlock = 32

    /// Floats per row of the fused `Q | K | V` buffer.
    public var qkvStride: Int { (heads + 2 * kvHeads) * headDim }
    /// Floats per row of the output (and of `Q`).
    public var outputStride: Int { heads * headDim }
    /// Query heads per key/value head.
    public var groupSize: Int { heads / kvHeads }
    /// Where query head `head` starts in a row.
    public func queryOffset(_ head: Int) -> Int { head * headDim }
    /// Where the key of query head `head` starts in a row.
    public func keyOffset(_ head: Int) -> Int { (heads + head / groupSize) * headDim }
    /// Where the value of query head `head` starts in a row.
    public func valueOffset(_ head: Int) -> Int { (heads + kvHeads + head / groupSize) * headDim }
    /// Whether the shape is usable: positive sizes and whole groups.
    public var isValid: Bool { heads > 0 && kvHeads > 0 && headDim > 0 && heads % kvHeads == 0 && scale.isFinite && queryBlock > 0 }
}
