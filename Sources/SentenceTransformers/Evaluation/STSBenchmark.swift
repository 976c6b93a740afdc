import Foundation

/// A sentence pair with a gold similarity score.
public struct ScoredPair: Sendable, Equatable {
    public var first: String
    public var second: String
    public var score: Double

    public init(_ first: String, _ second: String, score: Double) {
        self.first = first
        self.second = second
        self.score = score
    }
}

/// The STS Benchmark files as distributed (`sts-train.csv`, `sts-dev.csv`, `sts-test.csv`): TAB-separated, no header,
/// columns genre, file, year, id, score (0–5), sentence 1, sentence 2 (some lines carry extra columns after them).
public enum STSBenchmark {
    /// The pairs of one file; scores stay on the 0–5 scale.
    /// - Throws: ``SentenceTransformerError/invalidConfig(path:reason:)`` naming the line that does not parse.
    public static func load(_ url: URL) throws -> [ScoredPair] {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw SentenceTransformerError.missingFile(path: url.path)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw SentenceTransformerError.unreadableFile(path: url.path, reason: "not UTF-8")
        }
        var pairs: [ScoredPair] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: true).enumerated() {
            let columns = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard columns.count >= 7, let score = Double(columns[4].trimmingCharacters(in: .whitespaces)) else {
                throw SentenceTransformerError.invalidConfig(path: url.path, reason: "line \(index + 1) is not genre, file, year, id, score, sentence, sentence")
            }
            pairs.append(ScoredPair(String(columns[5]), String(columns[6]), score: score))
        }
        return pairs
    }
}
