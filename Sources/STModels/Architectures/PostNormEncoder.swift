import STKernels

/// The layer BERT, RoBERTa, DistilBERT and MPNet share: post-norm (LayerNorm with bias on each residual sum),
/// biased projections, one activation, bidirectional multi-head attention, absolute positions. The architectures
/// differ only in their config keys and weight names.
struct PostNormEncoder {
    /// Where each part's weights live, relative to the layer's prefix.
    struct Names {
        var query, key, value, attentionOutput, attentionLayerNorm, intermediate, output, outputLayerNorm: String

        static let bert = Names(
            query: "attention.self.query", key: "attention.self.key", value: "attention.self.value",
            attentionOutput: "attention.output.dense", attentionLayerNorm: "attention.output.LayerNorm",
            intermediate: "intermediate.dense", output: "output.dense", outputLayerNorm: "output.LayerNorm")
        static let distilBert = Names(
            query: "attention.q_lin", key: "attention.k_lin", value: "attention.v_lin",
            attentionOutput: "attention.out_lin", attentionLayerNorm: "sa_layer_norm",
            intermediate: "ffn.lin1", output: "ffn.lin2", outputLayerNorm: "output_layer_norm")
        static let mpnet = Names(
            query: "attention.attn.q", key: "attention.attn.k", value: "attention.attn.v",
            attentionOutput: "attention.attn.o", attentionLayerNorm: "attention.LayerNorm",
            intermediate: "intermediate.dense", output: "output.dense", outputLayerNorm: "output.LayerNorm")
    }

    var vocab: Int, hidden: Int, layers: Int, heads: Int, intermediate: Int
    var maxPositions: Int, typeVocab: Int, epsilon: Double
    var activation: Activation
    var paddingIndex: Int?
    var dropout: DropoutRates

    /// Embeddings under `embeddings.` and `layers` blocks under `layerPrefix` + index.
    func build(_ config: ModelConfig, weights: some WeightSource, names: Names, layerPrefix: String, architectureName: String,
               relativeBias: RelativePositionBias? = nil) throws -> TransformerModel {
        try config.checkSizes(hidden: hidden, heads: heads, layers: layers, intermediate: intermediate, vocab: vocab, epsilon: epsilon)
        guard maxPositions > 0, typeVocab >= 0 else {
            throw ModelError.unreadableConfig(path: config.path, reason: "max_position_embeddings and type_vocab_size must be positive")
        }
        let embeddingWeights = weights.scoped("embeddings")
        // No token types while the checkpoint has them would silently drop a summand of every embedding.
        if typeVocab == 0, embeddingWeights.contains("token_type_embeddings.weight") {
            throw ModelError.unreadableConfig(path: config.path, reason: "type_vocab_size is 0 but the weights have embeddings.token_type_embeddings.weight")
        }
        let embeddings = try EmbeddingLayer(
            words: try embeddingWeights.parameter("word_embeddings.weight", shape: [vocab, hidden]),
            positions: try embeddingWeights.parameter("position_embeddings.weight", shape: [maxPositions, hidden]),
            tokenTypes: typeVocab > 0 ? try embeddingWeights.parameter("token_type_embeddings.weight", shape: [typeVocab, hidden]) : nil,
            paddingIndex: paddingIndex,
            norm: try NormLayer(embeddingWeights, "LayerNorm", kind: .layerNorm, channels: hidden, epsilon: epsilon, bias: true),
            configPath: config.path)
        let blocks = try TransformerModel.buildBlocks(count: layers) { index in
            let layer = weights.scoped("\(layerPrefix)\(index)")
            let attention = SelfAttentionLayer(
                qkv: try layer.linear([names.query, names.key, names.value], inFeatures: hidden, outFeatures: [hidden, hidden, hidden], bias: true),
                output: try layer.linear(names.attentionOutput, inFeatures: hidden, outFeatures: hidden, bias: true),
                shape: AttentionShape(heads: heads, headDim: hidden / heads))
            let feedForward = FeedForwardLayer(
                up: try layer.linear(names.intermediate, inFeatures: hidden, outFeatures: intermediate, bias: true),
                down: try layer.linear(names.output, inFeatures: intermediate, outFeatures: hidden, bias: true),
                activation: activation, gated: false)
            return TransformerBlock(
                attention: attention,
                attentionNorms: .init(residual: try NormLayer(layer, names.attentionLayerNorm, kind: .layerNorm, channels: hidden, epsilon: epsilon, bias: true)),
                feedForward: feedForward,
                feedForwardNorms: .init(residual: try NormLayer(layer, names.outputLayerNorm, kind: .layerNorm, channels: hidden, epsilon: epsilon, bias: true)),
                hidden: hidden)
        }
        return TransformerModel(architectureName: architectureName, embeddings: embeddings, blocks: blocks,
                                relativeBias: relativeBias, dropoutRates: dropout)
    }

    /// The sizes under BERT's key names (`transformers.BertConfig` defaults).
    static func bertSizes(_ config: ModelConfig) throws -> PostNormEncoder {
        let positionType = try config.string("position_embedding_type", default: "absolute")
        guard positionType == "absolute" else {
            throw ModelError.unreadableConfig(path: config.path, reason: "position_embedding_type '\(positionType)' is not supported (only 'absolute')")
        }
        return PostNormEncoder(
            vocab: try config.int("vocab_size", default: 30522), hidden: try config.int("hidden_size", default: 768),
            layers: try config.int("num_hidden_layers", default: 12), heads: try config.int("num_attention_heads", default: 12),
            intermediate: try config.int("intermediate_size", default: 3072),
            maxPositions: try config.int("max_position_embeddings", default: 512),
            typeVocab: try config.int("type_vocab_size", default: 2), epsilon: try config.double("layer_norm_eps", default: 1e-12),
            activation: try config.activation("hidden_act", default: "gelu"), paddingIndex: nil,
            dropout: DropoutRates(embedding: Float(try config.double("hidden_dropout_prob", default: 0.1)),
                                  hidden: Float(try config.double("hidden_dropout_prob", default: 0.1)),
                                  attention: Float(try config.double("attention_probs_dropout_prob", default: 0.1))))
    }
}

/// BERT (`transformers.BertModel` without the pooler).
enum BertArchitecture: ArchitectureDefinition {
    static let modelTypes = ["bert"]
    static let classNamePrefixes = ["bert"]
    static let classificationHead = SequenceClassificationHead.Layout.bertPooler
    static let weightPrefixes = ["", "bert.", "model."]
    static let probe = "embeddings.word_embeddings.weight"

    static func build(_ config: ModelConfig, weights: some WeightSource) throws -> TransformerModel {
        try PostNormEncoder.bertSizes(config).build(config, weights: weights, names: .bert, layerPrefix: "encoder.layer.",
                                                    architectureName: config.architectureName ?? "BertModel")
    }
}

/// RoBERTa, XLM-R and CamemBERT: BERT's layers, positions numbered from `pad_token_id + 1`.
enum XLMRobertaArchitecture: ArchitectureDefinition {
    static let modelTypes = ["roberta", "xlm-roberta", "camembert"]
    static let classNamePrefixes = ["xlmroberta", "roberta", "camembert"]
    static let weightPrefixes = ["", "roberta.", "xlm_roberta.", "camembert.", "model."]
    static let probe = "embeddings.word_embeddings.weight"

    static func build(_ config: ModelConfig, weights: some WeightSource) throws -> TransformerModel {
        var sizes = try PostNormEncoder.bertSizes(config)
        sizes.paddingIndex = try config.int("pad_token_id", default: 1)
        return try sizes.build(config, weights: weights, names: .bert, layerPrefix: "encoder.layer.",
                               architectureName: config.architectureName ?? "RobertaModel")
    }
}

/// DistilBERT (its own key names: `dim`, `n_layers`, `n_heads`, `hidden_dim`, `activation`; no token types).
enum DistilBertArchitecture: ArchitectureDefinition {
    static let modelTypes = ["distilbert"]
    static let classNamePrefixes = ["distilbert"]
    static let classificationHead = SequenceClassificationHead.Layout.distilBert
    static let weightPrefixes = ["", "distilbert."]
    static let probe = "embeddings.word_embeddings.weight"

    static func build(_ config: ModelConfig, weights: some WeightSource) throws -> TransformerModel {
        let sizes = PostNormEncoder(
            vocab: try config.int("vocab_size", default: 30522), hidden: try config.int("dim", default: 768),
            layers: try config.int("n_layers", default: 6), heads: try config.int("n_heads", default: 12),
            intermediate: try config.int("hidden_dim", default: 3072),
            maxPositions: try config.int("max_position_embeddings", default: 512), typeVocab: 0,
            // DistilBERT's LayerNorm epsilon is fixed.
            epsilon: 1e-12, activation: try config.activation("activation", default: "gelu"), paddingIndex: nil,
            dropout: DropoutRates(embedding: Float(try config.double("dropout", default: 0.1)),
                                  hidden: Float(try config.double("dropout", default: 0.1)),
                                  attention: Float(try config.double("attention_dropout", default: 0.1))))
        return try sizes.build(config, weights: weights, names: .distilBert, layerPrefix: "transformer.layer.",
                               architectureName: config.architectureName ?? "DistilBertModel")
    }
}

/// MPNet (`transformers.MPNetModel`, e.g. all-mpnet-base-v2): RoBERTa-style positions, no token types, and a
/// relative position bias shared by every layer (`encoder.relative_attention_bias`).
enum MPNetArchitecture: ArchitectureDefinition {
    static let modelTypes = ["mpnet"]
    static let classNamePrefixes = ["mpnet"]
    static let weightPrefixes = ["", "mpnet."]
    static let probe = "embeddings.word_embeddings.weight"

    static func build(_ config: ModelConfig, weights: some WeightSource) throws -> TransformerModel {
        var sizes = try PostNormEncoder.bertSizes(config)
        sizes.typeVocab = 0
        sizes.paddingIndex = try config.int("pad_token_id", default: 1)
        let buckets = try config.int("relative_attention_num_buckets", default: 32)
        guard buckets > 1 else {
            throw ModelError.unreadableConfig(path: config.path, reason: "relative_attention_num_buckets \(buckets) must be at least 2")
        }
        let bias = RelativePositionBias(weight: try weights.parameter("encoder.relative_attention_bias.weight", shape: [buckets, sizes.heads]))
        return try sizes.build(config, weights: weights, names: .mpnet, layerPrefix: "encoder.layer.",
                               architectureName: config.architectureName ?? "MPNetModel", relativeBias: bias)
    }
}
