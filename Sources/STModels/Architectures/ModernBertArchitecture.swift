import STKernels

/// ModernBERT (`transformers.ModernBertModel`): pre-norm, no biases (by default), GeGLU, rotary positions with one
/// theta for global and one for local layers, local layers attending within `local_attention / 2` tokens either
/// side, the first layer without an attention norm, and a final norm.
enum ModernBertArchitecture: ArchitectureDefinition {
    static let modelTypes = ["modernbert"]
    static let classNamePrefixes = ["modernbert"]
    static let weightPrefixes = ["", "model."]
    static let probe = "embeddings.tok_embeddings.weight"

    static func build(_ config: ModelConfig, weights: some WeightSource) throws -> TransformerModel {
        let vocab = try config.int("vocab_size", default: 50368), hidden = try config.int("hidden_size", default: 768)
        let layers = try config.int("num_hidden_layers", default: 22), heads = try config.int("num_attention_heads", default: 12)
        let intermediate = try config.int("intermediate_size", default: 1152)
        let epsilon = try config.double("norm_eps", default: 1e-5)
        let normBias = try config.bool("norm_bias", default: false)
        let attentionBias = try config.bool("attention_bias", default: false), mlpBias = try config.bool("mlp_bias", default: false)
        try config.checkSizes(hidden: hidden, heads: heads, layers: layers, intermediate: intermediate, vocab: vocab, epsilon: epsilon)
        let every = try config.int("global_attn_every_n_layers", default: 3)
        let window = try config.int("local_attention", default: 128)
        guard every > 0, window > 0 else {
            throw ModelError.unreadableConfig(path: config.path, reason: "global_attn_every_n_layers and local_attention must be positive")
        }
        let sliding = try LayerTypes.read(config, layers: layers) { $0 % every != 0 }
        let rope = try RopeSettings.read(config, fullKey: "global_rope_theta", slidingKey: "local_rope_theta",
                                         fullDefault: 160_000, slidingDefault: 10_000)
        let activation = try config.activation("hidden_activation", default: "gelu")
        let headDim = hidden / heads
        func norm(_ source: some WeightSource, _ name: String) throws -> NormLayer {
            try NormLayer(source, name, kind: .layerNorm, channels: hidden, epsilon: epsilon, bias: normBias)
        }
        let embeddingWeights = weights.scoped("embeddings")
        let embeddings = try EmbeddingLayer(
            words: try embeddingWeights.parameter("tok_embeddings.weight", shape: [vocab, hidden]), positions: nil, tokenTypes: nil,
            paddingIndex: nil, norm: try norm(embeddingWeights, "norm"),
            maxSequenceLength: try config.int("max_position_embeddings", default: 8192), configPath: config.path)
        let blocks = try TransformerModel.buildBlocks(count: layers) { index in
            let layer = weights.scoped("layers.\(index)")
            let isSliding = sliding[index]
            let attention = SelfAttentionLayer(
                qkv: try layer.linear("attn.Wqkv", inFeatures: hidden, outFeatures: 3 * hidden, bias: attentionBias),
                output: try layer.linear("attn.Wo", inFeatures: hidden, outFeatures: hidden, bias: attentionBias),
                shape: AttentionShape(heads: heads, headDim: headDim, mask: isSliding ? .window(radius: window / 2) : .bidirectional),
                rotary: RotaryEmbedding(headDim: headDim, theta: isSliding ? rope.sliding : rope.full))
            let feedForward = FeedForwardLayer(
                up: try layer.linear("mlp.Wi", inFeatures: hidden, outFeatures: 2 * intermediate, bias: mlpBias),
                down: try layer.linear("mlp.Wo", inFeatures: intermediate, outFeatures: hidden, bias: mlpBias),
                activation: activation, gated: true)
            // Layer 0's attention norm is an Identity: the embeddings were just normalized.
            let attentionNorm = index == 0 && !layer.contains("attn_norm.weight") ? nil : try norm(layer, "attn_norm")
            return TransformerBlock(attention: attention, attentionNorms: .init(input: attentionNorm), feedForward: feedForward,
                                    feedForwardNorms: .init(input: try norm(layer, "mlp_norm")), hidden: hidden)
        }
        // ModernBERT drops inside its MLP (before Wo) and after the attention's Wo, where the shared block has no
        // dropout; the released checkpoints set every rate to 0, and so does training here for those two.
        let dropout = DropoutRates(embedding: Float(try config.double("embedding_dropout", default: 0)),
                                   attention: Float(try config.double("attention_dropout", default: 0)))
        return TransformerModel(architectureName: config.architectureName ?? "ModernBertModel", embeddings: embeddings, blocks: blocks,
                                finalNorm: try norm(weights, "final_norm"), dropoutRates: dropout)
    }
}
