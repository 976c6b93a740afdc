import ArgumentParser
import Foundation
import SentenceTransformers
import STServerAPI

/// `sbert mine`: hard negatives for (anchor, positive) pairs, written as a training file.
struct MineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mine",
        abstract: "Mine hard negatives for (anchor, positive) pairs (Python: util.mine_hard_negatives).",
        discussion: """
            Anchors are embedded as encode_query, the corpus (the positives, and --corpus) as encode_document; each \
            anchor's nearest corpus texts that are not its positives become its negatives, filtered by rank \
            (--range-min, --range-max), score (--min-score, --max-score) and margin to its positives (--absolute-margin, \
            --relative-margin), optionally rescored by --cross-encoder. The output is JSON lines with Python's columns: \
            triplet (anchor, positive, negative), n-tuple (…, negative_1 … negative_N), labeled-pair (…, label or score) \
            or labeled-list (anchor, [texts], labels or scores); `sbert train --train` reads it.

            Example: sbert mine --train pairs.jsonl --columns query,answer --corpus docs.txt --num-negatives 5 --relative-margin 0.05 --output mined.jsonl
            """
    )

    @OptionGroup var modelOptions: ModelOptions

    @Option(help: "The (anchor, positive) pairs: .jsonl, .csv or .tsv.")
    var train: String

    @Option(help: "The anchor and positive columns, comma-separated (jsonl keys, or 0-based field positions of a csv/tsv).")
    var columns: String

    @Option(help: "More texts to mine from, besides the positives: one per line (.txt), or .jsonl documents ({\"text\"} or BEIR {\"title\", \"text\"}).")
    var corpus: String?

    @Option(name: .shortAndLong, help: "The mined rows, as JSON lines (written atomically).")
    var output: String

    @Option(help: "A cross-encoder that rescores the candidates (used when a score or margin filter is set).")
    var crossEncoder: String?

    @Option(help: "Skip the first N candidates (Python: range_min).")
    var rangeMin: Int = 0

    @Option(help: "Consider candidates up to this rank (default: range-min + num-negatives + the most positives of an anchor; × 10 negatives with a score or margin filter).")
    var rangeMax: Int?

    @Option(help: "Candidates scoring above this are not negatives.")
    var maxScore: Float?

    @Option(help: "Candidates scoring below this are not negatives.")
    var minScore: Float?

    @Option(help: "A negative scores at least this much below the anchor's lowest positive.")
    var absoluteMargin: Float?

    @Option(help: "A negative scores at most (1 − this) × the anchor's lowest positive.")
    var relativeMargin: Float?

    @Option(help: "Negatives per anchor.")
    var numNegatives: Int = 3

    @Option(help: "top (the best candidates) or random (drawn from those left; with --seed).")
    var samplingStrategy: String = "top"

    @Option(help: "The seed of --sampling-strategy random (default 0).")
    var seed: UInt64?

    @Flag(help: "Keep the positives among the candidates (for reranker evaluation; --output-format n-tuple).")
    var includePositives = false

    @Option(help: "triplet, n-tuple, labeled-pair or labeled-list.")
    var outputFormat: String = "triplet"

    @Flag(help: "Scores instead of labels (labeled formats), or a scores column beside the texts.")
    var outputScores = false

    @Option(help: "The prompt name for anchors (default: the model's query prompt and route, as encode_query).")
    var queryPromptName: String?
    @Option(help: "The prompt text for anchors.")
    var queryPrompt: String?
    @Option(help: "The prompt name for the corpus (default: the model's document prompt and route, as encode_document).")
    var corpusPromptName: String?
    @Option(help: "The prompt text for the corpus.")
    var corpusPrompt: String?

    @Option(help: "Texts per forward pass.")
    var batchSize: Int = 32

    func validate() throws {
        guard HardNegativeMining.SamplingStrategy(rawValue: samplingStrategy) != nil else {
            throw ValidationError("--sampling-strategy must be top or random")
        }
        guard HardNegativeMining.OutputFormat(rawValue: outputFormat) != nil else {
            throw ValidationError("--output-format must be triplet, n-tuple, labeled-pair or labeled-list")
        }
        guard columns.split(separator: ",").count == 2 else { throw ValidationError("--columns takes two names: anchor,positive") }
        guard batchSize > 0 else { throw ValidationError("--batch-size must be positive") }
        if seed != nil, samplingStrategy != "random" { throw ValidationError("--seed seeds --sampling-strategy random") }
        if crossEncoder != nil, [maxScore, minScore, absoluteMargin, relativeMargin].allSatisfy({ $0 == nil }) {
            throw ValidationError("--cross-encoder rescores for a score or margin filter: give --min-score, --max-score, --absolute-margin or --relative-margin")
        }
    }

    func run() throws {
        try OutputFile.checkReplaceable(output)
        var mining = HardNegativeMining()
        mining.rangeMin = rangeMin
        mining.rangeMax = rangeMax
        mining.maxScore = maxScore
        mining.minScore = minScore
        mining.absoluteMargin = absoluteMargin
        mining.relativeMargin = relativeMargin
        mining.numNegatives = numNegatives
        mining.samplingStrategy = HardNegativeMining.SamplingStrategy(rawValue: samplingStrategy) ?? .top
        mining.seed = seed ?? 0
        mining.includePositives = includePositives
        mining.outputFormat = HardNegativeMining.OutputFormat(rawValue: outputFormat) ?? .triplet
        mining.outputScores = outputScores
        mining.queryPromptName = queryPromptName
        mining.queryPrompt = queryPrompt
        mining.corpusPromptName = corpusPromptName
        mining.corpusPrompt = corpusPrompt
        mining.batchSize = batchSize
        // Settings are checked before the model loads and the corpus is embedded.
        try mining.validate()

        let names = columns.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let rows = try DataLoaders.table(URL(fileURLWithPath: train), columns: names)
        let corpusTexts = try corpus.map { try DocumentInput.read($0).map(\.text) }
        let model = try modelOptions.load()
        let reranker = try crossEncoder.map { try CrossEncoder($0) }
        let bar = ProgressBar(total: rows.count + (corpusTexts?.count ?? 0), label: "embed")
        let mined = try mining.mine(anchors: rows.map { $0[0] }, positives: rows.map { $0[1] }, model: model, corpus: corpusTexts,
                                    crossEncoder: reranker, anchorColumn: names[0], positiveColumn: names[1]) { done, _ in bar.update(done) }
        bar.finish()
        let lines = mined.rows.map { row in
            "{" + zip(mined.columns, row).map { "\(JSONNumbers.string($0)):\(Self.json($1))" }.joined(separator: ",") + "}\n"
        }
        try OutputFile.write(Data(lines.joined().utf8), to: output)
        FileHandle.standardError.write(Data("mine: \(mined.rows.count) rows (\(mined.columns.joined(separator: ", "))) to \(output)\n".utf8))
    }

    static func json(_ value: HardNegativeMining.Value) -> String {
        switch value {
        case let .text(text): return JSONNumbers.string(text)
        case let .texts(texts): return "[" + texts.map(JSONNumbers.string).joined(separator: ",") + "]"
        case let .label(label): return String(label)
        case let .labels(labels): return "[" + labels.map(String.init).joined(separator: ",") + "]"
        case let .score(score): return JSONNumbers.number(score)
        case let .scores(scores): return JSONNumbers.row(scores)
        }
    }
}
