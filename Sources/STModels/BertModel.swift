import Foundation
import STKernels
import STTensor

/// The BERT encoder (`transformers.BertModel` without the pooler), and the RoBERTa family that shares its layers:
/// `RobertaModel`, `XLMRobertaModel`, `CamembertModel` number positions from `pad_token_id + 1`.
///
/// ```swift
/// let bert = try BertModel(directory: URL(fileURLWithPath: "all-MiniLM-L6-v2"))
/// let output = try bert.forward(try TokenBatch([(inputIDs: [101, 7592, 102], tokenTypeIDs: [])]), outputHiddenStates: false)
/// ```
public struct BertModel: TransformerEncoder {
    public let config: BertConfig
    let stack: EncoderStack

    /// `model_type` values whose positions start after the padding index.
    static let robertaFamily: Set<String> = ["roberta", "xlm-roberta", "camembert"]

    /// Key prefixes under which checkpoints store the encoder: a bare model, or one inside a model with a head.
    static let prefixes = ["", "bert.", "roberta.", "xlm_roberta.", "camembert.", "model."]

    public init(config: BertConfig, weights: SafeTensorsFile, configPath: String = "config.json", precision: Precision = .float32) throws {
        try config.validate(configPath: configPath)
        let activation = try config.activation(configPath: configPath)
        var root = try WeightLoader(file: weights, probe: "embeddings.word_embeddings.weight", candidates: Self.prefixes)
        root.precision = precision
        self.config = config
        let embeddings = try TransformerEmbeddings(
            root.scoped("embeddings"), vocabSize: config.vocabSize, hidden: config.hiddenSize,
            maxPositions: config.maxPositionEmbeddings, typeVocabSize: config.typeVocabSize,
            layerNormEps: config.layerNormEps,
            paddingIndex: Self.robertaFamily.contains(config.modelType) ? config.padTokenID : nil)
        let encoder = root.scoped("encoder")
        let layers = try EncoderStack.buildLayers(count: config.numHiddenLayers) { index in
            try TransformerLayer(encoder.scoped("layer.\(index)"), names: .bert, hidden: config.hiddenSize,
                                 intermediateSize: config.intermediateSize, heads: config.numAttentionHeads,
                                 layerNormEps: config.layerNormEps, activation: activation)
        }
        stack = EncoderStack(embeddings: embeddings, layers: layers, intermediateSize: config.intermediateSize, relativeBias: nil)
    }

    /// Loads `config.json` and `model.safetensors` from a Hugging Face model directory.
    public init(directory: URL) throws {
        let configURL = directory.appendingPathComponent("config.json")
        let config = try ConfigFile.decode(BertConfig.self, from: configURL)
        try self.init(config: config, weights: try ConfigFile.weights(in: directory), configPath: configURL.path)
    }

    public var hiddenSize: Int { config.hiddenSize }
    public var maxPositionEmbeddings: Int { stack.embeddings.maxSequenceLength }
    public var vocabSize: Int { stack.embeddings.vocabSize }
    public var architectureName: String { config.architectures?.first ?? "BertModel" }
    public var parameterCount: Int { stack.parameterCount }

    public func forward(_ batch: TokenBatch, outputHiddenStates: Bool = false) throws -> EncoderOutput {
        try stack.forward(batch, outputHiddenStates: outputHiddenStates)
    }
}
