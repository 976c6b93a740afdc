import Foundation
import STKernels

/// A BERT `config.json`. Property names are the camelCase of the Hugging Face keys; a missing key takes the
/// `transformers.BertConfig` default.
public struct BertConfig: Decodable, Sendable, Equatable {
    public var vocabSize = 30522
    public var hiddenSize = 768
    public var numHiddenLayers = 12
    public var numAttentionHeads = 12
    public var intermediateSize = 3072
    public var hiddenAct = "gelu"
    public var hiddenDropoutProb: Double = 0.1
    public var attentionProbsDropoutProb: Double = 0.1
    public var maxPositionEmbeddings = 512
    public var typeVocabSize = 2
    public var layerNormEps: Double = 1e-12
    public var padTokenID = 0
    public var positionEmbeddingType = "absolute"
    public var modelType = "bert"
    public var architectures: [String]?

    enum CodingKeys: String, CodingKey {
        case vocabSize = "vocab_size", hiddenSize = "hidden_size", numHiddenLayers = "num_hidden_layers"
        case numAttentionHeads = "num_attention_heads", intermediateSize = "intermediate_size", hiddenAct = "hidden_act"
        case hiddenDropoutProb = "hidden_dropout_prob", attentionProbsDropoutProb = "attention_probs_dropout_prob"
        case maxPositionEmbeddings = "max_position_embeddings", typeVocabSize = "type_vocab_size"
        case layerNormEps = "layer_norm_eps", padTokenID = "pad_token_id"
        case positionEmbeddingType = "position_embedding_type", modelType = "model_type", architectures
    }

    public init() {}

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        vocabSize = try c.decodeIfPresent(Int.self, forKey: .vocabSize) ?? vocabSize
        hiddenSize = try c.decodeIfPresent(Int.self, forKey: .hiddenSize) ?? hiddenSize
        numHiddenLayers = try c.decodeIfPresent(Int.self, forKey: .numHiddenLayers) ?? numHiddenLayers
        numAttentionHeads = try c.decodeIfPresent(Int.self, forKey: .numAttentionHeads) ?? numAttentionHeads
        intermediateSize = try c.decodeIfPresent(Int.self, forKey: .intermediateSize) ?? intermediateSize
        hiddenAct = try c.decodeIfPresent(String.self, forKey: .hiddenAct) ?? hiddenAct
        hiddenDropoutProb = try c.decodeIfPresent(Double.self, forKey: .hiddenDropoutProb) ?? hiddenDropoutProb
        attentionProbsDropoutProb = try c.decodeIfPresent(Double.self, forKey: .attentionProbsDropoutProb) ?? attentionProbsDropoutProb
        maxPositionEmbeddings = try c.decodeIfPresent(Int.self, forKey: .maxPositionEmbeddings) ?? maxPositionEmbeddings
        typeVocabSize = try c.decodeIfPresent(Int.self, forKey: .typeVocabSize) ?? typeVocabSize
        layerNormEps = try c.decodeIfPresent(Double.self, forKey: .layerNormEps) ?? layerNormEps
        padTokenID = try c.decodeIfPresent(Int.self, forKey: .padTokenID) ?? padTokenID
        positionEmbeddingType = try c.decodeIfPresent(String.self, forKey: .positionEmbeddingType) ?? positionEmbeddingType
        modelType = try c.decodeIfPresent(String.self, forKey: .modelType) ?? modelType
        architectures = try c.decodeIfPresent([String].self, forKey: .architectures)
    }

    /// The activation named by `hidden_act`.
    public func activation(configPath: String) throws -> Activation {
        switch hiddenAct {
        case "gelu": return .gelu
        case "gelu_new", "gelu_pytorch_tanh", "gelu_fast": return .geluTanh
        case "relu": return .relu
        case "tanh": return .tanh
        default: throw ModelError.unsupportedActivation(name: hiddenAct, path: configPath)
        }
    }

    /// Checks the sizes fit together before any weight is read.
    public func validate(configPath: String) throws {
        guard hiddenSize > 0, numAttentionHeads > 0, hiddenSize % numAttentionHeads == 0 else {
            throw ModelError.unreadableConfig(path: configPath, reason: "hidden_size \(hiddenSize) is not a multiple of num_attention_heads \(numAttentionHeads)")
        }
        guard numHiddenLayers >= 0, intermediateSize > 0, vocabSize > 0, maxPositionEmbeddings > 0, typeVocabSize >= 0 else {
            throw ModelError.unreadableConfig(path: configPath, reason: "sizes must be positive")
        }
        guard layerNormEps.isFinite, layerNormEps >= 0 else {
            throw ModelError.unreadableConfig(path: configPath, reason: "layer_norm_eps \(layerNormEps) must be a finite number ≥ 0")
        }
        guard positionEmbeddingType == "absolute" else {
            throw ModelError.unreadableConfig(path: configPath, reason: "position_embedding_type '\(positionEmbeddingType)' is not supported (only 'absolute')")
        }
    }
}
