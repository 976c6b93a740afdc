import STKernels

/// Gemma 3 text models (`transformers.Gemma3TextModel`; EmbeddingGemma with `use_bidirectional_attention`): sandwich
/// RMSNorms of the `1 + w` form, embeddings scaled by `√hidden`, grouped-query attention with Q/K norms scaled by
/// `query_pre_attn_scalar^-½`, sliding and global layers with their own RoPE thetas, GeGLU (tanh GELU).
enum Gemma3Architecture: ArchitectureDefinition {
    static let modelTypes = ["gemma3_text"]
    static let classNamePrefixes = ["gemma3"]
    static let weightPrefixes = ["", "model."]
    static let probe = "embed_tokens.weight"

    static func build(_ config: ModelConfig, weights: some WeightSource) throws -> TransformerModel {
        try DecoderLayout(config, style: .gemma3).build(weights: weights, architectureName: config.architectureName ?? "Gemma3TextModel")
    }
}
