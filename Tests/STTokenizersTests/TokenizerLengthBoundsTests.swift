import Foundation
import STTokenizers
import Testing

/// Lengths at their extremes, from a tokenizer file or from code. Each was a trap or a crash, found with inputs
/// written for the fuzz target (`Fuzz/FuzzTokenizer`), which keeps them in `Fuzz/Corpus/tokenizer/regression-length-*`.
@Suite struct TokenizerLengthBoundsTests {
    static func tokenizer(truncation: String = "null", padding: String = "null") throws -> Tokenizer {
        let text = """
            {"truncation": \(truncation), "padding": \(padding), "added_tokens": [],
             "normalizer": null, "pre_tokenizer": {"type": "WhitespaceSplit"},
             "post_processor": {"type": "BertProcessing", "sep": ["[SEP]", 2], "cls": ["[CLS]", 1]},
             "model": {"type": "WordLevel", "vocab": {"[UNK]": 0, "[CLS]": 1, "[SEP]": 2, "a": 3}, "unk_token": "[UNK]"}}
            """
        return try Tokenizer(json: try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)))
    }

    /// Was an overflow trap: `16 * limit` sized the first window.
    @Test func limitNearIntMaxTokenizesEverything() throws {
        let tokenizer = try Self.tokenizer()
        #expect(try tokenizer.tokenize("a a a", limit: Int.max).count == 3)
        #expect(try tokenizer.tokenize("a a a", limit: Int.max / 16 + 1).count == 3)
        var truncating = tokenizer
        truncating.truncation = Truncation(maxLength: 1 << 62)
        #expect(try truncating.encode("a a").ids == [1, 3, 3, 2])
    }

    /// Was an overflow trap: `maxLength - added` with maxLength near Int.min (set in code; a file is refused below).
    @Test func negativeMaxLengthInCodeKeepsOnlySpecialTokens() throws {
        var tokenizer = try Self.tokenizer()
        tokenizer.truncation = Truncation(maxLength: Int.min)
        #expect(try tokenizer.encode("a a").ids == [1, 2])
        #expect(try tokenizer.encode("a a", pair: "a").ids == [1, 2, 2])
        var encoding = try tokenizer.encode("a")
        encoding.truncate(to: -1)
        #expect(encoding.ids.isEmpty)
    }

    /// Negative lengths are errors at load, as in the reference (usize); a padding length past
    /// `Padding.maximumLength` too (was: 2^62 → an allocation of 2^65 bytes, a crash on the first batch).
    @Test func fileLengthsOutOfRangeAreRefused() throws {
        #expect(throws: TokenizerError.invalidField(component: "truncation", field: "max_length", expected: "a non-negative integer")) {
            try Self.tokenizer(truncation: #"{"max_length": -9223372036854775808}"#)
        }
        let expected = "an integer from 0 to \(Padding.maximumLength)"
        #expect(throws: TokenizerError.invalidField(component: "padding", field: "strategy.Fixed", expected: expected)) {
            try Self.tokenizer(padding: #"{"strategy": {"Fixed": 4611686018427387904}}"#)
        }
        #expect(throws: TokenizerError.invalidField(component: "padding", field: "strategy.Fixed", expected: expected)) {
            try Self.tokenizer(padding: #"{"strategy": {"Fixed": -1}}"#)
        }
        #expect(throws: TokenizerError.invalidField(component: "padding", field: "pad_to_multiple_of", expected: expected)) {
            try Self.tokenizer(padding: #"{"strategy": "BatchLongest", "pad_to_multiple_of": 4611686018427387904}"#)
        }
        let padded = try Self.tokenizer(truncation: #"{"max_length": 3}"#, padding: #"{"strategy": {"Fixed": 5}, "pad_to_multiple_of": 4}"#)
        #expect(try padded.encodeBatch(["a a a"]).first?.ids == [1, 3, 2, 0, 0, 0, 0, 0])
    }
}
