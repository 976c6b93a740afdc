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
    @Option(help: "The qrels split of an ir folder.")
    var split: String = "test"
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

    func validate() throws {
        if task != .ir, [queryPromptName, queryPrompt, corpusPromptName, corpusPrompt].contains(where: { $0 != nil }) {
            throw ValidationError("--query-prompt(-name) and --corpus-prompt(-name) are for `eval ir`")
        }
        if let plot, !(plot.hasSuffix(".svg") || plot.hasSuffix(".png")) { throw ValidationError("--plot must end in .svg or .png") }
        if let plot, task == .ir || task == .triplet { throw ValidationError("--plot draws sts and binary results only (got \(plot))") }
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
            let similarities = try evaluator.similarities(model)
            metrics = [:]
            for (function, predicted) in similarities {
                metrics["pearson_\(function.rawValue)"] = Correlation.pearson(predicted, evaluator.scores)
                metrics["spearman_\(function.rawValue)"] = Correlation.spearman(predicted, evaluator.scores)
            }
            let cosine = similarities[.cosine] ?? []
            let groups = Dictionary(grouping: zip(cosine, evaluator.scores), by: { Int(min(4, max(0, $0.1.rounded(.down)))) })
            chart = Chart.histograms(title: "Cosine similarity by gold score",
                                     series: groups.keys.sorted().map { ("gold \($0)–\($0 + 1)", groups[$0]?.map(\.0) ?? []) })
        case .ir:
            let dataset = try BEIRDataset(directory: url, split: split)
            var evaluator = InformationRetrievalEvaluator(dataset: dataset)
            evaluator.batchSize = batchSize
            evaluator.queryPromptName = queryPromptName
            evaluator.queryPrompt = queryPrompt
            evaluator.corpusPromptName = corpusPromptName
            evaluator.corpusPrompt = corpusPrompt
            metrics = try evaluator.evaluate(model)
        case .triplet:
            let rows = try DataLoaders.table(url, columns: ["anchor", "positive", "negative"])
            metrics = try TripletEvaluator(anchors: rows.map { $0[0] }, positives: rows.map { $0[1] }, negatives: rows.map { $0[2] }).evaluate(model)
        case .binary:
            let rows = try DataLoaders.table(url, columns: ["sentence1", "sentence2", "label"])
            let labels = try rows.enumerated().map { index, row -> Int in
                guard let label = Int(row[2].trimmingCharacters(in: .whitespaces)), label == 0 || label == 1 else {
                    throw CLIError("\(data), row \(index + 1): label must be 0 or 1")
                }
                return label
            }
            let evaluator = BinaryClassificationEvaluator(sentences1: rows.map { $0[0] }, sentences2: rows.map { $0[1] }, labels: labels)
            metrics = try evaluator.evaluate(model)
            let cosine = try evaluator.scores(model)[.cosine] ?? []
            chart = Chart.precisionRecall(scores: cosine, labels: labels)
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
}
