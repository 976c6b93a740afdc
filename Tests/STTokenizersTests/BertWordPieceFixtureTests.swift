import Foundation
import STTestSupport
import STTokenizers
import Testing

/// The all-MiniLM-L6-v2 tokenizer on the 303 multilingual and adversarial texts and 30 pairs of
/// `Tests/Fixtures/tokenizers/bert-wordpiece`: ids, type ids and code-point offsets, exactly.
@Suite struct BertWordPieceFixtureTests {
    static let folder = TestResources.fixture("tokenizers/bert-wordpiece")

    static func tokenizer(truncation: Truncation?) throws -> Tokenizer {
        var tokenizer = try Tokenizer(contentsOf: folder.appendingPathComponent("tokenizer.json"))
        tokenizer.truncation = truncation
        tokenizer.padding = nil
        return tokenizer
    }

    static func offsets(_ value: Any?) -> [Range<Int>] {
        ((value as? [[NSNumber]]) ?? []).map { $0[0].intValue..<$0[1].intValue }
    }

    @Test func everyTextWithOffsets() throws {
        let tokenizer = try Self.tokenizer(truncation: nil)
        let rows = try TestResources.jsonLines(Self.folder.appendingPathComponent("tokenize.jsonl"))
        #expect(rows.count == 303)
        var failures: [String] = []
        for row in rows {
            let encoding = tokenizer.encode(row["text"] as? String ?? "")
            let label = "\(row["id"] ?? "?") \(row["label"] ?? "")"
            if encoding.ids != TestResources.ints(row["input_ids"]) {
                failures.append("\(label): ids \(encoding.tokens.prefix(12)) vs \((row["tokens"] as? [String])?.prefix(12) ?? [])")
            } else if encoding.offsets != Self.offsets(row["offsets"]) {
                failures.append("\(label): offsets \(encoding.offsets.prefix(12)) vs \(Self.offsets(row["offsets"]).prefix(12))")
            }
        }
        #expect(failures.isEmpty, "\(failures.count) rows differ:\n\(failures.prefix(20).joined(separator: "\n"))")
    }

    @Test func pairsTruncatedLongestFirst() throws {
        let tokenizer = try Self.tokenizer(truncation: Truncation(maxLength: 32))
        let rows = try TestResources.jsonLines(Self.folder.appendingPathComponent("tokenize_pairs.jsonl"))
        #expect(rows.count == 30)
        for row in rows {
            // The pair-template result of the tokenizers library (what a cross-encoder's batch call gives).
            let expected = (row["tokenizers_lib"] as? [String: Any]) ?? row
            let encoding = tokenizer.encode(row["text_a"] as? String ?? "", pair: row["text_b"] as? String ?? "")
            let label = "pair \(row["id"] ?? "?") \(row["label"] ?? "")"
            #expect(encoding.ids == TestResources.ints(expected["input_ids"]), "\(label) ids")
            #expect(encoding.typeIDs == TestResources.ints(expected["token_type_ids"]), "\(label) type ids")
            #expect(encoding.offsets == Self.offsets(expected["offsets"]), "\(label) offsets")
        }
    }
}
