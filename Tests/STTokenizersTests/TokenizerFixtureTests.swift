import Foundation
import STTestSupport
import STTokenizers
import Testing

/// The four tokenizer families of `Tests/Fixtures/tokenizers` (303 multilingual and adversarial texts, 30 pairs
/// truncated longest-first at 32) against the Hugging Face tokenizers library: ids, type ids and code-point offsets,
/// exactly.
@Suite struct TokenizerFixtureTests {
    static let families = ["bert-wordpiece", "mpnet-wordpiece", "roberta-bpe", "xlmr-unigram"]

    static func tokenizer(_ family: String, truncation: Truncation?) throws -> Tokenizer {
        var tokenizer = try Tokenizer(contentsOf: TestResources.fixture("tokenizers/\(family)/tokenizer.json"))
        tokenizer.truncation = truncation
        tokenizer.padding = nil
        return tokenizer
    }

    static func offsets(_ value: Any?) -> [Range<Int>] {
        ((value as? [[NSNumber]]) ?? []).map { $0[0].intValue..<$0[1].intValue }
    }

    @Test(arguments: families) func everyTextWithOffsets(family: String) throws {
        let tokenizer = try Self.tokenizer(family, truncation: nil)
        let rows = try TestResources.jsonLines(TestResources.fixture("tokenizers/\(family)/tokenize.jsonl"))
        #expect(rows.count == 303)
        var failures: [String] = []
        for row in rows {
            let encoding = try tokenizer.encode(row["text"] as? String ?? "")
            let label = "\(row["id"] ?? "?") \(row["label"] ?? "")"
            let expectedIDs = TestResources.ints(row["input_ids"])
            if encoding.ids != expectedIDs {
                let expectedTokens = (row["tokens"] as? [String]) ?? []
                let firstDifference = Array(zip(encoding.ids, expectedIDs)).firstIndex { $0.0 != $0.1 } ?? min(encoding.ids.count, expectedIDs.count)
                let ours = encoding.ids.dropFirst(max(0, firstDifference - 2)).prefix(6).map { tokenizer.token(forID: $0) ?? "?" }
                failures.append("\(label): at \(firstDifference) got \(ours) expected \(expectedTokens.dropFirst(max(0, firstDifference - 2)).prefix(6))")
            } else if encoding.offsets != Self.offsets(row["offsets"]) {
                let expected = Self.offsets(row["offsets"])
                let index = Array(zip(encoding.offsets, expected)).firstIndex { $0.0 != $0.1 } ?? 0
                failures.append("\(label): offsets at \(index) (\(tokenizer.token(forID: encoding.ids[index]) ?? "?")) got \(encoding.offsets[index]) expected \(expected[index])")
            } else if let types = row["token_type_ids"], encoding.typeIDs != TestResources.ints(types) {
                failures.append("\(label): type ids")
            }
        }
        #expect(failures.isEmpty, "\(family): \(failures.count) rows differ:\n\(failures.prefix(25).joined(separator: "\n"))")
    }

    @Test(arguments: families) func pairsTruncatedLongestFirst(family: String) throws {
        let tokenizer = try Self.tokenizer(family, truncation: Truncation(maxLength: 32))
        let rows = try TestResources.jsonLines(TestResources.fixture("tokenizers/\(family)/tokenize_pairs.jsonl"))
        #expect(rows.count == 30)
        for row in rows {
            // The pair-template result of the tokenizers library (what a cross-encoder's batch call gives).
            let expected = (row["tokenizers_lib"] as? [String: Any]) ?? row
            let encoding = try tokenizer.encode(row["text_a"] as? String ?? "", pair: row["text_b"] as? String ?? "")
            let label = "\(family) pair \(row["id"] ?? "?") \(row["label"] ?? "")"
            #expect(encoding.ids == TestResources.ints(expected["input_ids"]), "\(label) ids")
            if let types = expected["token_type_ids"] { #expect(encoding.typeIDs == TestResources.ints(types), "\(label) type ids") }
            #expect(encoding.offsets == Self.offsets(expected["offsets"]), "\(label) offsets")
        }
    }
}
