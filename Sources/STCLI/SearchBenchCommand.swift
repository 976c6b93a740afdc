import ArgumentParser
import Foundation
import SentenceTransformers

/// `sbert bench-search`: build time, bytes per vector, queries/s and latency of every index kind on one corpus.
struct SearchBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-search",
        abstract: "Benchmark flat (fp32, int8, binary) and HNSW search on a corpus; prints JSON.",
        discussion: "Embeds the corpus and the queries once, then builds each index and times single-query searches (recall@10 against exact search included)."
    )

    @OptionGroup var modelOptions: ModelOptions
    @Option(help: "Corpus: one text per line (.txt) or documents (.jsonl).")
    var corpus: String
    @Option(help: "Queries, one per line.")
    var queries: String
    @Option(help: "Results per query.")
    var topK: Int = 10
    @Option(help: "HNSW search widths to measure.")
    var efSearch: [Int] = [100, 200]

    func run() throws {
        let model = try modelOptions.load()
        let documents = try DocumentInput.read(corpus)
        let queryTexts = try InputLines.read(path: queries)
        var start = DispatchTime.now()
        let corpusEmbeddings = try model.encode(documents.map(\.text), batchSize: 64)
        let embedSeconds = Timing.seconds(since: start)
        let queryEmbeddings = try model.encode(queryTexts)
        let exact = try semanticSearch(queries: queryEmbeddings, corpus: corpusEmbeddings, topK: topK)
        var report: [String: Any] = ["corpus": documents.count, "queries": queryTexts.count, "embed_corpus_s": embedSeconds]
        let kinds: [(String, VectorIndex.Kind)] = [
            ("flat_fp32", .flat()), ("flat_int8", .flat(precision: .int8)), ("flat_binary_rescore", .flat(precision: .ubinary)), ("hnsw", .hnsw()),
        ]
        for (name, kind) in kinds {
            var index = VectorIndex(dimension: corpusEmbeddings.dimension, kind: kind)
            start = DispatchTime.now()
            try index.add(documents.enumerated().map { IndexDocument(id: String($0.offset), text: "") }, embeddings: corpusEmbeddings)
            let buildSeconds = Timing.seconds(since: start)
            let widths: [Int?] = name == "hnsw" ? efSearch.map { $0 } : [nil]
            for ef in widths {
                var latencies: [Double] = []
                var found = 0
                for query in 0..<queryEmbeddings.count {
                    let begin = DispatchTime.now()
                    let hits = try index.search(queryEmbeddings[query], topK: topK, efSearch: ef)
                    latencies.append(Timing.seconds(since: begin) * 1000)
                    let ids = Set(hits.compactMap { Int($0.document.id) })
                    found += exact[query].filter { ids.contains($0.corpusID) }.count
                }
                latencies.sort()
                report[ef.map { "\(name)_ef\($0)" } ?? name] = [
                    "build_s": buildSeconds, "bytes_per_vector": index.bytesPerVector,
                    "queries_per_s": Double(latencies.count) / (latencies.reduce(0, +) / 1000),
                    "p50_ms": Timing.percentile(latencies, 0.5), "p99_ms": Timing.percentile(latencies, 0.99),
                    "recall_at_\(topK)": Double(found) / Double(max(1, topK * queryEmbeddings.count)),
                ] as [String: Any]
            }
        }
        let data = try JSONSerialization.data(withJSONObject: report, options: [.prettyPrinted, .sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }
}
