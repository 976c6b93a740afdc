import Foundation
import STKernels
import STModels
import STTensor

/// The `Dense` module: `y = activation(W·x + b)` on sentence embeddings.
public struct Dense: SentenceModule {
    public struct Configuration: Decodable, Sendable {
        public var inFeatures: Int
        public var outFeatures: Int
        public var bias: Bool = true
        /// The PyTorch class path of the activation, as saved by sentence-transformers.
        public var activationFunction: String = "torch.nn.modules.activation.Tanh"
        /// What the layer reads and writes: `"sentence_embedding"` (the default) or `"token_embeddings"` (a
        /// multi-vector model projects every token).
        public var moduleInputName: String = "sentence_embedding"

        enum CodingKeys: String, CodingKey {
            case inFeatures = "in_features", outFeatures = "out_features", bias, activationFunction = "activation_function",
                 moduleInputName = "module_input_name"
        }

        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            inFeatures = try c.decode(Int.self, forKey: .inFeatures)
            outFeatures = try c.decode(Int.self, forKey: .outFeatures)
            bias = try c.decodeIfPresent(Bool.self, forKey: .bias) ?? true
            activationFunction = try c.decodeIfPresent(String.self, forKey: .activationFunction) ?? activationFunction
            moduleInputName = try c.decodeIfPresent(String.self, forKey: .moduleInputName) ?? moduleInputName
        }
    }

    public let configuration: Configuration
    public let linear: Linear
    public let activation: Activation

    /// Loads `config.json` and `model.safetensors` (keys `linear.weight`, `linear.bias`) from the module's folder.
    public init(directory: URL) throws {
        let configURL = directory.appendingPathComponent("config.json")
        configuration = try JSONFile.decode(Configuration.self, from: configURL)
        guard configuration.inFeatures > 0, configuration.outFeatures > 0 else {
            throw SentenceTransformerError.invalidConfig(
                path: configURL.path,
                reason: "in_features \(configuration.inFeatures) and out_features \(configuration.outFeatures) must be positive")
        }
        guard ["sentence_embedding", "token_embeddings"].contains(configuration.moduleInputName) else {
            throw SentenceTransformerError.invalidConfig(
                path: configURL.path, reason: "module_input_name '\(configuration.moduleInputName)' is not sentence_embedding or token_embeddings")
        }
        guard let activation = Self.activation(named: configuration.activationFunction) else {
            throw SentenceTransformerError.invalidConfig(path: configURL.path, reason: "unsupported activation_function '\(configuration.activationFunction)'")
        }
        self.activation = activation
        let weightsURL = directory.appendingPathComponent("model.safetensors")
        guard FileManager.default.fileExists(atPath: weightsURL.path) else {
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent("pytorch_model.bin").path) {
                throw SentenceTransformerError.unreadableFile(
                    path: directory.appendingPathComponent("pytorch_model.bin").path,
                    reason: "PyTorch pickle weights are not read; convert them to model.safetensors with the Python safetensors package")
            }
            throw SentenceTransformerError.missingFile(path: weightsURL.path)
        }
        let weights = try WeightLoader(file: SafeTensorsFile(path: weightsURL.path), probe: "linear.weight", candidates: [""])
        linear = try Linear(weights, "linear", inFeatures: configuration.inFeatures, outFeatures: configuration.outFeatures, hasBias: configuration.bias)
    }

    public static func activation(named name: String) -> Activation? {
        switch name.split(separator: ".").last.map(String.init) ?? name {
        case "Tanh": return .tanh
        case "Identity": return .identity
        case "ReLU": return .relu
        case "Sigmoid": return .sigmoid
        case "GELU": return .gelu
        default: return nil
        }
    }

    public func outputDimension(input: Int) -> Int { configuration.outFeatures }
    public var parameterCount: Int { linear.parameterCount }
    public var summary: String {
        "Dense(\(configuration.inFeatures) → \(configuration.outFeatures), activation: \(configuration.activationFunction.split(separator: ".").last ?? ""))"
    }

    /// Writes `config.json` and `model.safetensors` (`linear.weight`, `linear.bias`).
    public func save(to folder: URL) throws {
        try ModelDirectory.writeJSON(["in_features": configuration.inFeatures, "out_features": configuration.outFeatures,
                                      "bias": configuration.bias, "activation_function": configuration.activationFunction,
                                      "module_input_name": configuration.moduleInputName, "module_output_name": configuration.moduleInputName],
                                     to: folder.appendingPathComponent("config.json"))
        var tensors = ["linear.weight": linear.weight]
        if let bias = linear.bias { tensors["linear.bias"] = bias }
        try SafeTensorsWriter.write(tensors, metadata: ["format": "pt"], to: folder.appendingPathComponent("model.safetensors").path)
    }

    public func forward(_ features: inout Features) throws {
        if configuration.moduleInputName == "token_embeddings" {
            features.tokenEmbeddings = try project(features.tokenEmbeddings, width: features.tokenDimension)
            features.tokenDimension = configuration.outFeatures
        } else {
            features.sentenceEmbeddings = try project(features.sentenceEmbeddings, width: features.sentenceDimension)
            features.sentenceDimension = configuration.outFeatures
        }
    }

    /// `activation(W·x + b)` for every row of `input` (`[rows, width]`).
    private func project(_ input: [Float], width: Int) throws -> [Float] {
        guard width == configuration.inFeatures else {
            throw SentenceTransformerError.invalidArgument("Dense expects \(configuration.inFeatures) input features, got \(width)")
        }
        let rows = input.count / max(width, 1)
        var output = [Float](repeating: 0, count: rows * configuration.outFeatures)
        input.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { result in
                guard let x = input.baseAddress, let y = result.baseAddress else { return }
                linear.forward(x, rows: rows, into: y)
                activation.apply(y, count: rows * configuration.outFeatures)
            }
        }
        return output
    }
}
