import Foundation
import SentenceTransformers
import STTestSupport
import Testing

/// ``HardNegativeMining`` against sentence-transformers 6.2's `mine_hard_negatives` on SciFact train with
/// all-MiniLM-L6-v2 (Tests/Fixtures/mining, made by its make_goldens.py): the same rows for six settings (ranges,
/// margins, score bounds, positives kept, every output format); `random` sampling draws only from Python's candidate
/// pool. CI mines the sample (120 pairs, 600 documents); `SBERT_FULL_TESTS=1` all 919 train pairs over the 5,183
/// documents.
@Suite struct HardNegativeMiningTests {
    static let fixtures = TestResources.fixture("mining")

    /// A setting's rows, texts written as indices (the anchor among the distinct anchors, other texts in the mining
    /// corpus: ``HardNegativeMining/Texts``' order).
    struct Golden: Decodable {
        var columns: [String]
        var rows: [[Cell]]
    }

    /// A JSON cell: a number (an index, label or score) or a list of them.
    enum Cell: Decodable, Equatable {
        case number(Double), numbers([Double])
        init(from decoder: Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let number = try? container.decode(Double.self) { self = .number(number) } else { self = .numbers(try container.decode([Double].self)) }
        }
    }

    static func goldens() throws -> [String: [String: Golden]] {
        let data = try Data(contentsOf: fixtures.appendingPathComponent("goldens.json"))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        var result: [String: [String: Golden]] = [:]
        for size in ["sample", "full"] {
            let settings = try #require(object[size] as? [String: Any])
            result[size] = try settings.mapValues { try JSONDecoder().decode(Golden.self, from: JSONSerialization.data(withJSONObject: $0)) }
        }
        return result
    }

    /// The pairs and corpus of the sample, or of the whole train split.
    static func data() throws -> (pairs: [(String, String)], corpus: [String]) {
        func jsonl(_ url: URL) throws -> [[String: Any]] {
            try String(contentsOf: url, encoding: .utf8).split(separator: "\n").compactMap {
                try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
        }
        guard TestScale.full else {
            let pairs = try jsonl(fixtures.appendingPathComponent("sample/pairs.jsonl")).map { ($0["query"] as? String ?? "", $0["answer"] as? String ?? "") }
            return (pairs, try jsonl(fixtures.appendingPathComponent("sample/corpus.jsonl")).map { $0["text"] as? String ?? "" })
        }
        let scifact = TestResources.fixture("data/beir-scifact")
        var text: [String: String] = [:], corpus: [String] = []
        for row in try jsonl(scifact.appendingPathComponent("corpus.jsonl")) {
            let value = ((row["title"] as? String ?? "") + " " + (row["text"] as? String ?? "")).trimmingCharacters(in: .whitespacesAndNewlines)
            text["\(row["_id"] ?? "")"] = value
            corpus.append(value)
        }
        var query: [String: String] = [:]
        for row in try jsonl(scifact.appendingPathComponent("queries.jsonl")) { query["\(row["_id"] ?? "")"] = row["text"] as? String }
        let pairs = try String(contentsOf: fixtures.appendingPathComponent("train.tsv"), encoding: .utf8).split(separator: "\n").dropFirst().compactMap { line -> (String, String)? in
            let fields = line.split(separator: "\t").map(String.init)
            guard fields.count == 3, (Int(fields[2]) ?? 0) > 0, let q = query[fields[0]], let d = text[fields[1]] else { return nil }
            return (q, d)
        }
        return (pairs, corpus)
    }

    /// Our rows with texts as the goldens write them.
    static func cells(_ dataset: HardNegativeMining.Dataset, _ texts: HardNegativeMining.Texts) -> [[Cell]] {
        let query = Dictionary(texts.queries.enumerated().map { ($1, Double($0)) }, uniquingKeysWith: { a, _ in a })
        let document = Dictionary(texts.corpus.enumerated().map { ($1, Double($0)) }, uniquingKeysWith: { a, _ in a })
        return dataset.rows.map { row in
            row.enumerated().map { column, value -> Cell in
                switch value {
                case let .text(text): return .number((column == 0 ? query[text] : document[text]) ?? -1)
                case let .texts(list): return .numbers(list.map { document[$0] ?? -1 })
                case let .label(label): return .number(Double(label))
                case let .labels(labels): return .numbers(labels.map(Double.init))
                case let .score(score): return .number(Double(score))
                case let .scores(scores): return .numbers(scores.map(Double.init))
                }
            }
        }
    }

    /// Texts and labels equal; scores within 1e-4.
    static func expectEqual(_ ours: [[Cell]], _ python: [[Cell]], _ what: String) {
        #expect(ours.count == python.count, "\(what): \(ours.count) rows, Python \(python.count)")
        for (index, (a, b)) in zip(ours, python).enumerated() {
            let same = a.count == b.count && zip(a, b).allSatisfy { x, y in
                switch (x, y) {
                case let (.number(p), .number(q)): return abs(p - q) < 1e-4
                case let (.numbers(p), .numbers(q)): return p.count == q.count && zip(p, q).allSatisfy { abs($0 - $1) < 1e-4 }
                default: return false
                }
            }
            #expect(same, "\(what), row \(index): ours \(String(describing: a).prefix(300)) Python \(String(describing: b).prefix(300))")
            if !same { return }
        }
    }

    static func configured(_ name: String) -> HardNegativeMining {
        var mining = HardNegativeMining()
        switch name {
        case "ntuple_margin":
            (mining.rangeMin, mining.rangeMax, mining.absoluteMargin, mining.numNegatives) = (2, 25, 0.02, 4)
            (mining.outputFormat, mining.outputScores) = (.nTuple, true)
        case "pairs_relative":
            (mining.relativeMargin, mining.maxScore, mining.minScore, mining.outputFormat) = (0.05, 0.9, 0.1, .labeledPair)
        case "list_scores":
            (mining.rangeMin, mining.numNegatives, mining.outputFormat, mining.outputScores) = (1, 2, .labeledList, true)
        case "with_positives":
            (mining.includePositives, mining.outputFormat) = (true, .nTuple)
        case "random_pool":
            (mining.rangeMax, mining.numNegatives, mining.outputFormat) = (20, 20, .labeledPair)
        default:
            break
        }
        return mining
    }

    @Test func minedRowsEqualPythons() throws {
        let goldens = try #require(try Self.goldens()[TestScale.full ? "full" : "sample"])
        #expect(Set(goldens.keys) == ["default", "ntuple_margin", "pairs_relative", "list_scores", "with_positives", "random_pool"])
        let (pairs, corpus) = try Self.data()
        let model = try SentenceTransformer(directory: try TestResources.model("all-MiniLM-L6-v2"))
        let texts = try HardNegativeMining.Texts(anchors: pairs.map(\.0), positives: pairs.map(\.1), corpus: corpus)
        let corpusEmbeddings = try model.encodeDocument(texts.corpus, normalize: true)
        let queryEmbeddings = try model.encodeQuery(texts.queries, normalize: true)
        for (name, golden) in goldens {
            let mined = try Self.configured(name).mine(texts, queryEmbeddings: queryEmbeddings, corpusEmbeddings: corpusEmbeddings,
                                                       similarity: model.similarityFunction, anchorColumn: "query", positiveColumn: "answer")
            #expect(mined.columns == golden.columns, "\(name)")
            Self.expectEqual(Self.cells(mined, texts), golden.rows, name)
        }
        // Random sampling: each query's negatives come from Python's pool (the window's candidates, found by `top`).
        var pool: [Double: Set<Double>] = [:]
        for row in try #require(goldens["random_pool"]).rows {
            if case let .number(query) = row[0], case let .number(text) = row[1], case .number(0) = row[2] { pool[query, default: []].insert(text) }
        }
        var random = HardNegativeMining()
        (random.rangeMax, random.numNegatives, random.samplingStrategy, random.seed) = (20, 3, .random, 7)
        let sampled = try random.mine(texts, queryEmbeddings: queryEmbeddings, corpusEmbeddings: corpusEmbeddings, similarity: model.similarityFunction)
        #expect(!sampled.rows.isEmpty)
        for row in Self.cells(sampled, texts) {
            guard case let .number(query) = row[0], case let .number(negative) = row[2] else { continue }
            #expect(pool[query]?.contains(negative) == true, "a random negative outside Python's pool for query \(query)")
        }
        let again = try random.mine(texts, queryEmbeddings: queryEmbeddings, corpusEmbeddings: corpusEmbeddings, similarity: model.similarityFunction)
        #expect(again == sampled, "the same seed draws the same negatives")
    }

    @Test func settingsThatCannotWorkAreRefused() throws {
        let texts = try HardNegativeMining.Texts(anchors: ["a", "b"], positives: ["x", "y"])
        let embeddings = try Embeddings(rows: [[1, 0], [0, 1]])
        let cases: [((inout HardNegativeMining) -> Void, String)] = [
            ({ $0.numNegatives = 0 }, "at least 1"),
            ({ $0.rangeMin = 5; $0.rangeMax = 3 }, "smaller than rangeMax"),
            ({ $0.numNegatives = 9; $0.rangeMax = 4 }, "cannot mine 9 negatives"),
            ({ $0.includePositives = true }, "must be n-tuple"),
            ({ $0.maxScore = .nan }, "must be a number"),
            ({ $0.rangeMax = Int.max }, "more than mining can rank"),
        ]
        for (change, message) in cases {
            var mining = HardNegativeMining()
            change(&mining)
            #expect(throws: SentenceTransformerError.self, "\(message)") {
                do { _ = try mining.mine(texts, queryEmbeddings: embeddings, corpusEmbeddings: embeddings, similarity: .cosine) } catch {
                    #expect("\(error)".contains(message), "\(error)")
                    throw error
                }
            }
        }
        #expect(throws: SentenceTransformerError.self) { try HardNegativeMining.Texts(anchors: ["a"], positives: []) }
    }
}
