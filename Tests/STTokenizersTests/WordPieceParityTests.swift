import Foundation
import STTestSupport
import STTokenizers
import Testing

/// Token ids equal to Hugging Face tokenizers, row by row, on the all-MiniLM-L6-v2 fixtures.
@Suite struct WordPieceParityTests {
    static func tokenizer(maxLength: Int) throws -> Tokenizer {
        var tokenizer = try Tokenizer(contentsOf: try TestResources.model("all-MiniLM-L6-v2").appendingPathComponent("tokenizer.json"))
        // sentence-transformers replaces the file's truncation (128, fixed padding) with max_seq_length and no padding.
        tokenizer.truncation = Truncation(maxLength: maxLength)
        tokenizer.padding = nil
        return tokenizer
    }

    @Test func everyFixtureRowGivesTheReferenceIDs() throws {
        let tokenizer = try Self.tokenizer(maxLength: 256)
        let rows = try TestResources.jsonLines(TestResources.fixture("all-MiniLM-L6-v2/tokenize.jsonl"))
        #expect(rows.count == 123)
        var mismatches: [String] = []
        for row in rows {
            let text = row["text"] as? String ?? ""
            let expected = TestResources.ints(row["input_ids"])
            let encoding = try tokenizer.encode(text)
            if encoding.ids != expected {
                mismatches.append("\(row["id"] ?? "?") \(row["label"] ?? ""): got \(encoding.tokens.prefix(20)) expected \((row["tokens"] as? [String])?.prefix(20) ?? [])")
            }
            #expect(encoding.typeIDs == TestResources.ints(row["token_type_ids"]))
            #expect(encoding.attentionMask == TestResources.ints(row["attention_mask"]))
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) rows differ:\n\(mismatches.joined(separator: "\n"))")
    }

    @Test func vocabTxtAloneGivesTheSameIDs() throws {
        let directory = try TestResources.model("all-MiniLM-L6-v2")
        var fromVocabulary = try Tokenizer(vocabularyFile: directory.appendingPathComponent("vocab.txt"))
        fromVocabulary.truncation = Truncation(maxLength: 256)
        let fromJSON = try Self.tokenizer(maxLength: 256)
        let rows = try TestResources.jsonLines(TestResources.fixture("all-MiniLM-L6-v2/tokenize.jsonl"))
        for row in rows {
            let text = row["text"] as? String ?? ""
            #expect(try fromVocabulary.encode(text).ids == fromJSON.encode(text).ids, "row \(row["id"] ?? "?")")
        }
    }
}
