import ArgumentParser
import Foundation
import SentenceTransformers

/// `sbert similarity`: the similarity matrix of a few texts.
struct SimilarityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "similarity",
        abstract: "Print the similarity matrix of two or more texts (the model's similarity function, cosine by default).",
        discussion: "Example: sbert similarity \"The cat sits outside\" \"A man is playing guitar\" \"The new movie is awesome\""
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @OptionGroup var modelOptions: ModelOptions

    @Argument(help: "Two or more texts.")
    var texts: [String]

    @Option(help: "Override the model's similarity function: cosine, dot, euclidean, manhattan.")
    var function: String?

    @Option(help: "text (a table) or json (an array of rows).")
    var format: Format = .text

    @Option(help: "One of the model's prompts, put before every text (Python: encode(prompt_name=…)).")
    var promptName: String?

    @Option(help: "The route of a Router model, e.g. query or document (Python: encode(task=…)); also picks that prompt.")
    var task: String?

    func validate() throws {
        guard texts.count >= 2 else { throw ValidationError("give at least two texts") }
        if let function, SimilarityFunction(rawValue: function) == nil {
            throw ValidationError("unknown similarity function '\(function)' (cosine, dot, euclidean, manhattan)")
        }
    }

    func run() throws {
        let model = try modelOptions.load()
        let embeddings = try model.encode(texts, promptName: promptName, task: task)
        let scores = try model.similarity(embeddings, embeddings, function: function.flatMap(SimilarityFunction.init(rawValue:)))
        switch format {
        case .json:
            print("[" + scores.map(EmbeddingFormat.jsonArray).joined(separator: ",") + "]")
        case .text:
            print(Self.table(texts: texts, scores: scores))
        }
    }

    /// Rows and columns numbered, with the texts listed below the matrix.
    static func table(texts: [String], scores: Embeddings) -> String {
        var lines = ["     " + (0..<texts.count).map { String(format: "%8d", $0) }.joined()]
        for (index, row) in scores.enumerated() {
            lines.append(String(format: "%4d ", index) + row.map { String(format: "%8.4f", $0) }.joined())
        }
        lines.append("")
        for (index, text) in texts.enumerated() { lines.append(String(format: "%4d  ", index) + text) }
        return lines.joined(separator: "\n")
    }
}
