import Foundation
import STKernels
import STTensor

/// The one registry of the architectures this library runs, by `config.json`'s `model_type`.
public enum Architectures {
    /// Every architecture, in the order `architectures` class-name prefixes are tried.
    public static let all: [any ArchitectureDefinition.Type] = [
        XLMRobertaArchitecture.self, DistilBertArchitecture.self, MPNetArchitecture.self, BertArchitecture.self,
        ModernBertArchitecture.self, Qwen3Architecture.self, Gemma3Architecture.self,
    ]

    /// The `model_type` values this library runs.
    public static var supported: [String] { all.flatMap { $0.modelTypes }.sorted() }

    /// The `model_type` of `config`, guessed from `architectures` in files that lack it ("" when neither says).
    public static func modelType(of config: ModelConfig) -> String {
        if let type = config.modelType { return type }
        let name = config.architectureName?.lowercased() ?? ""
        for definition in all {
            if definition.classNamePrefixes.contains(where: { name.hasPrefix($0) }), let type = definition.modelTypes.first {
                return type
            }
        }
        return ""
    }

    /// The `model_type` of `configURL` (see ``modelType(of:)``).
    public static func modelType(of configURL: URL) throws -> String { modelType(of: try ModelConfig(contentsOf: configURL)) }

    /// The definition for `config`.
    /// - Throws: ``ModelError/unsupportedArchitecture(modelType:supported:)``.
    public static func definition(for config: ModelConfig) throws -> any ArchitectureDefinition.Type {
        let type = modelType(of: config)
        guard let definition = all.first(where: { $0.modelTypes.contains(type) }) else {
            throw ModelError.unsupportedArchitecture(modelType: type.isEmpty ? "(no model_type)" : type, supported: supported)
        }
        return definition
    }

    /// Builds the encoder of `directory` on the weight source `provider` gives for its checkpoint (`file`: the
    /// checkpoint's path relative to the model directory), with `compute` for the projections of inference weights.
    /// - Throws: ``InstructionSetError`` when `SBERT_ISA` names a kernel path this CPU cannot run, ``ModelError`` for
    ///   a missing or unsupported model.
    public static func build(directory: URL, variant: String? = nil, compute: ComputePrecision = .float32,
                             provider: any WeightSourceProvider, file: String) throws -> TransformerModel {
        // Projections are packed for the kernel path at load: a wrong SBERT_ISA must fail before anything is packed.
        try InstructionSet.validateEnvironment()
        let (config, definition, loader) = try checkpoint(directory: directory, variant: variant)
        return try definition.build(config, weights: provider.source(loader, file: file, compute: compute))
    }

    private static func checkpoint(directory: URL, variant: String?) throws
        -> (ModelConfig, any ArchitectureDefinition.Type, WeightLoader) {
        let config = try ModelConfig(contentsOf: directory.appendingPathComponent("config.json"))
        let definition = try definition(for: config)
        let file = try ConfigFile.weights(in: directory, variant: variant)
        return (config, definition, try WeightLoader(checkpoint: file, probe: definition.probe, candidates: definition.weightPrefixes))
    }

    /// Loads the encoder stored in `directory` (`config.json` + `model.safetensors`, or `model.VARIANT.safetensors`
    /// for a `variant` such as `"fp16"`; F16 and BF16 weights are converted to Float32 once).
    /// `compute` chooses the arithmetic of the transformer projections (``ComputePrecision``).
    ///
    /// - Throws: ``InstructionSetError`` when `SBERT_ISA` names a kernel path this CPU cannot run, ``ModelError`` for
    ///   a missing or unsupported model.
    public static func loadEncoder(from directory: URL, variant: String? = nil, compute: ComputePrecision = .float32) throws -> any TransformerEncoder {
        try build(directory: directory, variant: variant, compute: compute, provider: InferenceWeightProvider(), file: "model.safetensors")
    }
}
