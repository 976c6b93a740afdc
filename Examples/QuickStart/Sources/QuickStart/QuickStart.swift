import Foundation
import SentenceTransformers

/// Semantic search with reranking, from async code: load, encode with progress, cancel, search, rerank, and the
/// dynamic batcher a request handler would share.
///
///     swift run -c release QuickStart EMBEDDER RERANKER
///
/// EMBEDDER and RERANKER are model directories or Hugging Face ids (`all-MiniLM-L6-v2`,
/// `cross-encoder/ms-marco-MiniLM-L6-v2`).
@main
struct QuickStart {
    static let corpus = [
        "A man is eating food.",
        "A man is eating a piece of bread.",
        "The girl is carrying a baby.",
        "A man is riding a horse.",
        "A woman is playing violin.",
        "Two men pushed carts through the woods.",
        "A man is riding a white horse on an enclosed ground.",
        "A monkey is playing drums.",
        "A cheetah is running behind its prey.",
        "The new movie is awesome.",
        "The cat sits outside.",
        "A man is playing guitar.",
    ]

    static func main() async throws {
        let arguments = Array(CommandLine.arguments.dropFirst())
        guard arguments.count == 2 else {
            FileHandle.standardError.write(Data("usage: QuickStart EMBEDDER RERANKER (model directories or Hugging Face ids)\n".utf8))
            exit(2)
        }

        // Every setting in one value; the load reads the weights off the cooperative threads.
        let model = try await SentenceTransformer(arguments[0], options: LoadOptions(maxSeqLength: 128, threads: 2))
        print("loaded \(arguments[0]): \(model.embeddingDimension) dimensions, max \(model.maxSeqLength) tokens")

        let corpusEmbeddings = try await model.encode(corpus, batchSize: 4, normalize: true) { done, total in
            print("encoded \(done)/\(total)")
        }

        // A long encode that the app gives up on: it stops at the end of the batch it is in.
        let long = Task { try await model.encode(Array(repeating: corpus, count: 400).flatMap { $0 }) }
        try await Task.sleep(for: .milliseconds(100))
        long.cancel()
        do {
            _ = try await long.value
            print("the long encode finished before it was cancelled")
        } catch is CancellationError {
            print("the long encode was cancelled")
        }

        let queries = ["Someone is playing an instrument.", "A person rides an animal."]
        let queryEmbeddings = try await model.encode(queries, normalize: true)
        let hits = try await semanticSearch(queries: queryEmbeddings, corpus: corpusEmbeddings, topK: 4)

        let reranker = try await CrossEncoder(arguments[1])
        for (query, queryHits) in zip(queries, hits) {
            print("query: \(query)")
            let candidates = queryHits.map { corpus[$0.corpusID] }
            for ranked in try await reranker.rank(query: query, documents: candidates) {
                print("  " + String(format: "%.4f", ranked.score) + "  " + candidates[ranked.corpusID])
            }
        }

        // Many callers, one forward pass at a time: what `sbert serve` runs behind its routes.
        let batcher = try EmbeddingBatcher(model: model)
        let rows = try await withThrowingTaskGroup(of: Int.self) { group in
            for text in corpus { group.addTask { try await batcher.encode([text]).count } }
            var total = 0
            for try await count in group { total += count }
            return total
        }
        print("the batcher embedded \(rows) texts from \(corpus.count) concurrent calls")
    }
}
