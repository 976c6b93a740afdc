import Foundation
import STModels
import STTokenizers

/// A Sentence Transformers model: the modules its `modules.json` lists (Transformer or StaticEmbedding, Pooling,
/// Dense, Normalize, a Router of per-task routes), loaded from a model directory or from the Hugging Face cache,
/// giving the vectors the Python library gives.
///
/// ```swift
/// let model = try SentenceTransformer("sentence-transformers/all-MiniLM-L6-v2")
/// let embeddings = try model.encode(["A man is eating food.", "A man is riding a horse."])
/// let scores = try model.similarity(embeddings, embeddings)   // 2 × 2 cosine similarities
/// ```
///
/// The model is immutable and `Sendable`: share one instance between tasks.
public final class SentenceTransformer: LoadableModel {
    /// The directory the model was loaded from.
    public let directory: URL
    /// Every module, loaded through ``ModuleRegistry``.
    public let pipeline: ModulePipeline
    public let configuration: SentenceTransformerConfiguration
    /// The function ``similarity(_:_:)`` uses (`similarity_fn_name`, default cosine).
    public let similarityFunction: SimilarityFunction
    /// The route `encode` takes without a task (the whole pipeline, or a Router's default route).
    public let defaultRoute: ModulePipeline.Route

    /// The kernels' worker threads for this model's computations (``LoadOptions/threads``); `nil`: the process default.
    public let threads: Int?

    /// Loads the model stored in `directory` with `options`. Without `modules.json` the pipeline is Transformer +
    /// mean Pooling. (By name, and from async code: ``LoadableModel``.)
    /// - Throws: ``SentenceTransformerError`` or ``ModelError`` for a missing, unsupported or inconsistent model.
    public convenience init(directory: URL, options: LoadOptions) throws {
        try options.validate()
        try self.init(loaded: LoadedModel(directory: directory, options: options, kind: "SentenceTransformer"), threads: options.threads)
    }

    /// Loads a model by directory path or Hugging Face id; the shorthand of ``init(_:options:)`` for the settings
    /// used most.
    public convenience init(_ modelNameOrPath: String = ModelLocator.defaultModel, revision: String = "main", variant: String? = nil,
                            compute: ComputePrecision = .float32, maxSeqLength: Int? = nil) throws {
        try self.init(modelNameOrPath, options: LoadOptions(revision: revision, variant: variant, compute: compute, maxSeqLength: maxSeqLength))
    }

    /// Loads the model stored in `directory`. Without `modules.json` the pipeline is Transformer + mean Pooling.
    /// `variant` picks the encoder's weight file `model.VARIANT.safetensors` (e.g. `"fp16"`, `"bf16"`); `compute`
    /// the arithmetic of its projections (`.int8`: quantized at load, faster, slightly less exact; see ``ComputePrecision``);
    /// `maxSeqLength` the tokens an input is truncated to, instead of the configured `max_seq_length` (Python:
    /// `model.max_seq_length = n`; at most the model's position embeddings); `weights` what the modules' weights are
    /// built on (inference; a trainer passes its parameter set's provider).
    /// - Throws: ``SentenceTransformerError`` or ``ModelError`` for a missing, unsupported or inconsistent model
    ///   (a sparse or multi-vector model loads as ``SparseEncoder`` / ``MultiVectorEncoder`` instead).
    public convenience init(directory: URL, variant: String? = nil, compute: ComputePrecision = .float32, maxSeqLength: Int? = nil,
                            weights: any WeightSourceProvider = InferenceWeightProvider()) throws {
        let options = LoadOptions(variant: variant, compute: compute, maxSeqLength: maxSeqLength)
        try options.validate()
        try self.init(loaded: LoadedModel(directory: directory, options: options, weights: weights, kind: "SentenceTransformer"), threads: nil)
    }

    /// The one designated initializer: every load ends here with the modules read.
    init(loaded: LoadedModel, threads: Int?) throws {
        directory = loaded.directory
        self.threads = threads
        pipeline = loaded.pipeline
        configuration = loaded.configuration
        defaultRoute = try pipeline.route(for: nil)
        if defaultRoute.output == .sparseEmbedding {
            throw SentenceTransformerError.invalidConfig(path: directory.appendingPathComponent("modules.json").path,
                                                         reason: "this is a sparse model: load it with SparseEncoder")
        }
        let functionName = configuration.similarityFnName ?? SimilarityFunction.cosine.rawValue
        guard let function = SimilarityFunction(rawValue: functionName) else {
            throw SentenceTransformerError.invalidConfig(path: loaded.configurationURL.path, reason: "unknown similarity_fn_name '\(functionName)'")
        }
        similarityFunction = function
    }

    /// The module that tokenizes (the default route's first module).
    public var inputModule: any InputModule { defaultRoute.input }
    /// The Transformer module, when the model has one first.
    public var transformer: Transformer? { inputModule as? Transformer }
    /// The modules after the input module on the default route, in pipeline order.
    public var modules: [any SentenceModule] { defaultRoute.modules }

    /// The length of the vectors ``encode(_:batchSize:normalize:prompt:promptName:truncateDim:task:progress:)``
    /// returns (before any truncation).
    public var embeddingDimension: Int { defaultRoute.outputDimension }

    /// Inputs longer than this many tokens are truncated (`Int.max`: never).
    public var maxSeqLength: Int { inputModule.maxSeqLength }

    /// Parameters of every module (a module shared by two routes counts once).
    public var parameterCount: Int { pipeline.modules.reduce(0) { $0 + $1.parameterCount } }

    /// Tokenizes `text` as `encode` does (no prompt).
    /// - Throws: ``TokenizerError`` when the tokenizer cannot process the text.
    public func tokenize(_ text: String) throws -> Encoding { try inputModule.tokenize(text, task: nil) }

    /// The prompt text for an explicit `prompt`, a `promptName`, or the model's default prompt, in that order.
    public func resolvePrompt(prompt: String?, promptName: String?) throws -> String? {
        try configuration.resolvePrompt(prompt: prompt, promptName: promptName)
    }
}

extension SentenceTransformer {
    /// Writes the model to `directory` in sentence-transformers' format (every module, `modules.json`,
    /// `config_sentence_transformers.json`), atomically: the directory is complete or untouched.
    /// - Throws: the file system's error, or ``SentenceTransformerError/invalidArgument(_:)`` for a module that
    ///   cannot be saved.
    public func save(to directory: URL) throws {
        try LoadedModel.save(pipeline, configuration: configuration, kind: "SentenceTransformer", to: directory)
    }
}

/// What every model kind reads from a directory: its modules and `config_sentence_transformers.json`.
struct LoadedModel: Sendable {
    let directory: URL
    let pipeline: ModulePipeline
    let configuration: SentenceTransformerConfiguration
    let configurationURL: URL

    init(directory: URL, options: LoadOptions, weights: any WeightSourceProvider = InferenceWeightProvider(), kind: String) throws {
        self.directory = directory
        configurationURL = directory.appendingPathComponent("config_sentence_transformers.json")
        configuration = try JSONFile.decodeIfPresent(SentenceTransformerConfiguration.self, from: configurationURL)
            ?? SentenceTransformerConfiguration()
        if let name = configuration.defaultPromptName, configuration.prompts[name] == nil {
            throw SentenceTransformerError.invalidConfig(path: configurationURL.path, reason: "default_prompt_name '\(name)' is not one of the prompts")
        }
        if let type = configuration.modelType, type != kind,
           ["SentenceTransformer", "SparseEncoder", "MultiVectorEncoder"].contains(type) {
            throw SentenceTransformerError.invalidConfig(path: configurationURL.path, reason: "model_type is \(type): load it with \(type)")
        }
        pipeline = try ModulePipeline(directory: directory, variant: options.variant, compute: options.compute,
                                      maxSeqLength: options.maxSeqLength, weights: weights)
    }

    /// Writes a model of any kind atomically.
    static func save(_ pipeline: ModulePipeline, configuration: SentenceTransformerConfiguration, kind: String, to directory: URL) throws {
        try ModelDirectory.write(to: directory) { staging in
            try pipeline.save(into: staging)
            try ModelDirectory.writeJSON(configuration.jsonObject(kind: kind), to: staging.appendingPathComponent("config_sentence_transformers.json"))
        }
    }
}
