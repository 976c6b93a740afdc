import ArgumentParser
import Foundation
import SentenceTransformers

/// `sbert rerank`: documents ordered by a cross-encoder's score against a query.
struct RerankCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rerank",
        abstract: "Rank documents against a query with a cross-encoder.",
        discussion: """
            With --format json: a JSON array of {"corpus_id", "score", "text"}, best first, with the scores \
            CrossEncoder.rank gives in Python (the model's activation, e.g. sigmoid).
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @Option(name: .shortAndLong, help: "A cross-encoder directory or model id.")
    var model: String

    @Option(help: "Only the best K documents.")
    var topK: Int?

    @Option(help: "Pairs per forward pass.")
    var batchSize: Int = 32

    @Option(help: "text or json.")
    var format: Format = .text

    @Argument(help: "The query, then the documents (without documents: one per line from standard input).")
    var query: String

    @Argument var documents: [String] = []

    func validate() throws {
        if let topK, topK <= 0 { throw ValidationError("--top-k must be positive") }
        guard batchSize > 0 else { throw ValidationError("--batch-size must be positive") }
    }

    func run() throws {
        let documents = self.documents.isEmpty ? try InputLines.read(path: nil) : self.documents
        let reranker = try CrossEncoder(model)
        let ranking = try reranker.rank(query: query, documents: documents, topK: topK, returnDocuments: true, batchSize: batchSize)
        switch format {
        case .json:
            let rows = ranking.map { "{\"corpus_id\":\($0.corpusID),\"score\":\(EmbeddingFormat.number($0.score)),\"text\":\(Self.jsonString($0.text ?? ""))}" }
            print("[" + rows.joined(separator: ",") + "]")
        case .text:
            for (position, item) in ranking.enumerated() {
                print(String(format: "%3d  %8.4f  [%d] ", position + 1, item.score, item.corpusID) + (item.text ?? ""))
            }
        }
    }

    static func jsonString(_ text: String) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: [text], options: [.withoutEscapingSlashes])) ?? Data("[\"\"]".utf8)
        return String(String(decoding: data, as: UTF8.self).dropFirst().dropLast())
    }
}
