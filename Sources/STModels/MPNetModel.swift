import Foundation
import STKernels
import STTensor

/// The MPNet encoder (`transformers.MPNetModel`, e.g. all-mpnet-base-v2): RoBERTa-style positions, no token types,
/// and a relative position bias shared by every layer (`encoder.relative_attention_bias`).
public struct MPNetModel: TransformerEncoder {
    public let config: BertConfig
    public let relativeAttentionNumBuckets: Int
    let stack: EncoderStack

    struct Extra: Decodable {
        var relativeAttentionNumBuckets: Int?
        enum CodingKeys: String, CodingKey { case relativeAttentionNumBuckets = "relative_attention_num_buckets" }
    }

    public init(config: BertConfig, relativeAttentionNumBuckets: Int = 32, weights: SafeTensorsFile, configPath: String = "config.json",
                precision: Precision = .float32) throws {
        var config = config
        config.typeVocabSize = 0
        try config.validate(configPath: configPath)
        let activation = try config.activation(configPath: configPath)
        var root = try WeightLoader(file: weights, probe: "embeddings.word_embeddings.weight", candidates: ["", "mpnet."])
        root.precision = precision
        self.config = config
        self.relativeAttentionNumBuckets = relativeAttentionNumBuckets
        let embeddings = try TransformerEmbeddings(
            root.scoped("embeddings"), vocabSize: config.vocabSize, hidden: config.hiddenSize,
            maxPositions: config.maxPositionEmbeddings, typeVocabSize: 0, layerNormEps: config.layerNormEps,
            paddingIndex: config.padTokenID)
        let encoder = root.scoped("encoder")
        let layers = try EncoderStack.buildLayers(count: config.numHiddenLayers) { index in
            try TransformerLayer(encoder.scoped("layer.\(index)"), names: .mpnet, hidden: config.hiddenSize,
                                 intermediateSize: config.intermediateSize, heads: config.numAttentionHeads,
                                 layerNormEps: config.layerNormEps, activation: activation)
        }
        let bias = try encoder.tensor("relative_attention_bias.weight", shape: [relativeAttentionNumBuckets, config.numAttentionHeads])
        stack = EncoderStack(embeddings: embeddings, layers: layers, intermediateSize: config.intermediateSize,
                             relativeBias: RelativePositionBias(weight: bias))
    }

    /// Loads `config.json` and `model.safetensors` from a Hugging Face model directory.
    public init(directory: URL) throws {
        let configURL = directory.appendingPathComponent("config.json")
        let config = try ConfigFile.decode(BertConfig.self, from: configURL)
        let extra = try ConfigFile.decode(Extra.self, from: configURL)
        try self.init(config: config, relativeAttentionNumBuckets: extra.relativeAttentionNumBuckets ?? 32,
                      weights: try ConfigFile.weights(in: directory), configPath: configURL.path)
    }

    public var hiddenSize: Int { config.hiddenSize }
    public var maxPositionEmbeddings: Int { stack.embeddings.maxSequenceLength }
    public var vocabSize: Int { stack.embeddings.vocabSize }
    public var architectureName: String { config.architectures?.first ?? "MPNetModel" }
    public var parameterCount: Int { stack.parameterCount }

    public func forward(_ batch: TokenBatch, outputHiddenStates: Bool = false) throws -> EncoderOutput {
        try stack.forward(batch, outputHiddenStates: outputHiddenStates)
    }

    /// The bucket of each (query, key) pair of a sequence of `length` tokens.
    public func relativePositionBuckets(length: Int) -> [[Int]] {
        guard let bias = stack.relativeBias else { return [] }
        return (0..<length).map { i in (0..<length).map { j in bias.bucket(j - i) } }
    }
}
