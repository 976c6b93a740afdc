import Foundation
import STKernels
import STTensor

/// Chooses the encoder implementation from a model directory's `config.json` (`model_type`).
public enum Architectures {
    /// The `model_type` values this library runs.
    public static let supported = ["bert", "camembert", "distilbert", "mpnet", "roberta", "xlm-roberta"]

    struct Probe: Decodable {
        var modelType: String?
        var architectures: [String]?
        enum CodingKeys: String, CodingKey { case modelType = "model_type", architectures }
    }

    /// The `model_type` of `config.json`, guessed from `architectures` in files that lack it.
    public static func modelType(of configURL: URL) throws -> String {
        let probe = try ConfigFile.decode(Probe.self, from: configURL)
        if let type = probe.modelType { return type }
        let architecture = probe.architectures?.first?.lowercased() ?? ""
        for (prefix, type) in [("xlmroberta", "xlm-roberta"), ("distilbert", "distilbert"), ("mpnet", "mpnet"),
                               ("roberta", "roberta"), ("camembert", "camembert"), ("bert", "bert")] where architecture.hasPrefix(prefix) {
            return type
        }
        return ""
    }

    /// Loads the encoder stored in `directory` (`config.json` + `model.safetensors`, or `model.VARIANT.safetensors`
    /// for a `variant` such as `"fp16"`; F16 and BF16 weights are converted to Float32 once).
    /// `precision` chooses the arithmetic of the transformer projections (``Precision``).
    ///
    /// - Throws: ``InstructionSetError`` when `SBERT_ISA` names a kernel path this CPU cannot run, ``ModelError`` for
    ///   a missing or unsupported model.
    public static func loadEncoder(from directory: URL, variant: String? = nil, precision: Precision = .float32) throws -> any TransformerEncoder {
        // Projections are packed for the kernel path at load: a wrong SBERT_ISA must fail before anything is packed.
        try InstructionSet.validateEnvironment()
        let configURL = directory.appendingPathComponent("config.json")
        let modelType = try modelType(of: configURL)
        guard supported.contains(modelType) else {
            throw ModelError.unsupportedArchitecture(modelType: modelType.isEmpty ? "(no model_type)" : modelType, supported: supported)
        }
        let weights = try ConfigFile.weights(in: directory, variant: variant)
        switch modelType {
        case "distilbert":
            return try DistilBertModel(config: try ConfigFile.decode(DistilBertConfig.self, from: configURL), weights: weights, configPath: configURL.path, precision: precision)
        case "mpnet":
            let extra = try ConfigFile.decode(MPNetModel.Extra.self, from: configURL)
            return try MPNetModel(config: try ConfigFile.decode(BertConfig.self, from: configURL),
                                  relativeAttentionNumBuckets: extra.relativeAttentionNumBuckets ?? 32, weights: weights, configPath: configURL.path,
                                  precision: precision)
        default:
            return try BertModel(config: try ConfigFile.decode(BertConfig.self, from: configURL), weights: weights, configPath: configURL.path,
                                 precision: precision)
        }
    }
}
