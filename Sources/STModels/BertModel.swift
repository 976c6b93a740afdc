import Foundation
import STKernels
import STTensor

/// The BERT encoder (`transformers.BertModel` without the pooler): embeddings and `numHiddenLayers` layers.
///
/// ```swift
/// let bert = try BertModel(directory: URL(fileURLWithPath: "all-MiniLM-L6-v2"))
/// let output = try bert.forward(TokenBatch([(inputIDs: [101, 7592, 102], tokenTypeIDs: [])]), outputHiddenStates: false)
/// ```
public struct BertModel: TransformerEncoder {
    public let config: BertConfig
    let embeddings: BertEmbeddings
    let layers: [BertLayer]

    /// Key prefixes under which checkpoints store the encoder: a bare `BertModel`, or one inside a model with a head.
    static let prefixes = ["", "bert.", "model."]

    public init(config: BertConfig, weights: SafeTensorsFile, configPath: String = "config.json") throws {
        try config.validate(configPath: configPath)
        let activation = try config.activation(configPath: configPath)
        let root = try WeightLoader(file: weights, probe: "embeddings.word_embeddings.weight", candidates: Self.prefixes)
        self.config = config
        embeddings = try BertEmbeddings(root.scoped("embeddings"), config: config)
        let encoder = root.scoped("encoder")
        layers = try (0..<config.numHiddenLayers).map { index in
            try BertLayer(encoder.scoped("layer.\(index)"), config: config, activation: activation)
        }
    }

    /// Loads `config.json` and `model.safetensors` from a Hugging Face model directory.
    public init(directory: URL) throws {
        let configURL = directory.appendingPathComponent("config.json")
        let config: BertConfig
        do {
            config = try JSONDecoder().decode(BertConfig.self, from: Data(contentsOf: configURL))
        } catch {
            throw ModelError.unreadableConfig(path: configURL.path, reason: "\(error)")
        }
        let weights = try SafeTensorsFile(path: directory.appendingPathComponent("model.safetensors").path)
        try self.init(config: config, weights: weights, configPath: configURL.path)
    }

    public var hiddenSize: Int { config.hiddenSize }
    public var maxPositionEmbeddings: Int { config.maxPositionEmbeddings }
    public var architectureName: String { config.architectures?.first ?? "BertModel" }
    public var parameterCount: Int { embeddings.parameterCount + layers.reduce(0) { $0 + $1.parameterCount } }

    public func forward(_ batch: TokenBatch, outputHiddenStates: Bool = false) throws -> EncoderOutput {
        try validate(batch)
        let hidden = config.hiddenSize
        let tokens = batch.tokenCount
        var states = [Float](repeating: 0, count: tokens * hidden)
        var allStates: [[Float]] = []
        let scratch = BertScratch(tokens: tokens, hidden: hidden, intermediate: config.intermediateSize)
        states.withUnsafeMutableBufferPointer { buffer in
            guard let x = buffer.baseAddress else { return }
            embeddings.forward(batch, into: x)
            if outputHiddenStates { allStates.append(Array(buffer)) }
            for layer in layers {
                layer.forward(x, sequences: batch.sequences, tokens: tokens, scratch: scratch)
                if outputHiddenStates { allStates.append(Array(buffer)) }
            }
        }
        return EncoderOutput(lastHiddenState: states, hiddenStates: allStates, hiddenSize: hidden)
    }

    private func validate(_ batch: TokenBatch) throws {
        for (index, sequence) in batch.sequences.enumerated() where sequence.count > config.maxPositionEmbeddings {
            throw ModelError.invalidInput("sequence \(index) has \(sequence.count) tokens; the model takes at most \(config.maxPositionEmbeddings)")
        }
        if let id = batch.inputIDs.first(where: { $0 < 0 || Int($0) >= config.vocabSize }) {
            throw ModelError.invalidInput("token id \(id) is outside the vocabulary (size \(config.vocabSize))")
        }
        let typeLimit = max(1, config.typeVocabSize)
        if let type = batch.tokenTypeIDs.first(where: { $0 < 0 || Int($0) >= typeLimit }) {
            throw ModelError.invalidInput("token type id \(type) is outside 0..<\(typeLimit)")
        }
    }
}
