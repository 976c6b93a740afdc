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
        let model = try modelOptions.load()
        var summary = Self.summary(of: model)
        summary["precision"] = modelOptions.precision.rawValue
        summary["kernels"] = InstructionSet.active.rawValue
        summary["projection_arithmetic"] = modelOptions.precision.arithmetic()
        // The process's peak resident set once the model is loaded (VmHWM): what loading cost at its worst moment,
        // e.g. a BF16 checkpoint converted to fp32.
        summary["load_peak_rss_mib"] = (ResourceUsage.peakResidentMiB() * 10).rounded() / 10
        switch format {
        case .json:
            let data = try JSONSerialization.data(withJSONObject: summary, options: [.prettyPrinted, .sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        case .text:
            let order = ["directory", "architecture", "hidden_size", "embedding_dimension", "max_seq_length", "modules",
                         "parameters", "similarity_fn_name", "prompts", "default_prompt_name", "precision", "kernels",
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

    static func summary(of model: SentenceTransformer) -> [String: Any] {
        var summary: [String: Any] = [
            "directory": model.directory.path,
            "architecture": model.transformer.encoder.architectureName,
            "hidden_size": model.transformer.encoder.hiddenSize,
            "embedding_dimension": model.embeddingDimension,
            "max_seq_length": model.maxSeqLength,
            "modules": ["Transformer(max_seq_length: \(model.maxSeqLength), do_lower_case: \(model.transformer.doLowerCase))"]
                + model.modules.map(\.summary),
            "parameters": model.parameterCount,
            "similarity_fn_name": model.similarityFunction.rawValue,
            "prompts": model.configuration.prompts,
        ]
        if let name = model.configuration.defaultPromptName { summary["default_prompt_name"] = name }
        return summary
    }
}
