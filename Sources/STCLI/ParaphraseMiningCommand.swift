import ArgumentParser
import Foundation
import SentenceTransformers

/// `sbert paraphrase-mining`: the most similar pairs among a set of texts.
struct ParaphraseMiningCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "paraphrase-mining",
        abstract: "Find the most similar pairs among texts (Python: util.paraphrase_mining).",
        discussion: """
            Each text's --top-k most similar others are found (the model's similarity function unless --function); \
            each pair is kept once, and the --max-pairs best are printed, best first: "score<TAB>i<TAB>j<TAB>text i<TAB>text j" \
            (i < j, line numbers from 0), or with --format json Python's list of [score, i, j].

            Example: sbert paraphrase-mining --input questions.txt --top-k 10 --max-pairs 100
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var collection: TextCollection

    @Option(help: "Partners considered per text.")
    var topK: Int = 100

    @Option(help: "The most pairs printed.")
    var maxPairs: Int = 500_000

    @Option(help: "Keep only the first N dimensions before comparing (Matryoshka models).")
    var truncateDim: Int?

    @Option(help: "Override the model's similarity function: cosine, dot, euclidean, manhattan.")
    var function: String?

    @Option(help: "text (tab-separated lines) or json.")
    var format: Format = .text

    func validate() throws {
        guard topK > 0 else { throw ValidationError("--top-k must be positive") }
        guard maxPairs > 0 else { throw ValidationError("--max-pairs must be positive") }
        if let truncateDim, truncateDim <= 0 { throw ValidationError("--truncate-dim must be positive") }
        if let function, SimilarityFunction(rawValue: function) == nil {
            throw ValidationError("unknown similarity function '\(function)' (cosine, dot, euclidean, manhattan)")
        }
    }

    func run() throws {
        let model = try modelOptions.load()
        let texts = try collection.read()
        let embeddings = try collection.encode(texts, model: model, label: "embed", truncateDim: truncateDim)
        let scoreFunction = function.flatMap(SimilarityFunction.init(rawValue:)) ?? model.similarityFunction
        let pairs = try paraphraseMining(embeddings: embeddings, topK: topK, maxPairs: maxPairs, scoreFunction: scoreFunction)
        switch format {
        case .json:
            print("[" + pairs.map { "[\(EmbeddingFormat.number($0.score)),\($0.first),\($0.second)]" }.joined(separator: ",") + "]")
        case .text:
            for pair in pairs {
                print(String(format: "%.4f", pair.score) + "\t\(pair.first)\t\(pair.second)\t\(texts[pair.first])\t\(texts[pair.second])")
            }
        }
    }
}
