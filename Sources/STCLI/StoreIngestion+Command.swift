import Foundation
import SentenceTransformers

extension StoreIngestion {
    /// `index build|add --store`: reads `input`, keeps this shard's documents, ingests them into the store at
    /// `location`, persists, and reports on standard error:
    /// `ingest LOCATION [shard I/N]: D documents, S already stored, W written in T s (R documents/s; encoding E s, …)`.
    /// - Throws: ``CLIError`` for an unreadable input; the store's and the model's errors.
    static func ingest(input: String, into location: String, shard: ShardSpec?, model: SentenceTransformer, modelName: String,
                       create: Bool, kind: VectorIndex.Kind, metric: VectorIndex.Metric, batchSize: Int, chunkSize: Int) async throws {
        var documents = try DocumentInput.read(input)
        if let shard { documents = documents.filter { shard.contains($0.id) } }
        let store = try await StoreSchemes.open(StoreRequest(location: location, dimension: model.embeddingDimension, create: create,
                                                             metric: metric, kind: kind, model: modelName))
        let ingestion = StoreIngestion(store: store, model: model, batchSize: batchSize, chunkSize: chunkSize)
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
