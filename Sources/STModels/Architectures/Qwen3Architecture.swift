import STKernels

/// Qwen3 (`transformers.Qwen3Model`, e.g. Qwen3-Embedding): a decoder used as an embedder — causal attention,
/// pre-norm RMSNorm, grouped-query attention with per-head Q/K RMSNorm before RoPE, SwiGLU, a final norm, no biases.
enum Qwen3Architecture: ArchitectureDefinition {
    static let modelTypes = ["qwen3"]
    static let classNamePrefixes = ["qwen3"]
    static let weightPrefixes = ["", "model."]
    static let probe = "embed_tokens.weight"

    static func build(_ config: ModelConfig, weights: some WeightSource) throws -> TransformerModel {
        try DecoderLayout(config, style: .qwen3).build(weights: weights, architectureName: config.architectureName ?? "Qwen3Model")
    }
}

/// The layer layout Qwen3 and Gemma 3 share (Llama's names: `self_attn.{q,k,v,o}_proj`, `mlp.{gate,up,down}_proj`,
/// `input_layernorm`, …), with what differs between them.
struct DecoderLayout {
    enum Style { case qwen3, gemma3 }

    let config: ModelConfig
    let style: Style
    let vocab: Int, hidden: Int, layers: Int, heads: Int, kvHeads: Int, headDim: Int, intermediate: Int
    let epsilon: Double
    let activation: Activation
    let attentionBias: Bool
    let maxPositions: Int

    init(_ config: ModelConfig, style: Style) throws {
        self.config = config
        self.style = style
        let gemma = style == .gemma3
        vocab = try config.int("vocab_size", default: gemma ? 262_208 : 151_936)
        hidden = try config.int("hidden_size", default: gemma ? 2304 : 4096)
        layers = try config.int("num_hidden_layers", default: gemma ? 26 : 32)
        heads = try config.int("num_attention_heads", default: gemma ? 8 : 32)
        kvHeads = try config.int("num_key_value_heads", default: gemma ? 4 : heads)
        headDim = try config.int("head_dim", default: gemma ? 256 : (heads > 0 ? hidden / heads : 0))
        intermediate = try config.int("intermediate_size", default: gemma ? 9216 : 22016)
        epsilon = try config.double("rms_norm_eps", default: 1e-6)
        activation = try config.activation(gemma ? "hidden_activation" : "hidden_act", default: gemma ? "gelu_pytorch_tanh" : "silu")
        attentionBias = try config.bool("attention_bias", default: false)
        maxPositions = try config.int("max_position_embeddings", default: gemma ? 131_072 : 32768)
        try config.checkSizes(hidden: hidden, heads: heads, kvHeads: kvHeads, headDim: headDim, layers: layers,
                              intermediate: intermediate, vocab: vocab, epsilon: epsilon)
        guard maxPositions > 0 else {
            throw ModelError.unreadableConfig(path: config.path, reason: "max_position_embeddings must be positive")
        }
    }

    func build(weights: some WeightSource, architectureName: String) throws -> TransformerModel {
        let gemma = style == .gemma3
        // Gemma stores w and scales by 1 + w.
        let normKind = NormLayer.Kind.rmsNorm(weightOffset: gemma ? 1 : 0)
        func norm(_ source: some WeightSource, _ name: String, channels: Int? = nil) throws -> NormLayer {
            try NormLayer(source, name, kind: normKind, channels: channels ?? hidden, epsilon: epsilon)
        }
        let masks = try attentionMasks()
        let rope = gemma
            ? try RopeSettings.read(config, fullKey: "rope_theta", slidingKey: "rope_local_base_freq", fullDefault: 1_000_000, slidingDefault: 10_000)
            : try RopeSettings.read(config, fullKey: "rope_theta", slidingKey: nil, fullDefault: 10_000, slidingDefault: 10_000)
        var scale: Float?
        if gemma {
            if try config.double("attn_logit_softcapping") != nil {
                throw ModelError.unreadableConfig(path: config.path, reason: "attn_logit_softcapping is not supported")
            }
            let scalar = try config.double("query_pre_attn_scalar", default: Double(headDim))
            guard scalar > 0 else { throw ModelError.unreadableConfig(path: config.path, reason: "query_pre_attn_scalar must be positive") }
            scale = Float(1 / scalar.squareRoot())
        }
        let embeddings = try EmbeddingLayer(
            words: try weights.parameter("embed_tokens.weight", shape: [vocab, hidden]), positions: nil, tokenTypes: nil,
            paddingIndex: nil, scale: gemma ? Float(Double(hidden).squareRoot()) : nil, norm: nil, maxSequenceLength: maxPositions,
            configPath: config.path)
        let blocks = try TransformerModel.buildBlocks(count: layers) { index in
            let layer = weights.scoped("layers.\(index)")
            let attentionWeights = layer.scoped("self_attn")
            let (mask, sliding) = masks[index]
            let attention = SelfAttentionLayer(
                qkv: try attentionWeights.linear(["q_proj", "k_proj", "v_proj"], inFeatures: hidden,
                                                 outFeatures: [heads * headDim, kvHeads * headDim, kvHeads * headDim], bias: attentionBias),
                output: try attentionWeights.linear("o_proj", inFeatures: heads * headDim, outFeatures: hidden, bias: attentionBias),
                shape: AttentionShape(heads: heads, kvHeads: kvHeads, headDim: headDim, scale: scale, mask: mask),
                queryNorm: try norm(attentionWeights, "q_norm", channels: headDim),
                keyNorm: try norm(attentionWeights, "k_norm", channels: headDim),
                rotary: RotaryEmbedding(headDim: headDim, theta: sliding ? rope.sliding : rope.full))
            let mlp = layer.scoped("mlp")
            let feedForward = FeedForwardLayer(
                up: try mlp.linear(["gate_proj", "up_proj"], inFeatures: hidden, outFeatures: [intermediate, intermediate], bias: false),
                down: try mlp.linear("down_proj", inFeatures: intermediate, outFeatures: hidden, bias: false),
                activation: activation, gated: true)
            let attentionNorms: TransformerBlock.Norms
            let feedForwardNorms: TransformerBlock.Norms
            if gemma {
                attentionNorms = .init(input: try norm(layer, "input_layernorm"), branch: try norm(layer, "post_attention_layernorm"))
                feedForwardNorms = .init(input: try norm(layer, "pre_feedforward_layernorm"), branch: try norm(layer, "post_feedforward_layernorm"))
            } else {
                attentionNorms = .init(input: try norm(layer, "input_layernorm"))
                feedForwardNorms = .init(input: try norm(layer, "post_attention_layernorm"))
            }
            return TransformerBlock(attention: attention, attentionNorms: attentionNorms, feedForward: feedForward,
                                    feedForwardNorms: feedForwardNorms, hidden: hidden)
        }
        let dropout = DropoutRates(attention: Float(try config.double("attention_dropout", default: 0)))
        return TransformerModel(architectureName: architectureName, embeddings: embeddings, blocks: blocks,
                                finalNorm: try norm(weights, "norm"), dropoutRates: dropout)
    }

    /// Each layer's mask and whether it is a sliding layer (which takes the sliding RoPE theta).
    private func attentionMasks() throws -> [(AttentionMask, Bool)] {
        switch style {
        case .qwen3:
            // Qwen3-Embedding runs with use_sliding_window false; a windowed Qwen3 is refused rather than run wrong.
            if try config.bool("use_sliding_window", default: false) {
                throw ModelError.unreadableConfig(path: config.path, reason: "use_sliding_window true is not supported for qwen3")
            }
            return Array(repeating: (.causal, false), count: max(0, layers))
        case .gemma3:
            let window = try config.int("sliding_window", default: 4096)
            let pattern = try config.int("sliding_window_pattern", default: 6)
            guard window > 0, pattern > 0 else {
                throw ModelError.unreadableConfig(path: config.path, reason: "sliding_window and sliding_window_pattern must be positive")
            }
            let bidirectional = try config.bool("use_bidirectional_attention", default: false)
            // layer_types wins; the `_sliding_window_pattern` transformers also writes is stale.
            let sliding = try LayerTypes.read(config, layers: layers) { ($0 + 1) % pattern != 0 }
            return sliding.map { isSliding in
                let mask: AttentionMask = bidirectional
                    ? (isSliding ? .window(radius: window / 2) : .bidirectional)
                    : (isSliding ? .causalWindow(size: window) : .causal)
                return (mask, isSliding)
            }
        }
    }
}
