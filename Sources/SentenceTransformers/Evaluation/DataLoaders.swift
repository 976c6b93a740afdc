import Foundation

/// Readers for the evaluation data formats as they are distributed. Errors name the file and line.
public enum DataLoaders {
    static func text(_ url: URL) throws -> String {
        guard let data = FileManager.default.contents(atPath: url.path) else { throw SentenceTransformerError.missingFile(path: url.path) }
        guard let text = String(data: data, encoding: .utf8) else { throw SentenceTransformerError.unreadableFile(path: url.path, reason: "not UTF-8") }
        return text
    }

    static func lines(_ text: String) -> [Substring] {
        text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
    }

    /// Reranking samples, one JSON object per line in the form `CrossEncoderRerankingEvaluator` takes: `"query"`,
    /// `"positive"` (a text or a list) and either `"negative"` (a list) or `"documents"` (a retriever's ranked list).
    /// - Throws: ``SentenceTransformerError`` naming the file and line of a missing or mistyped key.
    public static func rerankingSamples(_ url: URL) throws -> [CrossEncoderRerankingEvaluator.Sample] {
        try lines(try text(url)).enumerated().map { index, line in
            func invalid(_ reason: String) -> SentenceTransformerError {
                .invalidConfig(path: url.path, reason: "line \(index + 1): \(reason)")
            }
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw invalid("not a JSON object")
            }
            guard let query = object["query"] as? String else { throw invalid("no \"query\" text") }
            let positives: [String]
            if let one = object["positive"] as? String { positives = [one] } else if let many = object["positive"] as? [String] {
                positives = many
            } else {
                throw invalid("no \"positive\" text or list of texts")
            }
            switch (object["negative"], object["documents"]) {
            case let (negatives as [String], nil): return .init(query: query, positives: positives, candidates: .negatives(negatives))
            case let (nil, documents as [String]): return .init(query: query, positives: positives, candidates: .documents(documents))
            default: throw invalid("needs exactly one of \"negative\" and \"documents\", a list of texts")
            }
        }
    }

    /// SICK (`SICK_train.txt` …): TAB-separated with a header; relatedness 1–5 from `relatedness_score`.
    public static func sick(_ url: URL) throws -> [ScoredPair] {
        let rows = lines(try text(url)).map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        guard let header = rows.first, let a = header.firstIndex(of: "sentence_A"), let b = header.firstIndex(of: "sentence_B"),
              let score = header.firstIndex(of: "relatedness_score") else {
            throw SentenceTransformerError.invalidConfig(path: url.path, reason: "no sentence_A, sentence_B, relatedness_score header")
        }
        return try rows.dropFirst().enumerated().map { index, columns in
            guard columns.count > max(a, b, score), let value = Double(columns[score]) else {
                throw SentenceTransformerError.invalidConfig(path: url.path, reason: "line \(index + 2) has no score")
            }
            return ScoredPair(columns[a], columns[b], score: value)
        }
    }

    /// stsb-multi-mt (`stsb-de-test.csv` …): CSV with quoting, no header: sentence1, sentence2, score (0–5).
    public static func stsbMultiMT(_ url: URL) throws -> [ScoredPair] {
        try CSV.parse(try text(url)).enumerated().map { index, columns in
            guard columns.count >= 3, let score = Double(columns[2]) else {
                throw SentenceTransformerError.invalidConfig(path: url.path, reason: "line \(index + 1) is not sentence1, sentence2, score")
            }
            return ScoredPair(columns[0], columns[1], score: score)
        }
    }

    /// Any STS-style file: the STS Benchmark TSV, a SICK file, or an stsb-multi-mt CSV, told apart by content.
    public static func scoredPairs(_ url: URL) throws -> [ScoredPair] {
        let content = try text(url)
        if content.hasPrefix("pair_ID\t") { return try sick(url) }
        if let first = lines(content).first, first.split(separator: "\t", omittingEmptySubsequences: false).count >= 7 {
            return try STSBenchmark.load(url)
        }
        return try stsbMultiMT(url)
    }

    /// Labeled pairs for ``CrossEncoderClassificationEvaluator``: the `sentence1`, `sentence2`, `label` columns of a
    /// table (``table(_:columns:)``), the label a class index (`1`, or `1.0`).
    /// - Throws: ``SentenceTransformerError/invalidConfig(path:reason:)`` naming a row whose label is not a class index.
    public static func labeledPairs(_ url: URL) throws -> [CrossEncoderClassificationEvaluator.Example] {
        try table(url, columns: ["sentence1", "sentence2", "label"]).enumerated().map { index, row in
            guard let value = Double(row[2].trimmingCharacters(in: .whitespaces)), value >= 0, value == value.rounded(), value < 1e9 else {
                throw SentenceTransformerError.invalidConfig(path: url.path, reason: "row \(index + 1): label '\(row[2])' is not a class index")
            }
            return CrossEncoderClassificationEvaluator.Example(row[0], row[1], label: Int(value))
        }
    }

    /// Rows of a table: `.tsv` (TAB), `.csv` (quoted CSV) or `.jsonl` (values of `columns`, in that order). With
    /// `skipHeader`, a first line whose fields equal `columns` is dropped.
    public static func table(_ url: URL, columns: [String]) throws -> [[String]] {
        let content = try text(url)
        let rows: [[String]]
        switch url.pathExtension.lowercased() {
        case "jsonl":
            rows = try lines(content).enumerated().map { index, line in
                guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                    throw SentenceTransformerError.invalidConfig(path: url.path, reason: "line \(index + 1) is not a JSON object")
                }
                return try columns.map { key in
                    guard let value = object[key] else {
                        throw SentenceTransformerError.invalidConfig(path: url.path, reason: "line \(index + 1) has no \"\(key)\"")
                    }
                    return "\(value)"
                }
            }
        case "csv":
            rows = CSV.parse(content)
        default:
            rows = lines(content).map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        }
        let body = rows.first.map { $0.map { $0.lowercased() } == columns.map { $0.lowercased() } } == true ? Array(rows.dropFirst()) : rows
        for (index, row) in body.enumerated() where row.count < columns.count {
            throw SentenceTransformerError.invalidConfig(path: url.path, reason: "row \(index + 1) has \(row.count) fields, needs \(columns.joined(separator: ", "))")
        }
        return body
    }
}

/// A BEIR retrieval data set: `corpus.jsonl`, `queries.jsonl`, `qrels/SPLIT.tsv`.
public struct BEIRDataset: Sendable {
    /// Document id → text (`title + " " + text`, stripped, as MTEB embeds it).
    public var corpus: [(id: String, text: String)]
    /// Query id → text, only the queries that have judgments in the split.
    public var queries: [(id: String, text: String)]
    /// Query id → relevant document ids (score > 0).
    public var relevant: [String: Set<String>]

    public init(directory: URL, split: String = "test") throws {
        func objects(_ name: String) throws -> [[String: Any]] {
            let url = directory.appendingPathComponent(name)
            return try DataLoaders.lines(try DataLoaders.text(url)).enumerated().map { index, line in
                guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                    throw SentenceTransformerError.invalidConfig(path: url.path, reason: "line \(index + 1) is not a JSON object")
                }
                return object
            }
        }
        corpus = try objects("corpus.jsonl").map { object in
            let title = object["title"] as? String ?? ""
            let text = object["text"] as? String ?? ""
            return ("\(object["_id"] ?? "")", (title + " " + text).trimmingCharacters(in: .whitespacesAndNewlines))
        }
        let qrelsURL = directory.appendingPathComponent("qrels/\(split).tsv")
        var relevant: [String: Set<String>] = [:]
        for (index, line) in DataLoaders.lines(try DataLoaders.text(qrelsURL)).enumerated() {
            let fields = line.split(separator: "\t").map(String.init)
            if index == 0, fields.first == "query-id" { continue }
            guard fields.count >= 3, let score = Double(fields[2]) else {
                throw SentenceTransformerError.invalidConfig(path: qrelsURL.path, reason: "line \(index + 1) is not query-id, corpus-id, score")
            }
            if score > 0 { relevant[fields[0], default: []].insert(fields[1]) }
        }
        self.relevant = relevant
        queries = try objects("queries.jsonl").compactMap { object in
            let id = "\(object["_id"] ?? "")"
            return relevant[id] == nil ? nil : (id, object["text"] as? String ?? "")
        }
    }
}

/// RFC 4180 CSV: fields separated by commas, double quotes around fields that contain commas, quotes or newlines.
enum CSV {
    static func parse(_ text: String) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var inQuotes = false
        var iterator = Array(text.unicodeScalars).makeIterator()
        var pending: Unicode.Scalar? = nil
        func next() -> Unicode.Scalar? {
            if let value = pending { pending = nil; return value }
            return iterator.next()
        }
        while let scalar = next() {
            if inQuotes {
                if scalar == "\"" {
                    if let following = next() {
                        if following == "\"" { field.unicodeScalars.append("\"") } else { inQuotes = false; pending = following }
                    } else { inQuotes = false }
                } else {
                    field.unicodeScalars.append(scalar)
                }
                continue
            }
            switch scalar {
            case "\"": inQuotes = true
            case ",": row.append(field); field = ""
            case "\n":
                row.append(field); field = ""
                rows.append(row); row = []
            case "\r": continue
            default: field.unicodeScalars.append(scalar)
            }
        }
        if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
        return rows
    }
}
