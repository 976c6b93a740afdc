import Foundation
import STTestSupport
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
        let encoding = try tokenizer.encode("unaffable Hey!")
        #expect(encoding.tokens == ["[CLS]", "una", "##ff", "##able", "hey", "!", "[SEP]"])
        #expect(encoding.offsets == [0..<0, 0..<3, 3..<5, 5..<9, 10..<13, 13..<14, 0..<0])
        #expect(encoding.specialTokensMask == [1, 0, 0, 0, 0, 0, 1])
        // No full segmentation, or longer than max_input_chars_per_word: one [UNK].
        #expect(try tokenizer.encode("unafx").ids == [2, 1, 3])
        #expect(try tokenizer.encode("unaffables").ids == [2, 1, 3])
    }

    @Test func specialTokensMatchBeforeNormalizationAndCaseSensitively() throws {
        let tokenizer = try Self.tokenizer()
        #expect(try tokenizer.encode("[CLS]hey[SEP]").ids == [2, 2, 4, 3, 3])
        #expect(try tokenizer.encode("[cls]").tokens == ["[CLS]", "[UNK]", "[UNK]", "[UNK]", "[SEP]"])
    }

    @Test func truncationKeepsRoomForSpecialTokensAndPairsUseLongestFirst() throws {
        var tokenizer = try Self.tokenizer()
        tokenizer.truncation = Truncation(maxLength: 4)
        #expect(try tokenizer.encode("hey friend hey friend").ids == [2, 4, 5, 3])
        tokenizer.truncation = Truncation(maxLength: 8)
        let pair = try tokenizer.encode("hey friend hey friend hey", pair: "friend !")
        #expect(pair.ids == [2, 4, 5, 4, 3, 5, 6, 3])
        #expect(pair.typeIDs == [0, 0, 0, 0, 0, 1, 1, 1])
        tokenizer.truncation = Truncation(maxLength: 4, direction: .left)
        #expect(try tokenizer.encode("hey friend !").ids == [2, 5, 6, 3])
    }

    @Test func batchPadding() throws {
        var tokenizer = try Self.tokenizer()
        tokenizer.padding = Padding(strategy: .longest, padToMultipleOf: 4)
        let batch = try tokenizer.encodeBatch(["hey", "hey friend !"])
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

/// Pre-tokenizers, models, processors and decoders of the other families, with offsets.
@Suite struct MoreComponentTests {
    static func split(_ preTokenizer: any PreTokenizer, _ text: String) throws -> [(String, Range<Int>)] {
        try preTokenizer.split(NormalizedText(Substring(text).unicodeScalars)).map { ($0.string, $0.originalRange ?? 0..<0) }
    }

    @Test func byteLevelUsesTheGPT2Split() throws {
        let pieces = try Self.split(ByteLevel(addPrefixSpace: false), "Hello world's  end!!\n")
        #expect(pieces.map(\.0) == ["Hello", "Ġworld", "'s", "Ġ", "Ġend", "!!", "Ċ"])
        #expect(pieces.map(\.1) == [0..<5, 5..<11, 11..<13, 13..<14, 14..<18, 18..<20, 20..<21])
        #expect(try Self.split(ByteLevel(addPrefixSpace: true), "é").map(\.0) == ["ĠÃ©"])
    }

    @Test func metaspaceSchemes() throws {
        #expect(try Self.split(Metaspace(), "Hey friend").map(\.0) == ["▁Hey", "▁friend"])
        #expect(try Self.split(Metaspace(prependScheme: .never), "Hey friend").map(\.0) == ["Hey", "▁friend"])
        #expect(try Self.split(Metaspace(split: false), "Hey friend").map(\.0) == ["▁Hey▁friend"])
        #expect(try Self.split(Metaspace(), "Hey").map(\.1) == [0..<3])
    }

    @Test func whitespaceDigitsPunctuationAndSplit() throws {
        #expect(try Self.split(WhitespacePreTokenizer(), "Hey friend!! 42").map(\.0) == ["Hey", "friend", "!!", "42"])
        #expect(try Self.split(WhitespaceSplit(), " a  b\tc ").map(\.1) == [1..<2, 4..<5, 6..<7])
        #expect(try Self.split(Digits(individualDigits: true), "a12b").map(\.0) == ["a", "1", "2", "b"])
        #expect(try Self.split(Digits(), "a12b").map(\.0) == ["a", "12", "b"])
        #expect(try Self.split(Punctuation(), "a,b.").map(\.0) == ["a", ",", "b", "."])
        #expect(try Self.split(CharDelimiterSplit(delimiter: "-"), "a-b--c").map(\.0) == ["a", "b", "c"])
        let json = try JSONDecoder().decode(JSONValue.self, from: Data(#"{"pattern": {"Regex": "\\s+"}, "behavior": "MergedWithPrevious", "invert": false}"#.utf8))
        let split = try Tokenizer(json: try JSONDecoder().decode(JSONValue.self, from: Data("""
            {"pre_tokenizer": {"type": "Split", "pattern": {"String": "-"}, "behavior": "MergedWithNext", "invert": false},
             "model": {"type": "WordLevel", "vocab": {"<unk>": 0, "a": 1, "-b": 2}, "unk_token": "<unk>"}}
            """.utf8)))
        #expect(try split.encode("a-b").ids == [1, 2])
        #expect(json["behavior"]?.stringValue == "MergedWithPrevious")
    }

    @Test func bpeMergesByRankAndHandlesUnknowns() throws {
        let vocabulary = ["a": 0, "b": 1, "c": 2, "ab": 3, "abc": 4, "<unk>": 5, "bc": 6]
        let bpe = try BPE(vocabulary: vocabulary, merges: [("a", "b"), ("b", "c"), ("ab", "c")], unkToken: "<unk>", fuseUnk: true)
        func ids(_ text: String) -> [Int] { bpe.tokenize(NormalizedText(Substring(text).unicodeScalars)).map(\.id) }
        #expect(ids("abc") == [4])
        #expect(ids("bca") == [6, 0])
        #expect(ids("axyb") == [0, 5, 1])
        #expect(throws: TokenizerError.unknownToken(component: "BPE merges", token: "zz")) {
            try BPE(vocabulary: vocabulary, merges: [("zz", "a")])
        }
    }

    @Test func unigramPicksTheBestSegmentationAndFusesUnknowns() throws {
        let unigram = try Unigram(pieces: [("<unk>", 0), ("▁", -2), ("ab", -1), ("a", -3), ("b", -3), ("▁ab", -1.5)], unkID: 0)
        func tokens(_ text: String) -> [String] { unigram.tokenize(NormalizedText(Substring(text).unicodeScalars)).map(\.value) }
        #expect(tokens("▁ab") == ["▁ab"])
        #expect(tokens("abab") == ["ab", "ab"])
        #expect(tokens("axyb") == ["a", "xy", "b"])
        #expect(unigram.tokenize(NormalizedText(Substring("axyb").unicodeScalars)).map(\.id) == [3, 0, 4])
    }

    @Test func addedTokenOptions() throws {
        let base = try WordLevel(vocabulary: ["<unk>": 0, "x": 1], unkToken: "<unk>")
        let tokenizer = try Tokenizer(
            normalizer: Lowercase(), preTokenizer: WhitespaceSplit(), model: base, postProcessor: nil,
            addedTokens: [AddedToken(id: 7, content: "<mask>", special: true, lstrip: true),
                          AddedToken(id: 8, content: "hi", special: false, singleWord: true),
                          AddedToken(id: 9, content: "YO", special: false, normalized: true)])
        let encoding = try tokenizer.encode("x   <mask> hi xhi Yo")
        #expect(encoding.ids == [1, 7, 8, 0, 9])
        #expect(encoding.offsets[1] == 1..<10)  // lstrip swallowed the spaces before <mask>
    }

    @Test func truncationStrategiesAndLeftPadding() throws {
        let model = try WordLevel(vocabulary: ["<unk>": 0, "a": 1, "b": 2], unkToken: "<unk>")
        var tokenizer = try Tokenizer(normalizer: nil, preTokenizer: WhitespaceSplit(), model: model, postProcessor: nil)
        tokenizer.truncation = Truncation(maxLength: 4, strategy: .onlyFirst)
        #expect(try tokenizer.encode("a a a a", pair: "b b").ids == [1, 1, 2, 2])
        tokenizer.truncation = Truncation(maxLength: 4, strategy: .onlySecond)
        #expect(try tokenizer.encode("a a", pair: "b b b b").ids == [1, 1, 2, 2])
        tokenizer.truncation = nil
        tokenizer.padding = Padding(strategy: .fixed(4), direction: .left, padID: 0, padToken: "<unk>")
        #expect(try tokenizer.encodeBatch(["a b"]).first?.ids == [0, 0, 1, 2])
        #expect(try tokenizer.encodeBatch(["a b"]).first?.attentionMask == [0, 0, 1, 1])
    }

    @Test func decodersRestoreText() throws {
        let families = ["bert-wordpiece": "hello, world! here are 3 words.", "mpnet-wordpiece": "hello, world! here are 3 words.",
                        "roberta-bpe": "Hello, world! I'm here. 🍕", "xlmr-unigram": "Hello, world! I'm here."]
        for (family, text) in families {
            let tokenizer = try Tokenizer(contentsOf: TestResources.fixture("tokenizers/\(family)/tokenizer.json"))
            #expect(try tokenizer.decode(try tokenizer.encode(text).ids) == text, "\(family)")
        }
        #expect(ByteFallbackDecoder().decodeChain(["<0xC3>", "<0xA9>", "x", "<0xFF>"]) == ["é", "x", "\u{FFFD}"])
        #expect(StripDecoder(content: "_", start: 1, stop: 0).decodeChain(["__a"]) == ["_a"])
        #expect(FuseDecoder().decodeChain(["a", "b"]) == ["ab"])
        #expect(BPEDecoder().decodeChain(["hel", "lo</w>", "you</w>"]) == ["hel", "lo ", "you"])
    }
}
