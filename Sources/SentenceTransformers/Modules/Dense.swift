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
    /// `W·x + b`, on the weights of the provider the module was loaded with (inference or training).
    public let linear: LinearLayer
    public let activation: Activation
    /// The folder the module was loaded from (``save(to:)`` copies its weights).
    public let sourceDirectory: URL

    /// Loads the module from its folder in a model directory (the registry's entry point), its weights through
    /// `context.weights`.
    /// - Throws: as ``init(directory:weights:weightsFile:)``.
    public init(context: ModuleLoadContext) throws {
        try self.init(directory: context.directory, weights: context.weights, weightsFile: context.relativePath(of: "model.safetensors"))
    }

    /// Loads `config.json` and `model.safetensors` (keys `linear.weight`, `linear.bias`) from the module's folder;
    /// `weights` builds the linear map (a training parameter set keeps it under `weightsFile`).
    /// - Throws: ``SentenceTransformerError`` for a missing or inconsistent file, ``ModelError`` for weights of
    ///   another shape.
    public init(directory: URL, weights: any WeightSourceProvider = InferenceWeightProvider(), weightsFile: String = "model.safetensors") throws {
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
        sourceDirectory = directory
        let weightsURL = directory.appendingPathComponent("model.safetensors")
        guard FileManager.default.fileExists(atPath: weightsURL.path) else {
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent("pytorch_model.bin").path) {
                throw SentenceTransformerError.unreadableFile(
                    path: directory.appendingPathComponent("pytorch_model.bin").path,
                    reason: "PyTorch pickle weights are not read; convert them to model.safetensors with the Python safetensors package")
            }
            throw SentenceTransformerError.missingFile(path: weightsURL.path)
        }
        let loader = try WeightLoader(file: SafeTensorsFile(path: weightsURL.path), probe: "linear.weight", candidates: [""])
        linear = try weights.source(loader, file: weightsFile)
            .linear("linear", inFeatures: configuration.inFeatures, outFeatures: configuration.outFeatures, bias: configuration.bias)
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

    public var output: ModuleOutput { .sameAsInput }
    public var inputDimension: Int? { configuration.inFeatures }
    public func outputDimension(input: Int) -> Int { configuration.outFeatures }
    public var parameterCount: Int { linear.parameterCount }
    public var summary: String {
        "Dense(\(configuration.inFeatures) → \(configuration.outFeatures), activation: \(configuration.activationFunction.split(separator: ".").last ?? ""))"
    }

    /// Writes `config.json` and copies `model.safetensors` (`linear.weight`, `linear.bias`) as loaded.
    public func save(to folder: URL) throws {
        try ModelDirectory.writeJSON(["in_features": configuration.inFeatures, "out_features": configuration.outFeatures,
                                      "bias": configuration.bias, "activation_function": configuration.activationFunction,
                                      "module_input_name": configuration.moduleInputName, "module_output_name": configuration.moduleInputName],
                                     to: folder.appendingPathComponent("config.json"))
        let weights = sourceDirectory.appendingPathComponent("model.safetensors")
        guard FileManager.default.fileExists(atPath: weights.path) else { throw SentenceTransformerError.missingFile(path: weights.path) }
        try ModelDirectory.copy(["model.safetensors"], from: sourceDirectory, to: folder)
    }

    public func forward(_ features: inout Features) throws {
        _ = try project(&features, bank: nil)
    }

    /// Replaces the input rows (sentence vectors, or token rows with `module_input_name: token_embeddings`) by
    /// `activation(W·x + b)`; returns the input and the pre-activations (what training's backward pass reads).
    func project(_ features: inout Features, bank: ParameterBank?) throws -> (input: [Float], preActivation: [Float]) {
        let tokens = configuration.moduleInputName == "token_embeddings"
        let input = tokens ? features.tokenEmbeddings : features.sentenceEmbeddings
        let width = tokens ? features.tokenDimension : features.sentenceDimension
        guard width == configuration.inFeatures else {
            throw SentenceTransformerError.invalidArgument("Dense expects \(configuration.inFeatures) input features, got \(width)")
        }
        let rows = input.count / width
        var preActivation = [Float](repeating: 0, count: rows * configuration.outFeatures)
        input.withUnsafeBufferPointer { input in
            preActivation.withUnsafeMutableBufferPointer { result in
                guard let x = input.baseAddress, let y = result.baseAddress else { return }
                linear.forward(x, rows: rows, into: y, bank: bank)
            }
        }
        var output = preActivation
        output.withUnsafeMutableBufferPointer { result in
            guard let y = result.baseAddress else { return }
            activation.apply(y, count: result.count)
        }
        if tokens {
            features.tokenEmbeddings = output
            features.tokenDimension = configuration.outFeatures
        } else {
            features.sentenceEmbeddings = output
            features.sentenceDimension = configuration.outFeatures
        }
        return (input, preActivation)
    }
}
