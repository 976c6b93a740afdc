import Foundation
import STKernels
import STTensor

/// A DistilBERT `config.json` (its own key names: `dim`, `n_layers`, `n_heads`, `hidden_dim`, `activation`).
public struct DistilBertConfig: Decodable, Sendable, Equatable {
    public var vocabSize = 30522
    public var dim = 768
    public var nLayers = 6
    public var nHeads = 12
    public var hiddenDim = 3072
    public var activation = "gelu"
    public var maxPositionEmbeddings = 512
    public var padTokenID = 0
    public var architectures: [String]?

    enum CodingKeys: String, CodingKey {
        case vocabSize = "vocab_size", dim, nLayers = "n_layers", nHeads = "n_heads", hiddenDim = "hidden_dim", activation
        case maxPositionEmbeddings = "max_position_embeddings", padTokenID = "pad_token_id", architectures
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        vocabSize = try c.decodeIfPresent(Int.self, forKey: .vocabSize) ?? vocabSize
        dim = try c.decodeIfPresent(Int.self, forKey: .dim) ?? dim
        nLayers = try c.decodeIfPresent(Int.self, forKey: .nLayers) ?? nLayers
        nHeads = try c.decodeIfPresent(Int.self, forKey: .nHeads) ?? nHeads
        hiddenDim = try c.decodeIfPresent(Int.self, forKey: .hiddenDim) ?? hiddenDim
        activation = try c.decodeIfPresent(String.self, forKey: .activation) ?? activation
        maxPositionEmbeddings = try c.decodeIfPresent(Int.self, forKey: .maxPositionEmbeddings) ?? maxPositionEmbeddings
        padTokenID = try c.decodeIfPresent(Int.self, forKey: .padTokenID) ?? padTokenID
        architectures = try c.decodeIfPresent([String].self, forKey: .architectures)
    }

    /// The same sizes in BERT terms (DistilBERT's LayerNorm epsilon is fixed at 1e-12, no token types).
    var asBert: BertConfig {
        var config = BertConfig()
        config.vocabSize = vocabSize
        config.hiddenSize = dim
        config.numHiddenLayers = nLayers
        config.numAttentionHeads = nHeads
        config.intermediateSize = hiddenDim
        config.hiddenAct = activation
        config.maxPositionEmbeddings = maxPositionEmbeddings
        config.typeVocabSize = 0
        config.layerNormEps = 1e-12
        config.padTokenID = padTokenID
        config.modelType = "distilbert"
        config.architectures = architectures
        return config
    }
}

/// The DistilBERT encoder (`transformers.DistilBertModel`): BERT's layer with other weight names, no token types.
public struct DistilBertModel: TransformerEncoder {
    public let config: DistilBertConfig
    let stack: EncoderStack

    public init(config: DistilBertConfig, weights: SafeTensorsFile, configPath: String = "config.json", precision: Precision = .float32) throws {
        let bert = config.asBert
        try bert.validate(configPath: configPath)
        let activation = try bert.activation(configPath: configPath)
        var root = try WeightLoader(file: weights, probe: "embeddings.word_embeddings.weight", candidates: ["", "distilbert."])
        root.precision = precision
        self.config = config
        let embeddings = try TransformerEmbeddings(
            root.scoped("embeddings"), vocabSize: bert.vocabSize, hidden: bert.hiddenSize, maxPositions: bert.maxPositionEmbeddings,
            typeVocabSize: 0, layerNormEps: bert.layerNormEps, paddingIndex: nil)
        let layers = try EncoderStack.buildLayers(count: bert.numHiddenLayers) { index in
            try TransformerLayer(root.scoped("transformer.layer.\(index)"), names: .distilBert, hidden: bert.hiddenSize,
                                 intermediateSize: bert.intermediateSize, heads: bert.numAttentionHeads,
                                 layerNormEps: bert.layerNormEps, activation: activation)
        }
        stack = EncoderStack(embeddings: embeddings, layers: layers, intermediateSize: bert.intermediateSize, relativeBias: nil)
    }

    public var hiddenSize: Int { config.dim }
    public var maxPositionEmbeddings: Int { stack.embeddings.maxSequenceLength }
    public var vocabSize: Int { stack.embeddings.vocabSize }
    public var architectureName: String { config.architectures?.first ?? "DistilBertModel" }
    public var parameterCount: Int { stack.parameterCount }

    public func forward(_ batch: TokenBatch, outputHiddenStates: Bool = false) throws -> EncoderOutput {
        try stack.forward(batch, outputHiddenStates: outputHiddenStates)
    }
}
