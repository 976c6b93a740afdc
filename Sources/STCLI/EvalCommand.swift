import ArgumentParser
import Foundation
import SentenceTransformers

/// `sbert eval`: evaluate a model on STS, retrieval, triplet or pair-classification data.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate a model; prints a table, or the Python evaluators' metric names with --format json.",
        discussion: """
            sts: --data an STS Benchmark TSV, a SICK file or an stsb-multi-mt CSV. ir: --data a BEIR folder \
            (corpus.jsonl, queries.jsonl, qrels/SPLIT.tsv). triplet: --data .tsv/.csv/.jsonl with anchor, positive, \
            negative. binary: --data .tsv/.csv/.jsonl with sentence1, sentence2, label. --plot FILE.svg|png draws \
            similarity histograms by gold score (sts, binary) or a precision-recall curve (binary).
            """
    )

    enum Task: String, ExpressibleByArgument, CaseIterable { case sts, ir, triplet, binary }
    enum Format: String, ExpressibleByArgument, CaseIterable { case table, json }

    @Argument(help: "sts, ir, triplet or binary.")
    var task: Task
    @OptionGroup var modelOptions: ModelOptions
    @Option(help: "The data file or folder.")
    var data: String
    @Option(help: "The qrels split of an ir folder (default test).")
    var split: String?
    @Option(help: "table or json.")
    var format: Format = .table
    @Option(help: "Write a chart to this .svg or .png file.")
    var plot: String?
    @Option(help: "Texts per forward pass.")
    var batchSize: Int = 32
    @Option(help: "ir: the prompt name for queries (default: the model's query prompt and route, as Python's encode_query).")
    var queryPromptName: String?
    @Option(help: "ir: the prompt text for queries.")
    var queryPrompt: String?
    @Option(help: "ir: the prompt name for the corpus (default: the model's document prompt and route, as Python's encode_document).")
    var corpusPromptName: String?
    @Option(help: "ir: the prompt text for the corpus.")
    var corpusPrompt: String?
    @Option(parsing: .upToNextOption, help: "sts, triplet, binary: the similarity functions to score with (cosine, dot, euclidean, manhattan; Python's similarity_fn_names); default: the model's. Two or more add the max_ keys.")
    var similarityFnNames: [String] = []

    func validate() throws {
        if task != .ir, [queryPromptName, queryPrompt, corpusPromptName, corpusPrompt].contains(where: { $0 != nil }) {
            throw ValidationError("--query-prompt(-name) and --corpus-prompt(-name) are for `eval ir`")
        }
        if let plot, !(plot.hasSuffix(".svg") || plot.hasSuffix(".png")) { throw ValidationError("--plot must end in .svg or .png") }
        if let plot, task == .ir || task == .triplet { throw ValidationError("--plot draws sts and binary results only (got \(plot))") }
        for name in similarityFnNames where SimilarityFunction(rawValue: name) == nil {
            throw ValidationError("unknown similarity function '\(name)' (cosine, dot, euclidean, manhattan)")
        }
        if task == .ir, !similarityFnNames.isEmpty { throw ValidationError("--similarity-fn-names is for sts, triplet and binary") }
        if task != .ir, split != nil { throw ValidationError("--split picks the qrels of `eval ir`") }
    }

    /// The functions asked for, or nil for the model's own (Python's default).
    var functions: [SimilarityFunction]? {
        similarityFnNames.isEmpty ? nil : similarityFnNames.compactMap(SimilarityFunction.init(rawValue:))
    }

    func run() throws {
        let model = try modelOptions.load()
        let url = URL(fileURLWithPath: data)
        var metrics: [String: Double]
        var chart: Chart?
        switch task {
        case .sts:
            let pairs = try DataLoaders.scoredPairs(url)
            var evaluator = EmbeddingSimilarityEvaluator(pairs: pairs)
            evaluator.batchSize = batchSize
            evaluator.similarityFnNames = functions
            evaluator.progress = progress(texts: 2 * pairs.count)
            metrics = try evaluator.evaluate(model)
            if plot != nil {
                evaluator.progress = nil
                let function = functions?.first ?? model.similarityFunction
                let predicted = try evaluator.similarities(model, functions: [function])[function] ?? []
                let groups = Dictionary(grouping: zip(predicted, evaluator.scores), by: { Int(min(4, max(0, $0.1.rounded(.down)))) })
                chart = Chart.histograms(title: "\(function.rawValue.capitalized) similarity by gold score",
                                         series: groups.keys.sorted().map { ("gold \($0)–\($0 + 1)", groups[$0]?.map(\.0) ?? []) })
            }
        case .ir:
            let dataset = try BEIRDataset(directory: url, split: split ?? "test")
            var evaluator = InformationRetrievalEvaluator(dataset: dataset)
            evaluator.batchSize = batchSize
            evaluator.queryPromptName = queryPromptName
            evaluator.queryPrompt = queryPrompt
            evaluator.corpusPromptName = corpusPromptName
            evaluator.corpusPrompt = corpusPrompt
            evaluator.progress = progress(texts: evaluator.corpus.count + evaluator.queries.count)
            metrics = try evaluator.evaluate(model)
        case .triplet:
            let rows = try DataLoaders.table(url, columns: ["anchor", "positive", "negative"])
            var evaluator = TripletEvaluator(anchors: rows.map { $0[0] }, positives: rows.map { $0[1] }, negatives: rows.map { $0[2] })
            evaluator.batchSize = batchSize
            evaluator.similarityFnNames = functions
            evaluator.progress = progress(texts: 3 * rows.count)
            metrics = try evaluator.evaluate(model)
        case .binary:
            let rows = try DataLoaders.table(url, columns: ["sentence1", "sentence2", "label"])
            let labels = try rows.enumerated().map { index, row -> Int in
                guard let label = Int(row[2].trimmingCharacters(in: .whitespaces)), label == 0 || label == 1 else {
                    throw CLIError("\(data), row \(index + 1): label must be 0 or 1")
                }
                return label
            }
            var evaluator = BinaryClassificationEvaluator(sentences1: rows.map { $0[0] }, sentences2: rows.map { $0[1] }, labels: labels)
            evaluator.batchSize = batchSize
            evaluator.similarityFnNames = functions
            evaluator.progress = progress(texts: 2 * rows.count)
            metrics = try evaluator.evaluate(model)
            if plot != nil {
                evaluator.progress = nil
                let function = functions?.first ?? model.similarityFunction
                // Distances rank the other way round: the curve walks from the most similar pair down.
                let scores = try evaluator.scores(model, functions: [function])[function] ?? []
                let distance = function == .euclidean || function == .manhattan
                chart = Chart.precisionRecall(scores: distance ? scores.map { -$0 } : scores, labels: labels, function: function.rawValue)
            }
        }
        if let plot, let chart { try chart.write(to: plot) }
        switch format {
        case .json:
            let data = try JSONSerialization.data(withJSONObject: metrics, options: [.prettyPrinted, .sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        case .table:
            let width = (metrics.keys.map(\.count).max() ?? 10) + 2
            for key in metrics.keys.sorted() {
                print(key.padding(toLength: width, withPad: " ", startingAt: 0) + String(format: "%.5f", metrics[key] ?? .nan))
            }
        }
    }

    /// A bar over the texts the evaluator embeds (drawn on a terminal only), as Python's `show_progress_bar`.
    private func progress(texts: Int) -> @Sendable (Int, Int) -> Void {
        let bar = ProgressBar(total: texts, label: "eval \(task.rawValue)")
        return { done, total in
            bar.update(done)
            if done == total { bar.finish() }
        }
    }
}
