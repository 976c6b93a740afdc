import Foundation
import STKernels
import STModels

/// A multi-vector (late-interaction) encoder such as ColBERT: every text → one unit vector per token, scored by
/// MaxSim, as sentence-transformers' `MultiVectorEncoder` gives them.
///
/// ```swift
/// let model = try MultiVectorEncoder(directory: URL(fileURLWithPath: "colbertv2"))
/// let queries = try model.encodeQuery(["who plays guitar"])          // [32, 128] per query
/// let documents = try model.encodeDocument(["A man is playing a guitar."])
/// let scores = model.similarity(queries, documents)                  // MaxSim, [1, 1]
/// ```
public final class MultiVectorEncoder: LoadableModel {
    public let directory: URL
    public let pipeline: ModulePipeline
    public let configuration: SentenceTransformerConfiguration
    public let defaultRoute: ModulePipeline.Route

    /// The kernels' worker threads for this model's computations (``LoadOptions/threads``); `nil`: the process default.
    public let threads: Int?

    /// Loads the multi-vector model stored in `directory` with `options` (by name, and from async code: ``LoadableModel``).
    /// - Throws: ``SentenceTransformerError`` or ``ModelError``.
    public convenience init(directory: URL, options: LoadOptions) throws {
        try options.validate()
        try self.init(loaded: LoadedModel(directory: directory, options: options, kind: "MultiVectorEncoder"), threads: options.threads)
    }

    /// Loads a multi-vector model by directory path or Hugging Face id: the shorthand of ``init(_:options:)``.
    public convenience init(_ modelNameOrPath: String, revision: String = "main", variant: String? = nil, compute: ComputePrecision = .float32) throws {
        try self.init(modelNameOrPath, options: LoadOptions(revision: revision, variant: variant, compute: compute))
    }

    /// Loads the multi-vector model stored in `directory`. `maxSeqLength` replaces the Transformer's `max_seq_length`
    /// (Python: `model.max_seq_length = n`).
    /// - Throws: ``SentenceTransformerError`` or ``ModelError`` for a missing or unsupported model.
    public convenience init(directory: URL, variant: String? = nil, compute: ComputePrecision = .float32, maxSeqLength: Int? = nil) throws {
        try self.init(directory: directory, options: LoadOptions(variant: variant, compute: compute, maxSeqLength: maxSeqLength))
    }

    init(loaded: LoadedModel, threads: Int?) throws {
        directory = loaded.directory
        self.threads = threads
        pipeline = loaded.pipeline
        configuration = loaded.configuration
        defaultRoute = try pipeline.route(for: nil)
        guard defaultRoute.output == .tokenEmbeddings else {
            throw SentenceTransformerError.invalidConfig(path: directory.appendingPathComponent("modules.json").path,
                                                         reason: "not a multi-vector model: it must keep token rows (no Pooling)")
        }
        let function = configuration.similarityFnName ?? "maxsim"
        guard function == "maxsim" else {
            throw SentenceTransformerError.invalidConfig(path: loaded.configurationURL.path, reason: "similarity_fn_name '\(function)' is not maxsim")
        }
    }

    /// Writes the model to `directory` in sentence-transformers' format, atomically.
    /// - Throws: the file system's error.
    public func save(to directory: URL) throws {
        try LoadedModel.save(pipeline, configuration: configuration, kind: "MultiVectorEncoder", to: directory)
    }

    /// The width of each token vector.
    public var embeddingDimension: Int { defaultRoute.outputDimension }

    /// Encodes `texts` for `task`: one `[tokens, embeddingDimension]` matrix per text, holding the rows that take part
    /// in scoring (a document's punctuation dropped; a query's expansion tokens kept).
    /// - Throws: ``SentenceTransformerError`` for bad arguments, untokenizable texts or non-finite outputs.
    public func encode(_ texts: [String], batchSize: Int = 32, prompt: String? = nil, promptName: String? = nil,
                       task: String? = nil, progress: ((_ done: Int, _ total: Int) -> Void)? = nil) throws -> [Embeddings] {
        let promptText = try configuration.resolvePrompt(prompt: prompt, promptName: promptName, task: task) ?? ""
        return try BatchedEncoding.encode(texts, pipeline: pipeline, task: task, prompt: promptText, batchSize: batchSize, threads: threads,
                                          progress: progress) { features, position, input in
            let rows = features.sequences[position], width = features.tokenDimension
            var values: [Float] = []
            values.reserveCapacity(rows.count * width)
            for row in rows where features.scoringMask?[row] ?? true {
                values += features.tokenEmbeddings[(row * width)..<((row + 1) * width)]
            }
            if values.contains(where: { !$0.isFinite }) { throw SentenceTransformerError.nonFiniteEmbedding(input: input, text: texts[input]) }
            return Embeddings(uncheckedValues: values, dimension: width)
        }
    }

    /// Encodes queries: `"query"` prompt, query length and expansion (Python: `encode_query`).
    public func encodeQuery(_ texts: [String], batchSize: Int = 32, prompt: String? = nil, promptName: String? = nil) throws -> [Embeddings] {
        try encode(texts, batchSize: batchSize, prompt: prompt, promptName: promptName, task: "query")
    }

    /// Encodes documents: `"document"` prompt and length, skiplist applied (Python: `encode_document`).
    public func encodeDocument(_ texts: [String], batchSize: Int = 32, prompt: String? = nil, promptName: String? = nil) throws -> [Embeddings] {
        try encode(texts, batchSize: batchSize, prompt: prompt, promptName: promptName, task: "document")
    }

    /// MaxSim of every query against every document: `[queries.count, documents.count]`.
    public func similarity(_ queries: [Embeddings], _ documents: [Embeddings]) -> Embeddings {
        var scores = [Float](repeating: 0, count: queries.count * documents.count)
        for (i, query) in queries.enumerated() {
            for (j, document) in documents.enumerated() { scores[i * documents.count + j] = Self.maxSim(query, document) }
        }
        return Embeddings(uncheckedValues: scores, dimension: documents.count)
    }

    /// The late-interaction score `Σ_q max_d q·d` (no division by the query length; sentence-transformers 6.2
    /// `maxsim`). A document without rows scores 0.
    public static func maxSim(_ query: Embeddings, _ document: Embeddings) -> Float {
        guard query.dimension == document.dimension, !document.isEmpty else { return 0 }
        let width = query.dimension
        var total = 0.0
        query.values.withUnsafeBufferPointer { q in
            document.values.withUnsafeBufferPointer { d in
                guard let q = q.baseAddress, let d = d.baseAddress else { return }
                for i in 0..<query.count {
                    var best = -Float.infinity
                    for j in 0..<document.count { best = max(best, VectorMath.dot(q + i * width, d + j * width, count: width)) }
                    total += Double(best)
                }
            }
        }
        return Float(total)
    }
}
