import Foundation
import STModels
import STTokenizers

/// A Sentence Transformers model: a `Transformer` followed by the modules its `modules.json` lists (Pooling,
/// Dense, Normalize), loaded from a model directory or from the Hugging Face cache, giving the vectors the Python
/// library gives.
///
/// ```swift
/// let model = try SentenceTransformer("sentence-transformers/all-MiniLM-L6-v2")
/// let embeddings = try model.encode(["A man is eating food.", "A man is riding a horse."])
/// let scores = try model.similarity(embeddings, embeddings)   // 2 × 2 cosine similarities
/// ```
///
/// The model is immutable and `Sendable`: share one instance between tasks.
public final class SentenceTransformer: Sendable {
    /// The directory the model was loaded from.
    public let directory: URL
    public let transformer: Transformer
    /// The modules after the transformer, in pipeline order.
    public let modules: [any SentenceModule]
    public let configuration: SentenceTransformerConfiguration
    /// The function ``similarity(_:_:)`` uses (`similarity_fn_name`, default cosine).
    public let similarityFunction: SimilarityFunction

    /// Loads a model by directory path or Hugging Face id (`"all-MiniLM-L6-v2"` means
    /// `"sentence-transformers/all-MiniLM-L6-v2"`): from the local Hugging Face cache, else downloaded from the Hub
    /// (see ``HubClient``).
    public convenience init(_ modelNameOrPath: String = ModelLocator.defaultModel, revision: String = "main", variant: String? = nil,
                            precision: Precision = .float32) throws {
        try self.init(directory: try ModelLocator.resolveOrDownload(modelNameOrPath, revision: revision), variant: variant,
                      precision: precision)
    }

    /// Loads the model stored in `directory`. Without `modules.json` the pipeline is Transformer + mean Pooling.
    /// `variant` picks the encoder's weight file `model.VARIANT.safetensors` (e.g. `"fp16"`, `"bf16"`); `precision`
    /// the arithmetic of its projections (`.int8`: quantized at load, faster, slightly less exact; see ``Precision``).
    public init(directory: URL, variant: String? = nil, precision: Precision = .float32) throws {
        self.directory = directory
        let manifestURL = directory.appendingPathComponent("modules.json")
        let descriptions = try JSONFile.decodeIfPresent([ModuleDescription].self, from: manifestURL)
            ?? [ModuleDescription(path: "", type: "sentence_transformers.models.Transformer")]
        guard let first = descriptions.first, first.className == "Transformer" else {
            throw SentenceTransformerError.invalidConfig(path: manifestURL.path, reason: "the first module must be a Transformer")
        }
        // A module folder is a relative path inside the model directory: never absolute, never through "..".
        for description in descriptions where description.path.hasPrefix("/") || description.path.split(separator: "/").contains("..") {
            throw SentenceTransformerError.invalidConfig(path: manifestURL.path, reason: "module path '\(description.path)' leaves the model directory")
        }
        transformer = try Transformer(directory: directory.appendingPathComponent(first.path), variant: variant, precision: precision)
        var modules: [any SentenceModule] = []
        for description in descriptions.dropFirst() {
            let folder = directory.appendingPathComponent(description.path)
            switch description.className {
            case "Pooling": modules.append(try Pooling(directory: folder))
            case "Dense": modules.append(try Dense(directory: folder))
            case "Normalize": modules.append(Normalize())
            default: throw SentenceTransformerError.unsupportedModule(type: description.type, path: manifestURL.path)
            }
        }
        if descriptions.count == 1 {
            modules.append(Pooling(configuration: PoolingConfiguration(embeddingDimension: transformer.encoder.hiddenSize, poolingModes: [.mean])))
        }
        // Each module's input is the previous one's output: a Dense that expects another width is a broken directory.
        var width = transformer.encoder.hiddenSize
        for (module, description) in zip(modules, descriptions.dropFirst()) {
            if let dense = module as? Dense, dense.configuration.inFeatures != width {
                throw SentenceTransformerError.invalidConfig(
                    path: directory.appendingPathComponent(description.path).appendingPathComponent("config.json").path,
                    reason: "in_features \(dense.configuration.inFeatures) does not match the \(width) features the module before it gives")
            }
            width = module.outputDimension(input: width)
        }
        self.modules = modules
        let configURL = directory.appendingPathComponent("config_sentence_transformers.json")
        configuration = try JSONFile.decodeIfPresent(SentenceTransformerConfiguration.self, from: configURL) ?? SentenceTransformerConfiguration()
        let functionName = configuration.similarityFnName ?? SimilarityFunction.cosine.rawValue
        guard let function = SimilarityFunction(rawValue: functionName) else {
            throw SentenceTransformerError.invalidConfig(path: configURL.path, reason: "unknown similarity_fn_name '\(functionName)'")
        }
        similarityFunction = function
        if let name = configuration.defaultPromptName, configuration.prompts[name] == nil {
            throw SentenceTransformerError.invalidConfig(path: configURL.path, reason: "default_prompt_name '\(name)' is not one of the prompts")
        }
    }

    /// The length of the vectors ``encode(_:batchSize:normalize:prompt:promptName:truncateDim:)`` returns
    /// (before any truncation).
    public var embeddingDimension: Int {
        modules.reduce(transformer.encoder.hiddenSize) { $1.outputDimension(input: $0) }
    }

    /// Inputs longer than this many tokens are truncated.
    public var maxSeqLength: Int { transformer.maxSeqLength }

    /// Parameters of the encoder and of every module.
    public var parameterCount: Int { transformer.encoder.parameterCount + modules.reduce(0) { $0 + $1.parameterCount } }

    /// Tokenizes `text` as ``encode(_:batchSize:normalize:prompt:promptName:truncateDim:)`` does (no prompt).
    /// - Throws: ``TokenizerError`` when the tokenizer cannot process the text.
    public func tokenize(_ text: String) throws -> Encoding { try transformer.tokenize(text) }

    /// The prompt text for an explicit `prompt`, a `promptName`, or the model's default prompt, in that order.
    public func resolvePrompt(prompt: String?, promptName: String?) throws -> String? {
        if let prompt { return prompt }
        if let promptName {
            guard let text = configuration.prompts[promptName] else {
                throw SentenceTransformerError.unknownPromptName(promptName, available: configuration.prompts.keys.sorted())
            }
            return text
        }
        return configuration.defaultPromptName.flatMap { configuration.prompts[$0] }
    }
}
