import ArgumentParser
import Foundation
import SentenceTransformers

/// `sbert info`: what a model is made of.
struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Summarize a model: architecture, dimensions, pooling, maximum length, parameters, memory after loading."
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @OptionGroup var modelOptions: ModelOptions

    @Option(help: "text or json.")
    var format: Format = .text

    func run() throws {
        let directory = try modelOptions.directory()
        var summary: [String: Any]
        switch try ModelKind.of(directory: directory) {
        case .sentenceTransformer:
            let model = try SentenceTransformer(directory: directory, compute: modelOptions.compute)
            summary = Self.summary(directory: directory, pipeline: model.pipeline, route: model.defaultRoute, configuration: model.configuration,
                                   similarity: model.similarityFunction.rawValue)
        case .sparseEncoder:
            let model = try SparseEncoder(directory: directory, compute: modelOptions.compute)
            summary = Self.summary(directory: directory, pipeline: model.pipeline, route: model.defaultRoute, configuration: model.configuration,
                                   similarity: model.similarityFunction.rawValue)
            if let limit = model.maxActiveDims { summary["max_active_dims"] = limit }
        case .multiVectorEncoder:
            let model = try MultiVectorEncoder(directory: directory, compute: modelOptions.compute)
            summary = Self.summary(directory: directory, pipeline: model.pipeline, route: model.defaultRoute, configuration: model.configuration,
                                   similarity: "maxsim")
        }
        summary["compute"] = modelOptions.compute.rawValue
        summary["kernels"] = InstructionSet.active.rawValue
        summary["projection_arithmetic"] = modelOptions.compute.arithmetic()
        // The process's peak resident set once the model is loaded (VmHWM): what loading cost at its worst moment,
        // e.g. a BF16 checkpoint converted to fp32.
        summary["load_peak_rss_mib"] = (ResourceUsage.peakResidentMiB() * 10).rounded() / 10
        switch format {
        case .json:
            let data = try JSONSerialization.data(withJSONObject: summary, options: [.prettyPrinted, .sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        case .text:
            let order = ["directory", "model_type", "architecture", "hidden_size", "embedding_dimension", "max_seq_length", "modules",
                         "parameters", "similarity_fn_name", "prompts", "default_prompt_name", "compute", "kernels",
                         "projection_arithmetic", "load_peak_rss_mib"]
            for key in order {
                guard let value = summary[key] else { continue }
                let text: String
                switch value {
                case let list as [String]: text = list.joined(separator: " → ")
                case let map as [String: String]: text = map.isEmpty ? "none" : map.sorted { $0.key < $1.key }.map { "\($0.key): \"\($0.value)\"" }.joined(separator: ", ")
                default: text = "\(value)"
                }
                print("\(key.padding(toLength: 22, withPad: " ", startingAt: 0)) \(text)")
            }
        }
    }

    static func summary(directory: URL, pipeline: ModulePipeline, route: ModulePipeline.Route, configuration: SentenceTransformerConfiguration,
                        similarity: String) -> [String: Any] {
        var summary: [String: Any] = [
            "directory": directory.path,
            "model_type": configuration.modelType ?? ModelKind.sentenceTransformer.rawValue,
            "embedding_dimension": route.outputDimension,
            "modules": pipeline.modules.map(\.summary),
            "parameters": pipeline.modules.reduce(0) { $0 + $1.parameterCount },
            "similarity_fn_name": similarity,
            "prompts": configuration.prompts,
        ]
        if let name = configuration.defaultPromptName { summary["default_prompt_name"] = name }
        if route.input.maxSeqLength < Int.max { summary["max_seq_length"] = route.input.maxSeqLength }
        if let transformer = route.input as? Transformer {
            summary["architecture"] = transformer.encoder.architectureName
            summary["hidden_size"] = transformer.encoder.hiddenSize
        }
        return summary
    }
}
