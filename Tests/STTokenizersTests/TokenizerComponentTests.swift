import Foundation
import STTokenizers
import Testing

/// Each stage on its own, with offsets, and the errors of malformed tokenizer.json files.
@Suite struct TokenizerComponentTests {
    static let vocabulary = ["[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3, "hey": 4, "friend": 5, "!": 6,
                             "una": 7, "##ff": 8, "##able": 9, "cafe": 10, "中": 11]

    static func tokenizer() throws -> Tokenizer {
        try Tokenizer(
            normalizer: BertNormalizer(), preTokenizer: BertPreTokenizer(),
            model: WordPiece(vocabulary: vocabulary, maxInputCharsPerWord: 9),
            postProcessor: BertProcessing(sep: ("[SEP]", 3), cls: ("[CLS]", 2)),
            addedTokens: [AddedToken(id: 2, content: "[CLS]", special: true), AddedToken(id: 3, content: "[SEP]", special: true)])
    }

    @Test func preTokenizerSplitsWithOffsets() {
        let words = BertPreTokenizer().split(NormalizedText(Substring("Hey friend!").unicodeScalars))
        #expect(words.map(\.string) == ["Hey", "friend", "!"])
        #expect(words.map(\.originalRange) == [0..<3, 4..<10, 10..<11])
    }

    @Test func normalizerCleansSpacesCJKAndStripsAccents() {
        var text = NormalizedText(Substring("Café\u{200B}\tX中").unicodeScalars)
        BertNormalizer().normalize(&text)
        #expect(text.string == "cafe x 中 ")
        var cased = NormalizedText(Substring("Café").unicodeScalars)
        BertNormalizer(lowercase: false).normalize(&cased)
        #expect(cased.string == "Café")  // strip_accents null follows lowercase
        var forced = NormalizedText(Substring("Café").unicodeScalars)
        BertNormalizer(stripAccents: true, lowercase: false).normalize(&forced)
        #expect(forced.string == "Cafe")
    }

    @Test func wordPieceGreedyLongestMatch() throws {
        let tokenizer = try Self.tokenizer()
        let encoding = tokenizer.encode("unaffable Hey!")
        #expect(encoding.tokens == ["[CLS]", "una", "##ff", "##able", "hey", "!", "[SEP]"])
        #expect(encoding.offsets == [0..<0, 0..<3, 3..<5, 5..<9, 10..<13, 13..<14, 0..<0])
        #expect(encoding.specialTokensMask == [1, 0, 0, 0, 0, 0, 1])
        // No full segmentation, or longer than max_input_chars_per_word: one [UNK].
        #expect(tokenizer.encode("unafx").ids == [2, 1, 3])
        #expect(tokenizer.encode("unaffables").ids == [2, 1, 3])
    }

    @Test func specialTokensMatchBeforeNormalizationAndCaseSensitively() throws {
        let tokenizer = try Self.tokenizer()
        #expect(tokenizer.encode("[CLS]hey[SEP]").ids == [2, 2, 4, 3, 3])
        #expect(tokenizer.encode("[cls]").tokens == ["[CLS]", "[UNK]", "[UNK]", "[UNK]", "[SEP]"])
    }

    @Test func truncationKeepsRoomForSpecialTokensAndPairsUseLongestFirst() throws {
        var tokenizer = try Self.tokenizer()
        tokenizer.truncation = Truncation(maxLength: 4)
        #expect(tokenizer.encode("hey friend hey friend").ids == [2, 4, 5, 3])
        tokenizer.truncation = Truncation(maxLength: 8)
        let pair = tokenizer.encode("hey friend hey friend hey", pair: "friend !")
        #expect(pair.ids == [2, 4, 5, 4, 3, 5, 6, 3])
        #expect(pair.typeIDs == [0, 0, 0, 0, 0, 1, 1, 1])
        tokenizer.truncation = Truncation(maxLength: 4, direction: .left)
        #expect(tokenizer.encode("hey friend !").ids == [2, 5, 6, 3])
    }

    @Test func batchPadding() throws {
        var tokenizer = try Self.tokenizer()
        tokenizer.padding = Padding(strategy: .longest, padToMultipleOf: 4)
        let batch = tokenizer.encodeBatch(["hey", "hey friend !"])
        #expect(batch.map(\.ids) == [[2, 4, 3, 0, 0, 0, 0, 0], [2, 4, 5, 6, 3, 0, 0, 0]])
        #expect(batch[0].attentionMask == [1, 1, 1, 0, 0, 0, 0, 0])
    }

    static func json(_ text: String) throws -> JSONValue { try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) }

    static let model = #"{"type": "WordPiece", "unk_token": "[UNK]", "vocab": {"[UNK]": 0, "a": 1}}"#

    @Test func unknownComponentTypesNameTheStage() throws {
        #expect(throws: TokenizerError.unknownComponentType(stage: "normalizer", type: "Fancy")) {
            try Tokenizer(json: try Self.json(#"{"normalizer": {"type": "Fancy"}, "model": \#(Self.model)}"#))
        }
        #expect(throws: TokenizerError.unknownComponentType(stage: "pre_tokenizer", type: "Magic")) {
            try Tokenizer(json: try Self.json(#"{"pre_tokenizer": {"type": "Magic"}, "model": \#(Self.model)}"#))
        }
        #expect(throws: TokenizerError.unknownComponentType(stage: "model", type: "Mystery")) {
            try Tokenizer(json: try Self.json(#"{"model": {"type": "Mystery"}}"#))
        }
        #expect(throws: TokenizerError.unknownComponentType(stage: "post_processor", type: "Odd")) {
            try Tokenizer(json: try Self.json(#"{"post_processor": {"type": "Odd"}, "model": \#(Self.model)}"#))
        }
    }

    @Test func malformedFieldsNameTheComponent() throws {
        #expect(throws: TokenizerError.invalidField(component: "BertNormalizer", field: "lowercase", expected: "a boolean")) {
            try Tokenizer(json: try Self.json(#"{"normalizer": {"type": "BertNormalizer", "lowercase": "yes"}, "model": \#(Self.model)}"#))
        }
        #expect(throws: TokenizerError.invalidField(component: "WordPiece", field: "vocab", expected: "an object")) {
            try Tokenizer(json: try Self.json(#"{"model": {"type": "WordPiece", "vocab": [1]}}"#))
        }
        #expect(throws: TokenizerError.unknownToken(component: "WordPiece", token: "[UNK]")) {
            try Tokenizer(json: try Self.json(#"{"model": {"type": "WordPiece", "vocab": {"a": 0}}}"#))
        }
        #expect(throws: TokenizerError.unknownToken(component: "TemplateProcessing", token: "[CLS]")) {
            try Tokenizer(json: try Self.json(#"{"post_processor": {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}], "pair": [], "special_tokens": {}}, "model": \#(Self.model)}"#))
        }
        #expect(throws: TokenizerError.invalidField(component: "tokenizer.json", field: "model", expected: "an object")) {
            try Tokenizer(json: try Self.json(#"{"normalizer": null}"#))
        }
    }

    @Test func unreadableFiles() throws {
        let broken = FileManager.default.temporaryDirectory.appendingPathComponent("broken-\(UUID()).json")
        try Data("{\"model\": ".utf8).write(to: broken)
        #expect(throws: TokenizerError.unreadableFile(path: broken.path, reason: "not valid JSON")) { try Tokenizer(contentsOf: broken) }
        let missing = URL(fileURLWithPath: "/nonexistent/tokenizer.json")
        #expect(throws: TokenizerError.unreadableFile(path: missing.path, reason: "cannot read the file")) { try Tokenizer(contentsOf: missing) }
    }
}
