import Foundation
import STModels
import STTokenizers

/// The modules of a model directory in `modules.json` order, loaded through ``ModuleRegistry``; the first one owns
/// tokenization (an ``InputModule``, or a ``Router`` whose routes each start with one).
public struct ModulePipeline: Sendable {
    /// Every module, the input module (or Router) first.
    public let modules: [any SentenceModule]
    /// The `modules.json` entries the modules came from (one default Transformer + mean Pooling without the file).
    public let descriptions: [ModuleDescription]

    /// One route through the pipeline: its input module and the modules after it.
    public struct Route: Sendable {
        public let input: any InputModule
        public let modules: [any SentenceModule]

        /// Whether a Transformer runs on this route (the module int8 compute applies to).
        var hasTransformer: Bool { input is Transformer }

        /// What the route produces: the last output a module declares.
        public var output: ModuleOutput {
            modules.reduce(input.output) { $1.output == .sameAsInput ? $0 : $1.output }
        }

        /// The width of the route's output.
        public var outputDimension: Int { modules.reduce(input.outputDimension) { $1.outputDimension(input: $0) } }
    }

    /// Loads `directory/modules.json` (without it: Transformer + mean Pooling, as sentence-transformers does for a
    /// plain Hugging Face model).
    /// `maxSeqLength` overrides the input module's truncation length (a Transformer's `max_seq_length`).
    /// - Throws: ``SentenceTransformerError`` for a missing, unsupported or inconsistent module.
    /// `weights` builds the modules' weights (inference, or a training parameter set).
    public init(directory: URL, variant: String? = nil, compute: ComputePrecision = .float32, maxSeqLength: Int? = nil,
                weights: any WeightSourceProvider = InferenceWeightProvider()) throws {
        let manifestURL = directory.appendingPathComponent("modules.json")
        let manifest = manifestURL.path
        var descriptions = try JSONFile.decodeIfPresent([ModuleDescription].self, from: manifestURL)
            ?? Self.defaultDescriptions(directory)
        guard !descriptions.isEmpty else { throw SentenceTransformerError.invalidConfig(path: manifest, reason: "no modules") }
        for description in descriptions where !Self.isConfined(description.path) {
            throw SentenceTransformerError.invalidConfig(path: manifest, reason: "module path '\(description.path)' leaves the model directory")
        }
        var modules: [any SentenceModule] = []
        for description in descriptions {
            let context = ModuleLoadContext(directory: directory.appendingPathComponent(description.path), modelDirectory: directory,
                                            type: description.type, variant: variant, compute: compute,
                                            maxSeqLength: maxSeqLength, weights: weights)
            modules.append(try ModuleRegistry.shared.load(context, manifest: manifest))
        }
        if descriptions.count == 1, let transformer = modules[0] as? Transformer {
            descriptions.append(ModuleDescription(path: "1_Pooling", type: "sentence_transformers.models.Pooling"))
            modules.append(Pooling(configuration: PoolingConfiguration(embeddingDimension: transformer.outputDimension, poolingModes: [.mean])))
        }
        self.modules = modules
        self.descriptions = descriptions
        // Every route must start with an input module and chain widths; check them all at load.
        let routeTasks: [String?] = (modules.first as? Router).map { router in router.routeNames.map { Optional($0) } } ?? [nil]
        let routes = try routeTasks.map { try route(for: $0, checkingWidthsAgainst: directory) }
        // Settings that only a Transformer takes are refused where they would change nothing.
        if compute == .int8, !routes.contains(where: \.hasTransformer) {
            throw SentenceTransformerError.invalidArgument("int8 compute quantizes a Transformer's projections; this model has none (\(type(of: routes[0].input)))")
        }
        if maxSeqLength != nil, let route = routes.first(where: { !$0.hasTransformer }) {
            throw SentenceTransformerError.invalidArgument("max_seq_length can be set on a Transformer input module only, not on \(type(of: route.input))")
        }
    }

    /// The route for `task`: with a leading ``Router``, the task's route followed by the modules after the Router.
    /// - Throws: ``SentenceTransformerError/invalidArgument(_:)`` when the Router has no route for `task`.
    public func route(for task: String?) throws -> Route {
        try route(for: task, checkingWidthsAgainst: nil)
    }

    private func route(for task: String?, checkingWidthsAgainst directory: URL?) throws -> Route {
        var chain = modules
        if let router = chain.first as? Router {
            chain = try router.modules(for: task) + chain.dropFirst()
        }
        guard let input = chain.first as? any InputModule else {
            throw SentenceTransformerError.invalidConfig(
                path: (directory ?? URL(fileURLWithPath: ".")).appendingPathComponent("modules.json").path,
                reason: "the first module must be an input module (Transformer, StaticEmbedding, SparseStaticEmbedding or Router), got \(chain.first?.summary ?? "none")")
        }
        let rest = Array(chain.dropFirst())
        if let directory {
            let manifest = directory.appendingPathComponent("modules.json").path
            if rest.contains(where: { $0 is any InputModule }) {
                throw SentenceTransformerError.invalidConfig(path: manifest, reason: "only the first module may be an input module")
            }
            var width = input.outputDimension
            for module in rest {
                if let expected = module.inputDimension, expected != width {
                    throw SentenceTransformerError.invalidConfig(
                        path: manifest, reason: "\(module.summary) takes \(expected) features but the module before it gives \(width)")
                }
                width = module.outputDimension(input: width)
            }
        }
        return Route(input: input, modules: rest)
    }

    /// Runs `route` on already-tokenized inputs: the input module, then the first `moduleCount` modules after it.
    public static func run(_ route: Route, encodings: [Encoding], promptLengths: [Int]? = nil, task: String?,
                           through moduleCount: Int? = nil) throws -> Features {
        var features = Features(encodings: encodings, promptLengths: promptLengths, task: task)
        try route.input.forward(&features)
        for module in route.modules.prefix(moduleCount ?? route.modules.count) { try module.forward(&features) }
        return features
    }

    /// Writes every module into its folder and `modules.json` into `directory` (already created; the caller makes
    /// the whole write atomic with ``ModelDirectory/write(to:merge:_:)``). A module listed at the same folder as another
    /// (the root) writes beside it.
    func save(into directory: URL) throws {
        var manifest: [[String: Any]] = []
        for (index, (module, description)) in zip(modules, descriptions).enumerated() {
            try module.save(to: directory.appendingPathComponent(description.path))
            manifest.append(["idx": index, "name": description.name ?? "\(index)", "path": description.path, "type": description.type])
        }
        try ModelDirectory.writeJSON(manifest, to: directory.appendingPathComponent("modules.json"))
    }

    /// The modules of a directory without `modules.json`: a model2vec model (`config.json` with `model_type`
    /// `model2vec`) is a StaticEmbedding, followed by Normalize when its config says `normalize` (as model2vec's own
    /// `encode` does); any other is a Hugging Face transformer, which gets mean pooling.
    static func defaultDescriptions(_ directory: URL) throws -> [ModuleDescription] {
        struct Model2VecConfig: Decodable {
            var modelType: String?
            var normalize: Bool?
            enum CodingKeys: String, CodingKey { case modelType = "model_type", normalize }
        }
        // A transformer's config.json need not decode this way; only a model2vec one matters here.
        let config = (try? JSONFile.decodeIfPresent(Model2VecConfig.self, from: directory.appendingPathComponent("config.json"))) ?? nil
        guard let config, config.modelType == "model2vec" else {
            return [ModuleDescription(path: "", type: "sentence_transformers.models.Transformer")]
        }
        let embedding = ModuleDescription(path: "", type: "sentence_transformers.models.StaticEmbedding")
        return config.normalize == true ? [embedding, ModuleDescription(path: "1_Normalize", type: "sentence_transformers.models.Normalize")]
            : [embedding]
    }

    /// A relative folder inside the model directory: never absolute, never through `..`.
    static func isConfined(_ path: String) -> Bool {
        !path.hasPrefix("/") && !path.split(separator: "/").contains("..")
    }
}
