import Foundation
import SentenceTransformers

/// Embeds documents into a ``VectorStore``, idempotently: documents whose id the store already holds are skipped
/// before they are encoded, and the rest are upserted, so a second run adds nothing and a run resumed after a kill
/// writes each missing document once. Encoding overlaps writing: the next chunk encodes while the last one is in
/// flight.
struct StoreIngestion {
    /// What one run did.
    struct Summary: Sendable {
        /// Documents of this shard in the input (after dropping repeated ids: the last one wins).
        var documents = 0
        /// Documents the store already held, not encoded again.
        var skipped = 0
        /// Documents encoded and written.
        var written = 0
        /// Seconds spent encoding, and in all.
        var encodeSeconds = 0.0
        var totalSeconds = 0.0
    }

    let store: any VectorStore
    let model: SentenceTransformer
    /// The sparse model of a hybrid store (its document route encodes each document).
    var sparseModel: SparseEncoder? = nil
    /// The prompt documents are embedded with (nil: the model's document prompt, as Python's `encode_document`).
    var promptName: String? = nil
    /// Texts per forward pass.
    let batchSize: Int
    /// Documents checked, encoded and written at a time.
    let chunkSize: Int

    /// Ingests `documents` (of this shard) into the store.
    /// - Throws: The store's and the model's errors; documents written before the error stay written.
    func run(_ documents: [IndexDocument], progress: ProgressBar? = nil) async throws -> Summary {
        let start = DispatchTime.now()
        var lastRow: [String: Int] = [:]
        for (row, document) in documents.enumerated() { lastRow[document.id] = row }
        let unique = documents.indices.filter { lastRow[documents[$0].id] == $0 }.map { documents[$0] }
        var summary = Summary(documents: unique.count)
        var inFlight: Task<Void, any Error>?
        defer { inFlight?.cancel() }
        for chunkStart in stride(from: 0, to: unique.count, by: chunkSize) {
            let chunk = Array(unique[chunkStart..<min(chunkStart + chunkSize, unique.count)])
            let existing = try await store.existingIDs(among: chunk.map(\.id))
            let fresh = chunk.filter { !existing.contains($0.id) }
            summary.skipped += chunk.count - fresh.count
            if !fresh.isEmpty {
                let encodeStart = DispatchTime.now()
                let embeddings = try await model.encodeDocument(fresh.map(\.text), batchSize: batchSize, promptName: promptName)
                let sparse = try await sparseModel?.encodeDocument(fresh.map(\.text), batchSize: batchSize)
                summary.encodeSeconds += Timing.seconds(since: encodeStart)
                try await inFlight?.value
                let store = self.store
                inFlight = Task { try await store.upsert(fresh, embeddings: embeddings, sparseEmbeddings: sparse) }
                summary.written += fresh.count
            }
            progress?.update(chunkStart + chunk.count)
        }
        try await inFlight?.value
        inFlight = nil
        progress?.finish()
        summary.totalSeconds = Timing.seconds(since: start)
        return summary
    }
}
