import ArgumentParser
import Foundation
import SentenceTransformers

/// `sbert index`: build and grow a persistent vector index of documents.
struct IndexCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index",
        abstract: "Build, grow or inspect a persistent vector index.",
        subcommands: [IndexBuildCommand.self, IndexAddCommand.self, IndexInfoCommand.self]
    )
}

/// Documents read from a file: `.txt` (one per line, id = line number from `firstID`, 0 by default), `.jsonl`
/// (`{"id", "text", "metadata"}` or a BEIR corpus `{"_id", "title", "text"}`; every line needs a `text` string).
enum DocumentInput {
    static func read(_ path: String, firstID: Int = 0) throws -> [IndexDocument] {
        if path.hasSuffix(".jsonl") {
            let data = FileManager.default.contents(atPath: path) ?? Data()
            if data.isEmpty, !FileManager.default.fileExists(atPath: path) { throw CLIError("cannot read input file \(path)") }
            return try InputLines.lines(of: data, source: path).enumerated().compactMap { index, line in
                if line.trimmingCharacters(in: .whitespaces).isEmpty { return nil }
                guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                    throw CLIError("\(path), line \(index + 1): not a JSON object")
                }
                let id = (object["id"] ?? object["_id"]).map { "\($0)" } ?? String(index)
                let title = object["title"] as? String ?? ""
                // A line without its text would be indexed as an empty document: refuse it.
                guard let body = object["text"] as? String else {
                    throw CLIError("\(path), line \(index + 1): no \"text\" string (documents are {\"id\", \"text\", \"metadata\"} or BEIR {\"_id\", \"title\", \"text\"})")
                }
                let text = title.isEmpty ? body : (title + " " + body).trimmingCharacters(in: .whitespaces)
                var metadata: [String: String] = [:]
                for (key, value) in (object["metadata"] as? [String: Any]) ?? [:] { metadata[key] = "\(value)" }
                if !title.isEmpty { metadata["title"] = title }
                return IndexDocument(id: id, text: text, metadata: metadata)
            }
        }
        return try InputLines.read(path: path).enumerated().map { IndexDocument(id: String(firstID + $0.offset), text: $0.element) }
    }

    /// Embeds `documents` in chunks with a progress bar, adding them to `index`, as Python's `encode_document` embeds
    /// them (the model's document prompt and Router route; `promptName` overrides the prompt); a hybrid index also
    /// gets each document's sparse vector from `sparseModel` (its document route).
    static func add(_ documents: [IndexDocument], to index: inout VectorIndex, model: SentenceTransformer, sparseModel: SparseEncoder? = nil,
                    promptName: String? = nil, batchSize: Int) throws {
        let progress = ProgressBar(total: documents.count, label: "embed")
        let chunk = 4096
        for start in stride(from: 0, to: documents.count, by: chunk) {
            let slice = Array(documents[start..<min(start + chunk, documents.count)])
            let embeddings = try model.encode(slice.map(\.text), batchSize: batchSize, promptName: promptName, task: "document",
                                              progress: { done, _ in progress.update(start + done) })
            let sparse = try sparseModel.map { try $0.encodeDocument(slice.map(\.text), batchSize: batchSize) }
            try index.add(slice, embeddings: embeddings, sparseEmbeddings: sparse)
        }
        progress.finish()
    }

    /// The sparse model a hybrid index was built with (`--sparse-model` overrides it).
    static func sparseModel(for index: VectorIndex, override: String?) throws -> SparseEncoder? {
        guard index.sparseDimension != nil else { return nil }
        guard let name = override ?? index.sparseModel else { throw CLIError("the index keeps sparse vectors but names no sparse model: pass --sparse-model") }
        return try SparseEncoder(directory: try ModelLocator.resolveOrDownload(name))
    }
}

struct IndexBuildCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build", abstract: "Embed documents and save a new index, or write them into a store (--store).",
        discussion: """
            With --store milvus://HOST:PORT/COLLECTION the documents go into a Milvus collection (created with an HNSW \
            index when missing), idempotently by id: documents already there are skipped, so a rerun or a resumed run \
            never duplicates one. --shard I/N takes this process's share of the input, so that N processes fill one \
            collection. `sbert` hands milvus:// commands to `sbert-milvus`, which must be beside it or on PATH.
            """)

    enum KindName: String, ExpressibleByArgument, CaseIterable { case flat, hnsw }

    @OptionGroup var modelOptions: ModelOptions
    @Option(name: .shortAndLong, help: "Documents: .txt (one per line) or .jsonl ({\"id\", \"text\", \"metadata\"} or BEIR corpus).")
    var input: String
    @Option(help: "The index directory to write.")
    var out: String?
    @Option(help: "A store to write into instead: milvus://[USER:PASSWORD@]HOST:PORT/COLLECTION[?token=…&tls=1&timeout=60], or an index directory (kept, grown).")
    var store: String?
    @Option(help: "With --store: ingest only shard I of N (by a hash of each document id), e.g. 0/4.")
    var shard: ShardSpec?
    @Option(help: "With --store: documents checked, encoded and written at a time (default 1024).")
    var chunkSize: Int?
    @Option(help: "flat (exact) or hnsw (approximate); default flat for --out, hnsw for --store.")
    var kind: KindName?
    // Not `--precision`: that is the model's arithmetic (ModelOptions); this is how the flat index stores vectors.
    @Option(help: "Flat storage: float32 (default), int8, uint8, binary or ubinary (sentence-transformers' quantize_embeddings precisions).")
    var storagePrecision: String?
    @Option(help: "cosine, dot or l2.")
    var metric: String = "cosine"
    @Option(help: "HNSW links per node (default 16).")
    var m: Int?
    @Option(help: "HNSW build search width (default 200).")
    var efConstruction: Int?
    @Option(help: "HNSW query search width (default 200).")
    var efSearch: Int?
    @Option(help: "Texts per forward pass.")
    var batchSize: Int = 32
    @Option(help: "A sparse (SPLADE) model: store each document's sparse vector too, for `sbert search --hybrid` (a Milvus store needs Milvus 2.4+ or milvus-lite).")
    var sparseModel: String?
    @Option(help: "The prompt documents are embedded with (default: the model's document prompt and route, as Python's encode_document).")
    var promptName: String?

    func validate() throws {
        if let storagePrecision, QuantizationPrecision(rawValue: storagePrecision) == nil { throw ValidationError("unknown --storage-precision \(storagePrecision)") }
        guard VectorIndex.Metric(rawValue: metric) != nil else { throw ValidationError("unknown --metric \(metric)") }
        if let m, m < 2 { throw ValidationError("--m must be at least 2 (HNSW links per node)") }
        guard [efConstruction, efSearch, chunkSize].allSatisfy({ ($0 ?? 1) > 0 }), batchSize > 0 else {
            throw ValidationError("--ef-*, --batch-size, --chunk-size must be positive")
        }
        guard (out == nil) != (store == nil) else { throw ValidationError("give --out (a new index) or --store, one of them") }
        if shard != nil, store == nil { throw ValidationError("--shard needs --store") }
        if chunkSize != nil, store == nil { throw ValidationError("--chunk-size needs --store") }
        let hnsw = (kind ?? (store == nil ? .flat : .hnsw)) == .hnsw
        for (given, flag) in [(m != nil, "--m"), (efConstruction != nil, "--ef-construction"), (efSearch != nil, "--ef-search")] where given && !hnsw {
            throw ValidationError("\(flag) is an HNSW setting; this index is flat (--kind hnsw for one)")
        }
        if storagePrecision != nil, hnsw { throw ValidationError("--storage-precision is a flat index's setting; this index is HNSW") }
    }

    var indexKind: VectorIndex.Kind {
        (kind ?? (store == nil ? .flat : .hnsw)) == .hnsw
            ? .hnsw(m: m ?? 16, efConstruction: efConstruction ?? 200, efSearch: efSearch ?? 200)
            : .flat(precision: storagePrecision.flatMap(QuantizationPrecision.init(rawValue:)) ?? .float32)
    }

    func run() async throws {
        if let store {
            try StoreForwarding.forwardIfNeeded(store)
            try await StoreIngestion.ingest(input: input, into: store, shard: shard, modelName: modelOptions.model, sparseModelName: sparseModel,
                                            promptName: promptName, loadModel: modelOptions.load(named:), create: true, kind: indexKind,
                                            metric: VectorIndex.Metric(rawValue: metric) ?? .cosine, batchSize: batchSize, chunkSize: chunkSize ?? 1024)
            return
        }
        guard let out else { return }
        let documents = try DocumentInput.read(input)
        let model = try modelOptions.load()
        let sparse = try sparseModel.map { try SparseEncoder(directory: try ModelLocator.resolveOrDownload($0)) }
        var index = VectorIndex(dimension: model.embeddingDimension, kind: indexKind, metric: VectorIndex.Metric(rawValue: metric) ?? .cosine,
                                model: modelOptions.model, sparseDimension: sparse?.embeddingDimension, sparseModel: sparseModel)
        try DocumentInput.add(documents, to: &index, model: model, sparseModel: sparse, promptName: promptName, batchSize: batchSize)
        try index.save(to: URL(fileURLWithPath: out))
        FileHandle.standardError.write(Data("indexed \(index.count) documents into \(out)\n".utf8))
    }
}

struct IndexAddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Embed more documents into an existing index (same ids are an error), or into an existing store (--store: ids already there are skipped).")

    @Option(help: "The index directory.")
    var index: String?
    @Option(help: "An existing store instead: milvus://HOST:PORT/COLLECTION (see `index build`), or an index directory.")
    var store: String?
    @Option(help: "With --store: ingest only shard I of N, e.g. 0/4.")
    var shard: ShardSpec?
    @Option(help: "With --store: documents checked, encoded and written at a time (default 1024).")
    var chunkSize: Int?
    @Option(name: .shortAndLong, help: "Documents, as for build.")
    var input: String
    @Option(name: .shortAndLong, help: "The model (default: the one the index was built with).")
    var model: String?
    @Option(help: "Texts per forward pass.")
    var batchSize: Int = 32
    @Option(help: "The sparse model of a hybrid index or store (default: the one it was built with).")
    var sparseModel: String?
    @Option(help: "The prompt documents are embedded with (default: the model's document prompt and route, as at build).")
    var promptName: String?

    func validate() throws {
        guard batchSize > 0, (chunkSize ?? 1) > 0 else { throw ValidationError("--batch-size and --chunk-size must be positive") }
        guard (index == nil) != (store == nil) else { throw ValidationError("give --index or --store, one of them") }
        if shard != nil, store == nil { throw ValidationError("--shard needs --store") }
        if chunkSize != nil, store == nil { throw ValidationError("--chunk-size needs --store") }
    }

    func run() async throws {
        if let store {
            try StoreForwarding.forwardIfNeeded(store)
            try await StoreIngestion.ingest(input: input, into: store, shard: shard, modelName: model, sparseModelName: sparseModel,
                                            promptName: promptName, loadModel: { try SentenceTransformer(directory: try ModelLocator.resolveOrDownload($0)) }, create: false,
                                            kind: .flat(), metric: .cosine, batchSize: batchSize, chunkSize: chunkSize ?? 1024)
            return
        }
        guard let index else { return }
        let directory = URL(fileURLWithPath: index)
        var loaded = try VectorIndex(contentsOf: directory)
        // Lines of a .txt file continue the numbering after the index's largest numeric id, so that adding a second
        // file does not collide with the first one's ids.
        let nextID = (loaded.documents.compactMap { Int($0.id) }.max() ?? -1) + 1
        let documents = try DocumentInput.read(input, firstID: nextID)
        let encoder = try await SentenceTransformer(directory: try ModelLocator.resolveOrDownload(model ?? loaded.model ?? ModelLocator.defaultModel))
        try DocumentInput.add(documents, to: &loaded, model: encoder, sparseModel: try DocumentInput.sparseModel(for: loaded, override: sparseModel),
                              promptName: promptName, batchSize: batchSize)
        try loaded.save(to: directory)
        FileHandle.standardError.write(Data("index \(index) now holds \(loaded.count) documents\n".utf8))
    }
}

struct IndexInfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "info", abstract: "Print an index's settings and size.")

    @Option(help: "The index directory.")
    var index: String

    func run() throws {
        let loaded = try VectorIndex(contentsOf: URL(fileURLWithPath: index))
        let kind: String
        switch loaded.kind {
        case let .flat(precision): kind = "flat (\(precision.rawValue))"
        case let .hnsw(m, efConstruction, efSearch): kind = "hnsw (M \(m), efConstruction \(efConstruction), efSearch \(efSearch))"
        }
        print("documents        \(loaded.count)\ndimension        \(loaded.dimension)\nkind             \(kind)")
        print("metric           \(loaded.metric.rawValue)\nmodel            \(loaded.model ?? "?")\nbytes per vector \(loaded.bytesPerVector)")
        if let dimension = loaded.sparseDimension { print("sparse           \(dimension) dimensions, model \(loaded.sparseModel ?? "?")") }
    }
}

/// `sbert search`: query an index, optionally reranking with a cross-encoder.
struct SearchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search", abstract: "Search an index for the documents closest to each query.")

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @Option(help: "The index directory.")
    var index: String?
    @Option(help: "A store instead: milvus://HOST:PORT/COLLECTION (see `index build`), or an index directory.")
    var store: String?
    @Option(help: "Only documents whose metadata KEY equals VALUE (repeat for several: all must hold). The value is data, whatever it holds.")
    var filter: [String] = []
    @Option(name: .shortAndLong, help: "The model (default: the one the index or store was built with, else all-MiniLM-L6-v2).")
    var model: String?
    @Option(help: "Results per query.")
    var topK: Int = 10
    @Option(help: "Rerank the results with this cross-encoder (directory or model id).")
    var rerankWith: String?
    @Option(help: "HNSW search width (default: the index's; 512 for a Milvus store).")
    var efSearch: Int?
    @Option(help: "text or json (one JSON array per query per line).")
    var format: Format = .text
    @Flag(help: "Hybrid search (an index or store built with --sparse-model): dense and sparse results fused.")
    var hybrid = false
    @Option(help: "Hybrid fusion: rrf (reciprocal rank, k = 60; the default) or weighted (min-max normalized scores).")
    var fusion: String?
    @Option(help: "Weighted fusion: the sparse list's weight in [0, 1] (the dense list gets the rest; default 0.5).")
    var sparseWeight: Float?
    @Option(help: "The sparse model of a hybrid index or store (default: the one it was built with).")
    var sparseModel: String?
    @Option(help: "The prompt queries are embedded with (default: the model's query prompt and route, as Python's encode_query).")
    var promptName: String?
    @Argument(help: "Queries; without any, one per line from standard input.")
    var queries: [String] = []

    func validate() throws {
        guard topK > 0 else { throw ValidationError("--top-k must be positive") }
        if let efSearch, efSearch <= 0 { throw ValidationError("--ef-search must be positive") }
        if let fusion, !["rrf", "weighted"].contains(fusion) { throw ValidationError("--fusion must be rrf or weighted") }
        if let sparseWeight, !(0...1).contains(sparseWeight) { throw ValidationError("--sparse-weight must be in [0, 1]") }
        guard (index == nil) != (store == nil) else { throw ValidationError("give --index or --store, one of them") }
        for (given, flag) in [(fusion != nil, "--fusion"), (sparseWeight != nil, "--sparse-weight"), (sparseModel != nil, "--sparse-model")] where given && !hybrid {
            throw ValidationError("\(flag) is a setting of --hybrid search")
        }
        if sparseWeight != nil, fusion != "weighted" { throw ValidationError("--sparse-weight weighs --fusion weighted (rrf has no weights)") }
        if efSearch != nil, index != nil, hybrid || !filter.isEmpty {
            throw ValidationError("--ef-search applies to a plain search of an HNSW index (filtered and hybrid searches of an index are exact)")
        }
        for condition in filter where !condition.contains("=") { throw ValidationError("--filter takes KEY=VALUE, got \(condition)") }
    }

    /// The `--filter` conditions as a store filter (all must hold), or `nil` for none.
    var storeFilter: StoreFilter? {
        guard !filter.isEmpty else { return nil }
        let conditions = filter.map { condition -> StoreFilter in
            let parts = condition.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return .metadata(String(parts[0]), equals: parts.count > 1 ? String(parts[1]) : "")
        }
        return conditions.count == 1 ? conditions[0] : .all(conditions)
    }

    func run() async throws {
        try StoreForwarding.forwardIfNeeded(store)
        let loaded = try index.map { try VectorIndex(contentsOf: URL(fileURLWithPath: $0)) }
        var opened: (any VectorStore)?
        if let store {
            opened = try await StoreSchemes.open(StoreRequest(location: store, dimension: nil, create: false, metric: .cosine, kind: .flat(), model: nil,
                                                              efSearch: efSearch))
        } else if let index, storeFilter != nil || hybrid {
            // Filtered and hybrid searches of a local index go through its store, which filters exactly.
            opened = try VectorIndexStore(directory: URL(fileURLWithPath: index), dimension: 0)
        }
        let encoder = try await SentenceTransformer(directory: try ModelLocator.resolveOrDownload(model ?? loaded?.model ?? opened?.model ?? ModelLocator.defaultModel))
        let reranker = try rerankWith.map { try CrossEncoder($0) }
        var sparse: SparseEncoder?
        if hybrid {
            guard let opened, opened.sparseDimension != nil else {
                throw CLIError("--hybrid needs an index or store built with --sparse-model")
            }
            guard let name = sparseModel ?? opened.sparseModel else {
                throw CLIError("the \(store == nil ? "index" : "store") keeps sparse vectors but names no sparse model: pass --sparse-model")
            }
            sparse = try await SparseEncoder(directory: try ModelLocator.resolveOrDownload(name))
        }
        let weight = sparseWeight ?? 0.5
        let fusionMethod: HybridSearch.Fusion = fusion == "weighted" ? .weightedScore(weights: [1 - weight, weight]) : .reciprocalRank()
        if efSearch != nil, let loaded, case .flat = loaded.kind {
            throw CLIError("--ef-search is an HNSW setting; \(index ?? "the index") is flat (exact)")
        }
        let inputs = queries.isEmpty ? try InputLines.read(path: nil) : queries
        for query in inputs {
            let vector = try await encoder.encodeQuery([query], promptName: promptName)
            var hits: [IndexHit]
            if let sparse, let opened {
                hits = try await opened.searchHybrid(dense: vector, sparse: try sparse.encodeQuery([query]), topK: topK, fusion: fusionMethod,
                                                     filter: storeFilter).first ?? []
            } else if let opened {
                hits = try await opened.search(vector, topK: topK, filter: storeFilter).first ?? []
            } else if let loaded {
                hits = try loaded.search(vector.values, topK: topK, efSearch: efSearch)
            } else {
                hits = []
            }
            if let reranker {
                let scores = try await reranker.predict(hits.map { (query, $0.document.text) }).values
                hits = zip(hits, scores).map { IndexHit(document: $0.0.document, score: $0.1) }.sorted { $0.score > $1.score }
            }
            switch format {
            case .json:
                let rows = hits.map { hit -> String in
                    let metadata = (try? JSONSerialization.data(withJSONObject: hit.document.metadata, options: [.sortedKeys])).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
                    return "{\"id\":\(RerankCommand.jsonString(hit.document.id)),\"score\":\(EmbeddingFormat.number(hit.score)),\"text\":\(RerankCommand.jsonString(hit.document.text)),\"metadata\":\(metadata)}"
                }
                print("[" + rows.joined(separator: ",") + "]")
            case .text:
                print("query: \(query)")
                for (rank, hit) in hits.enumerated() {
                    print(String(format: "%3d  %8.4f  ", rank + 1, hit.score) + "[\(hit.document.id)] \(hit.document.text.prefix(120))")
                }
            }
        }
    }
}
