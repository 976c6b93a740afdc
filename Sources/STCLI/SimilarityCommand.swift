import ArgumentParser
import Foundation
import SentenceTransformers

/// `sbert similarity`: the similarity matrix of a few texts.
struct SimilarityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "similarity",
        abstract: "Print the similarity matrix of two or more texts, or of queries against a corpus (the model's similarity function, cosine by default).",
        discussion: """
            Example: sbert similarity "The cat sits outside" "A man is playing guitar" "The new movie is awesome"

            With --queries FILE --corpus FILE (one text per line): a row per query, a column per corpus text; queries are \
            embedded as encode_query does (the model's query prompt and route), the corpus as encode_document.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @OptionGroup var modelOptions: ModelOptions

    @Argument(help: "Two or more texts (or use --queries and --corpus).")
    var texts: [String] = []

    @Option(help: "A file of queries, one per line ('-' = standard input), scored against --corpus.")
    var queries: String?

    @Option(help: "A file of corpus texts, one per line, the columns of the --queries matrix.")
    var corpus: String?

    @Option(help: "Override the model's similarity function: cosine, dot, euclidean, manhattan.")
    var function: String?

    @Option(help: "text (a table) or json (an array of rows).")
    var format: Format = .text

    @Option(help: "One of the model's prompts, put before every text (Python: encode(prompt_name=…)).")
    var promptName: String?

    @Option(help: "The route of a Router model, e.g. query or document (Python: encode(task=…)); also picks that prompt.")
    var task: String?

    func validate() throws {
        if queries != nil || corpus != nil {
            guard queries != nil, corpus != nil else { throw ValidationError("--queries and --corpus go together") }
            guard texts.isEmpty else { throw ValidationError("give texts as arguments or --queries and --corpus, not both") }
            guard queries != "-" || corpus != "-" else { throw ValidationError("--queries and --corpus cannot both be standard input") }
            if promptName != nil || task != nil {
                throw ValidationError("with --queries and --corpus the sides take the query and document prompts and routes (encode_query / encode_document): --prompt-name and --task do not apply")
            }
        } else {
            guard texts.count >= 2 else { throw ValidationError("give at least two texts") }
        }
        if let function, SimilarityFunction(rawValue: function) == nil {
            throw ValidationError("unknown similarity function '\(function)' (cosine, dot, euclidean, manhattan)")
        }
    }

    func run() throws {
        let model = try modelOptions.load()
        let function = function.flatMap(SimilarityFunction.init(rawValue:))
        let rows: [String], columns: [String], scores: Embeddings
        if let queries, let corpus {
            rows = try Self.lines(of: queries, "--queries")
            columns = try Self.lines(of: corpus, "--corpus")
            scores = try model.similarity(model.encodeQuery(rows), model.encodeDocument(columns), function: function)
        } else {
            let embeddings = try model.encode(texts, promptName: promptName, task: task)
            (rows, columns, scores) = (texts, texts, try model.similarity(embeddings, embeddings, function: function))
        }
        switch format {
        case .json:
            print("[" + scores.map(EmbeddingFormat.jsonArray).joined(separator: ",") + "]")
        case .text:
            print(Self.table(rows: rows, columns: columns, scores: scores))
        }
    }

    static func lines(of path: String, _ flag: String) throws -> [String] {
        let lines = try InputLines.read(path: path)
        guard !lines.isEmpty else { throw CLIError("\(flag) \(path) holds no texts") }
        return lines
    }

    /// Rows and columns numbered, with the texts listed below the matrix (the columns separately when they differ).
    static func table(rows: [String], columns: [String], scores: Embeddings) -> String {
        var lines = ["     " + (0..<columns.count).map { String(format: "%8d", $0) }.joined()]
        for (index, row) in scores.enumerated() {
            lines.append(String(format: "%4d ", index) + row.map { String(format: "%8.4f", $0) }.joined())
        }
        lines.append("")
        if rows != columns { lines.append("rows:") }
        for (index, text) in rows.enumerated() { lines.append(String(format: "%4d  ", index) + text) }
        if rows != columns {
            lines.append("columns:")
            for (index, text) in columns.enumerated() { lines.append(String(format: "%4d  ", index) + text) }
        }
        return lines.joined(separator: "\n")
    }
}
