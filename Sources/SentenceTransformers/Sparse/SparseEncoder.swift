import Foundation
import STModels
import STTokenizers

/// A sparse encoder (SPLADE, inference-free SPLADE): texts → sparse vectors over the vocabulary, for inverted
/// indexes and hybrid search, as sentence-transformers' `SparseEncoder` gives them.
///
/// ```swift
/// let model = try SparseEncoder(directory: URL(fileURLWithPath: "splade-v3"))
/// let documents = try model.encodeDocument(["A man is playing a guitar."])
/// let query = try model.encodeQuery(["who plays guitar"])
/// let scores = try model.similarity(query, documents)       // dot products, [1, 1]
/// let top = try model.decode(documents[0], topK: 5)          // the 5 heaviest (token, weight) pairs
/// ```
public final class SparseEncoder: LoadableModel {
    /// The directory the model was loaded from.
    public let directory: URL
    public let pipeline: ModulePipeline
    public let configuration: SentenceTransformerConfiguration
    /// `similarity_fn_name`: `"dot"` (the default) or `"cosine"`.
    public let similarityFunction: SimilarityFunction
    /// The route `encode` takes without a task.
    public let defaultRoute: ModulePipeline.Route

    /// The kernels' worker threads for this model's computations (``LoadOptions/threads``); `nil`: the process default.
    public let threads: Int?

    /// Loads the sparse model stored in `directory` with `options` (by name, and from async code: ``LoadableModel``).
    /// - Throws: ``SentenceTransformerError`` or ``ModelError``.
    public convenience init(directory: URL, options: LoadOptions) throws {
        try options.validate()
        try self.init(loaded: LoadedModel(directory: directory, options: options, kind: "SparseEncoder"), threads: options.threads)
    }

    /// Loads a sparse model by directory path or Hugging Face id: the shorthand of ``init(_:options:)``.
    public convenience init(_ modelNameOrPath: String, revision: String = "main", variant: String? = nil, compute: ComputePrecision = .float32) throws {
        try self.init(modelNameOrPath, options: LoadOptions(revision: revision, variant: variant, compute: compute))
    }

    /// Loads the sparse model stored in `directory` (`MLMTransformer` / `Transformer(fill-mask)` + `SpladePooling`,
    /// or a `Router` with `SparseStaticEmbedding` queries). `maxSeqLength` replaces the Transformer's `max_seq_length`
    /// (Python: `model.max_seq_length = n`; a Router model's static query side has none to set, and is refused).
    /// - Throws: ``SentenceTransformerError`` or ``ModelError`` for a missing, unsupported or non-sparse model.
    public convenience init(directory: URL, variant: String? = nil, compute: ComputePrecision = .float32, maxSeqLength: Int? = nil) throws {
        try self.init(directory: directory, options: LoadOptions(variant: variant, compute: compute, maxSeqLength: maxSeqLength))
    }

    init(loaded: LoadedModel, threads: Int?) throws {
        directory = loaded.directory
        self.threads = threads
        pipeline = loaded.pipeline
        configuration = loaded.configuration
        defaultRoute = try pipeline.route(for: nil)
        var routes = [defaultRoute]
        let pipeline = loaded.pipeline
        if let router = pipeline.modules.first as? Router { routes = try router.routeNames.map { try pipeline.route(for: $0) } }
        for route in routes {
            guard route.output == .sparseEmbedding else {
                throw SentenceTransformerError.invalidConfig(path: directory.appendingPathComponent("modules.json").path,
                                                             reason: "not a sparse model: no SpladePooling or SparseStaticEmbedding")
            }
        }
        let functionName = configuration.similarityFnName ?? SimilarityFunction.dot.rawValue
        guard let function = SimilarityFunction(rawValue: functionName), function == .dot || function == .cosine else {
            throw SentenceTransformerError.invalidConfig(path: loaded.configurationURL.path,
                                                         reason: "similarity_fn_name '\(functionName)' is not dot or cosine")
        }
        similarityFunction = function
        if let limit = configuration.maxActiveDims, limit <= 0 {
            throw SentenceTransformerError.invalidConfig(path: loaded.configurationURL.path, reason: "max_active_dims must be positive")
        }
    }

    /// Writes the model to `directory` in sentence-transformers' format, atomically.
    /// - Throws: the file system's error.
    public func save(to directory: URL) throws {
        try LoadedModel.save(pipeline, configuration: configuration, kind: "SparseEncoder", to: directory)
    }

    /// The length of the vectors (the vocabulary size).
    public var embeddingDimension: Int { defaultRoute.outputDimension }
    /// The default limit on nonzero entries per vector (`max_active_dims`), `nil` for none.
    public var maxActiveDims: Int? { configuration.maxActiveDims }
    /// The tokenizer of the default route (``decode(_:topK:)`` names tokens with it).
    public var tokenizer: Tokenizer { defaultRoute.input.tokenizer }

    /// Encodes `texts` into sparse vectors, input order.
    /// - Parameters:
    ///   - maxActiveDims: keep only the largest entries of each vector (default: the model's `max_active_dims`).
    ///   - task: the route of a Router model (`"query"`, `"document"`); `nil` = the default route.
    /// - Returns: one vector of ``embeddingDimension`` per text, indices ascending.
    /// - Throws: ``SentenceTransformerError`` for bad arguments, untokenizable texts or non-finite weights.
    public func encode(_ texts: [String], batchSize: Int = 32, prompt: String? = nil, promptName: String? = nil,
                       maxActiveDims: Int? = nil, task: String? = nil,
                       progress: ((_ done: Int, _ total: Int) -> Void)? = nil) throws -> [SparseVector] {
        let limit = maxActiveDims ?? configuration.maxActiveDims
        if let limit, limit <= 0 { throw SentenceTransformerError.invalidArgument("maxActiveDims must be positive, got \(limit)") }
        let promptText = try configuration.resolvePrompt(prompt: prompt, promptName: promptName, task: task) ?? ""
        return try BatchedEncoding.encode(texts, pipeline: pipeline, task: task, prompt: promptText, batchSize: batchSize, threads: threads,
                                          progress: progress) { features, position, input in
            guard let vectors = features.sparseEmbeddings, position < vectors.count else {
                throw SentenceTransformerError.invalidArgument("the model's last module gave no sparse vectors")
            }
            let vector = vectors[position]
            if vector.values.contains(where: { !$0.isFinite }) {
                throw SentenceTransformerError.nonFiniteEmbedding(input: input, text: texts[input])
            }
            return limit.map { vector.keepingTop($0) } ?? vector
        }
    }

    /// Encodes queries: the `"query"` route and prompt (Python: `encode_query`).
    public func encodeQuery(_ texts: [String], batchSize: Int = 32, prompt: String? = nil, promptName: String? = nil,
                            maxActiveDims: Int? = nil) throws -> [SparseVector] {
        try encode(texts, batchSize: batchSize, prompt: prompt, promptName: promptName, maxActiveDims: maxActiveDims, task: "query")
    }

    /// Encodes documents: the `"document"` route and prompt (Python: `encode_document`).
    public func encodeDocument(_ texts: [String], batchSize: Int = 32, prompt: String? = nil, promptName: String? = nil,
                               maxActiveDims: Int? = nil) throws -> [SparseVector] {
        try encode(texts, batchSize: batchSize, prompt: prompt, promptName: promptName, maxActiveDims: maxActiveDims, task: "document")
    }

    /// The heaviest entries of `vector` as (token, weight), weight descending (ties: lower id first); `topK` `nil`
    /// gives every entry. Tokens are the vocabulary's strings (`convert_ids_to_tokens`, e.g. `##lysis`).
    public func decode(_ vector: SparseVector, topK: Int? = nil) -> [(token: String, weight: Float)] {
        let order = vector.indices.indices.sorted {
            vector.values[$0] > vector.values[$1] || (vector.values[$0] == vector.values[$1] && $0 < $1)
        }
        return order.prefix(topK ?? order.count).map { (tokenizer.token(forID: vector.indices[$0]) ?? "[\(vector.indices[$0])]", vector.values[$0]) }
    }

    /// Scores of every vector of `a` against every vector of `b` with the model's function (dot or cosine):
    /// `[a.count, b.count]`.
    public func similarity(_ a: [SparseVector], _ b: [SparseVector]) -> Embeddings {
        var scores = [Float](repeating: 0, count: a.count * b.count)
        let norms = similarityFunction == .cosine ? (a.map { sqrt($0.dot($0)) }, b.map { sqrt($0.dot($0)) }) : ([], [])
        for i in a.indices {
            for j in b.indices {
                let dot = a[i].dot(b[j])
                scores[i * b.count + j] = similarityFunction == .cosine ? dot / max(norms.0[i] * norms.1[j], 1e-8) : dot
            }
        }
        return Embeddings(uncheckedValues: scores, dimension: b.count)
    }

    /// Mean active dimensions and sparsity ratio (1 − active / dimension) of `vectors` (Python: `sparsity`).
    public static func sparsity(_ vectors: [SparseVector]) -> (activeDims: Double, sparsityRatio: Double) {
        guard let dimension = vectors.first?.dimension, dimension > 0 else { return (0, 1) }
        let active = Double(vectors.reduce(0) { $0 + $1.nonzeroCount }) / Double(vectors.count)
        return (active, 1 - active / Double(dimension))
    }
}
