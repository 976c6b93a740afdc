import Foundation
import SentenceTransformers

extension StoreIngestion {
    /// `index build|add --store`: reads `input`, keeps this shard's documents, ingests them into the store at
    /// `location` (with a sparse model's vectors too when the store is hybrid), persists, and reports on standard
    /// error: `ingest LOCATION [shard I/N]: D documents, S already stored, W written in T s (R documents/s; encoding E s, …)`.
    ///
    /// With `create`, a missing store is made for `modelName` (default all-MiniLM-L6-v2) and, when `sparseModelName`
    /// is given, made hybrid. Without it the store must exist, and the models default to those it records.
    /// - Parameter promptName: The prompt documents are embedded with (nil: the model's document prompt and route).
    /// - Parameter loadModel: Loads the dense model by name (the command's precision and device options apply).
    /// - Throws: ``CLIError`` for an unreadable input or a hybrid store without a known sparse model; the store's and
    ///   the models' errors.
    static func ingest(input: String, into location: String, shard: ShardSpec?, modelName: String?, sparseModelName: String?,
                       promptName: String? = nil, loadModel: (String) throws -> SentenceTransformer, create: Bool, kind: VectorIndex.Kind,
                       metric: VectorIndex.Metric, batchSize: Int, chunkSize: Int) async throws {
        var documents = try DocumentInput.read(input)
        if let shard { documents = documents.filter { shard.contains($0.id) } }
        var request = StoreRequest(location: location, dimension: nil, create: false, metric: metric, kind: kind, model: nil)
        if !create {
            // The store records its models: open it first to learn them.
            let existing = try await StoreSchemes.open(request)
            request.model = modelName ?? existing.model
            request.sparseModel = sparseModelName ?? existing.sparseModel
            if existing.sparseDimension != nil, request.sparseModel == nil {
                throw CLIError("\(location) keeps sparse vectors and records no sparse model: give --sparse-model")
            }
        } else {
            request.model = modelName
            request.sparseModel = sparseModelName
        }
        let name = request.model ?? ModelLocator.defaultModel
        let model = try loadModel(name)
        let sparse = try request.sparseModel.map { try SparseEncoder(directory: try ModelLocator.resolveOrDownload($0)) }
        request.model = name
        request.create = create
        request.dimension = model.embeddingDimension
        request.sparseDimension = sparse?.embeddingDimension
        let store = try await StoreSchemes.open(request)
        if store.sparseDimension != nil, sparse == nil {
            throw CLIError("\(location) keeps sparse vectors too: give --sparse-model (it was created with \(store.sparseModel ?? "an unrecorded model"))")
        }
        let ingestion = StoreIngestion(store: store, model: model, sparseModel: sparse, promptName: promptName, batchSize: batchSize, chunkSize: chunkSize)
        let summary = try await ingestion.run(documents, progress: ProgressBar(total: documents.count, label: "ingest"))
        try await store.persist()
        let total = try await store.count()
        let rate = summary.totalSeconds > 0 ? Double(summary.written) / summary.totalSeconds : 0
        let encodeRate = summary.encodeSeconds > 0 ? Double(summary.written) / summary.encodeSeconds : 0
        let shardText = shard.map { " shard \($0.index)/\($0.count)" } ?? ""
        let line = String(format: "ingest %@%@: %d documents, %d already stored, %d written in %.1f s (%.1f documents/s; encoding alone %.1f s, %.1f documents/s); the store holds %d\n",
                          location, shardText, summary.documents, summary.skipped, summary.written, summary.totalSeconds, rate,
                          summary.encodeSeconds, encodeRate, total)
        FileHandle.standardError.write(Data(line.utf8))
    }
}
