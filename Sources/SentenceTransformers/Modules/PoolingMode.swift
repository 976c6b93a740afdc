/// How token embeddings become one sentence embedding. Raw values are the names sentence-transformers uses.
public enum PoolingMode: String, Sendable, CaseIterable, Codable {
    /// The first token (`[CLS]`).
    case cls
    /// Element-wise maximum over the tokens.
    case max
    /// Average of the tokens.
    case mean
    /// Sum of the tokens divided by √(token count).
    case meanSqrtLenTokens = "mean_sqrt_len_tokens"
    /// Average weighted by position (1, 2, 3, …), for causal models.
    case weightedmean
    /// The last token.
    case lasttoken

    /// The order in which legacy boolean keys are read (sentence-transformers' `_convert_legacy_pooling_kwargs`).
    static let legacyOrder: [(key: String, mode: PoolingMode)] = [
        ("pooling_mode_cls_token", .cls), ("pooling_mode_max_tokens", .max), ("pooling_mode_mean_tokens", .mean),
        ("pooling_mode_mean_sqrt_len_tokens", .meanSqrtLenTokens), ("pooling_mode_weightedmean_tokens", .weightedmean),
        ("pooling_mode_lasttoken", .lasttoken),
    ]
}
