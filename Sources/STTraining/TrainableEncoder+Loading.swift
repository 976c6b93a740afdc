import Foundation
import STKernels
import STModels
import STTensor

/// Which architectures train, and how their checkpoints are read into a ``ParameterSet``.
extension TrainableEncoder {
    /// What differs between the supported architectures.
    struct Architecture {
        var names: TransformerLayer.Names
        var prefixes: [String]
        var hasTokenTypes: Bool
        /// RoBERTa and MPNet number positions from `paddingIndex + 1` and give padding tokens `paddingIndex`.
        var paddingIndex: Int?
        /// MPNet's relative position buckets.
        var relativeBuckets: Int?

        static func of(_ config: BertConfig, buckets: Int?, configPath: String) throws -> Architecture {
            switch config.modelType {
            case "bert":
                return Architecture(names: .bert, prefixes: ["", "bert."], hasTokenTypes: true, paddingIndex: nil)
            case "roberta", "xlm-roberta", "camembert":
                return Architecture(names: .bert, prefixes: ["", "roberta.", "xlm_roberta.", "camembert."],
                                    hasTokenTypes: config.typeVocabSize > 0, paddingIndex: config.padTokenID)
            case "mpnet":
                return Architecture(names: .mpnet, prefixes: ["", "mpnet."], hasTokenTypes: false,
                                    paddingIndex: config.padTokenID, relativeBuckets: buckets ?? 32)
            default:
                throw TrainingError.unsupported("training supports BERT, RoBERTa, XLM-R, CamemBERT and MPNet encoders; \(configPath) has model_type '\(config.modelType)'")
            }
        }
    }

    fileprivate struct ExtraConfig: Decodable {
        var relativeAttentionNumBuckets: Int?
        enum CodingKeys: String, CodingKey { case relativeAttentionNumBuckets = "relative_attention_num_buckets" }
    }

    /// Reads `config.json` and the safetensors weights of `directory` into a new parameter set; `builder` may already
    /// hold other modules' parameters, and receives this model's after them.
    static func load(directory: URL, builder: inout ParameterSet.Builder) throws -> (BertConfig, LoadedWeights) {
        let configURL = directory.appendingPathComponent("config.json")
        var config = try ConfigFile.decode(BertConfig.self, from: configURL)
        let extra = try ConfigFile.decode(ExtraConfig.self, from: configURL)
        let architecture = try Architecture.of(config, buckets: extra.relativeAttentionNumBuckets, configPath: configURL.path)
        if !architecture.hasTokenTypes { config.typeVocabSize = 0 }
        try config.validate(configPath: configURL.path)
        let file = try ConfigFile.weights(in: directory)
        let root = try WeightLoader(file: file, probe: "embeddings.word_embeddings.weight", candidates: architecture.prefixes)
        let c = config.hiddenSize, i = config.intermediateSize
        let names = architecture.names
        func add(_ name: String, _ shape: [Int]) throws -> Int {
            builder.add(file: Self.file, key: "\(root.prefix)\(name)", tensor: try root.tensor(name, shape: shape))
        }
        var loaded = LoadedWeights(architecture: architecture)
        loaded.word = try add("embeddings.word_embeddings.weight", [config.vocabSize, c])
        loaded.position = try add("embeddings.position_embeddings.weight", [config.maxPositionEmbeddings, c])
        if architecture.hasTokenTypes {
            loaded.type = try add("embeddings.token_type_embeddings.weight", [config.typeVocabSize, c])
        }
        loaded.normWeight = try add("embeddings.LayerNorm.weight", [c])
        loaded.normBias = try add("embeddings.LayerNorm.bias", [c])
        for index in 0..<config.numHiddenLayers {
            let p = "encoder.layer.\(index)."
            var o = LayerOffsets()
            o.qkvWeight = try add(p + names.query + ".weight", [c, c])
            _ = try add(p + names.key + ".weight", [c, c])
            _ = try add(p + names.value + ".weight", [c, c])
            o.qkvBias = try add(p + names.query + ".bias", [c])
            _ = try add(p + names.key + ".bias", [c])
            _ = try add(p + names.value + ".bias", [c])
            o.attentionOutputWeight = try add(p + names.attentionOutput + ".weight", [c, c])
            o.attentionOutputBias = try add(p + names.attentionOutput + ".bias", [c])
            o.attentionNormWeight = try add(p + names.attentionLayerNorm + ".weight", [c])
            o.attentionNormBias = try add(p + names.attentionLayerNorm + ".bias", [c])
            o.intermediateWeight = try add(p + names.intermediate + ".weight", [i, c])
            o.intermediateBias = try add(p + names.intermediate + ".bias", [i])
            o.outputWeight = try add(p + names.output + ".weight", [c, i])
            o.outputBias = try add(p + names.output + ".bias", [c])
            o.outputNormWeight = try add(p + names.outputLayerNorm + ".weight", [c])
            o.outputNormBias = try add(p + names.outputLayerNorm + ".bias", [c])
            loaded.layers.append(o)
        }
        if let buckets = architecture.relativeBuckets {
            let key = "encoder.relative_attention_bias.weight"
            let tensor = try root.tensor(key, shape: [buckets, config.numAttentionHeads])
            loaded.relative = builder.add(file: Self.file, key: "\(root.prefix)\(key)", tensor: tensor)
            loaded.relativeBias = RelativePositionBias(weight: tensor)
        }
        for name in file.tensorNames where name.hasPrefix("\(root.prefix)pooler.") {
            loaded.frozen[name] = try file.tensor(named: name)
        }
        return (config, loaded)
    }

    struct LoadedWeights {
        var architecture: Architecture
        var word = 0, position = 0, normWeight = 0, normBias = 0
        var type: Int?
        var layers: [LayerOffsets] = []
        var relative: Int?
        var relativeBias: RelativePositionBias?
        var frozen: [String: Tensor] = [:]
    }
}
