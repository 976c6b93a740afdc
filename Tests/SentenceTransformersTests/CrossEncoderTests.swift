import Foundation
import STTestSupport
import SentenceTransformers
import Testing

/// The real STS-B cross-encoder against sentence-transformers 6.2's `CrossEncoder`.
@Suite struct CrossEncoderTests {
    static let model = Result { try CrossEncoder(directory: try TestResources.model("cross-encoder-stsb-MiniLM-L6")) }

    @Test func logitsScoresAndIDsOfEveryPair() throws {
        let model = try Self.model.get()
        #expect(model.numLabels == 1 && model.activation == .sigmoid && model.transformer.maxSeqLength == 512)
        let rows = try TestResources.jsonLines(TestResources.fixture("cross-encoder-stsb-MiniLM-L6/predict.jsonl"))
        #expect(rows.count == 60)
        let pairs = rows.map { ($0["text_a"] as? String ?? "", $0["text_b"] as? String ?? "") }
        var worstLogit: Float = 0, worstScore: Float = 0
        for (row, pair) in zip(rows, pairs) {
            let label = "\(row["id"] ?? "?") \(row["label"] ?? "")"
            let encoding = try model.tokenize(pair.0, pair.1)
            #expect(encoding.ids == TestResources.ints(row["input_ids"]), "\(label) ids")
            #expect(encoding.typeIDs == TestResources.ints(row["token_type_ids"]), "\(label) type ids")
            let logit = try model.predict([pair], activation: .identity).values[0]
            let score = try model.predict([pair]).values[0]
            let expectedLogit = Float((row["logit"] as? NSNumber)?.doubleValue ?? .nan)
            let expectedScore = Float((row["score"] as? NSNumber)?.doubleValue ?? .nan)
            worstLogit = max(worstLogit, abs(logit - expectedLogit))
            worstScore = max(worstScore, abs(score - expectedScore))
            #expect(abs(logit - expectedLogit) <= 1e-5, "\(label) logit \(logit) vs \(expectedLogit)")
            #expect(abs(score - expectedScore) <= 1e-5, "\(label) score")
        }
        let batched = try model.predict(pairs, batchSize: 16, activation: .identity).values
        for (row, logit) in zip(rows, batched) {
            #expect(abs(logit - Float((row["logit"] as? NSNumber)?.doubleValue ?? .nan)) <= 1e-5)
        }
        print("cross-encoder parity: max |Δ logit| \(worstLogit), max |Δ score| \(worstScore)")
    }

    @Test func rankOrdersExactlyAsPython() throws {
        let model = try Self.model.get()
        let data = try Data(contentsOf: TestResources.fixture("cross-encoder-stsb-MiniLM-L6/rank.json"))
        let fixture = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let queries = try #require(fixture["queries"] as? [[String: Any]])
        #expect(queries.count == 3)
        for query in queries {
            let documents = query["documents"] as? [String] ?? []
            let expected = (query["rank"] as? [[String: Any]]) ?? []
            let ranking = try model.rank(query: query["query"] as? String ?? "", documents: documents, returnDocuments: true)
            #expect(ranking.map(\.corpusID) == expected.compactMap { ($0["corpus_id"] as? NSNumber)?.intValue }, "\(query["label"] ?? "")")
            for (ours, theirs) in zip(ranking, expected) {
                #expect(abs(ours.score - Float((theirs["score"] as? NSNumber)?.doubleValue ?? .nan)) <= 1e-5)
                #expect(ours.text == documents[ours.corpusID])
            }
            let top = try model.rank(query: query["query"] as? String ?? "", documents: documents, topK: 3)
            #expect(top.count == 3 && top.map(\.corpusID) == Array(ranking.prefix(3).map(\.corpusID)) && top[0].text == nil)
        }
    }

    @Test func stsBenchmarkCorrelation() throws {
        let model = try Self.model.get()
        let data = try Data(contentsOf: TestResources.fixture("cross-encoder-stsb-MiniLM-L6/sts_eval.json"))
        let expected = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        for (split, file) in [("sts-test", "sts-test.csv"), ("sts-dev", "sts-dev.csv")] {
            let pairs = try STSBenchmark.load(TestResources.fixture("data/stsbenchmark/\(file)"))
            let scores = try model.predict(pairs.map { ($0.first, $0.second) }).values.map(Double.init)
            let gold = pairs.map { $0.score / 5 }
            let pearson = Correlation.pearson(scores, gold), spearman = Correlation.spearman(scores, gold)
            let reference = try #require(expected[split] as? [String: Double])
            #expect(abs(pearson - (reference["pearson"] ?? .nan)) <= 1e-5, "\(split) Pearson \(pearson)")
            #expect(abs(spearman - (reference["spearman"] ?? .nan)) <= 1e-5, "\(split) Spearman \(spearman)")
            print("cross-encoder \(split): Pearson \(pearson), Spearman \(spearman)")
        }
    }

    @Test func correlationByHand() {
        #expect(Correlation.ranks([10, 20, 20, 5]) == [2, 3.5, 3.5, 1])
        #expect(abs(Correlation.pearson([1, 2, 3], [2, 4, 6.5]) - 0.9979487157886733) < 1e-12)  // numpy.corrcoef
        #expect(abs(Correlation.spearman([1, 2, 3, 4], [10, 9, 8, 7]) + 1) < 1e-12)
    }
}
