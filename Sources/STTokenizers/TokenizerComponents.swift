/// The one place that maps a tokenizer.json `"type"` to a component, stage by stage. A type not listed here
/// is an error naming the stage and the type.
enum TokenizerComponents {
    static func type(of json: JSONValue, stage: String) throws -> String {
        guard let type = json["type"]?.stringValue else {
            throw TokenizerError.invalidField(component: stage, field: "type", expected: "a string")
        }
        return type
    }

    static func normalizer(_ json: JSONValue) throws -> (any Normalizer)? {
        if json.isNull { return nil }
        switch try type(of: json, stage: "normalizer") {
        case "BertNormalizer": return try BertNormalizer(json: json)
        case "NFC": return UnicodeNormalizer(.nfc)
        case "NFD": return UnicodeNormalizer(.nfd)
        case "NFKC": return UnicodeNormalizer(.nfkc)
        case "NFKD": return UnicodeNormalizer(.nfkd)
        case "Lowercase": return Lowercase()
        case "StripAccents": return StripAccents()
        case "Strip": return try Strip(json: json)
        case "Replace": return try Replace(json: json)
        case "Prepend": return try Prepend(json: json)
        case "Precompiled": return try Precompiled(json: json)
        case "Sequence":
            let parts = try ComponentFields(component: "normalizer Sequence", json: json).array("normalizers")
            return NormalizerSequence(try parts.compactMap(normalizer))
        case let other: throw TokenizerError.unknownComponentType(stage: "normalizer", type: other)
        }
    }

    static func preTokenizer(_ json: JSONValue) throws -> (any PreTokenizer)? {
        if json.isNull { return nil }
        switch try type(of: json, stage: "pre_tokenizer") {
        case "BertPreTokenizer": return BertPreTokenizer()
        case "ByteLevel": return try ByteLevel(json: json)
        case "Metaspace": return try Metaspace(json: json)
        case "Whitespace": return WhitespacePreTokenizer()
        case "WhitespaceSplit": return WhitespaceSplit()
        case "Punctuation": return try Punctuation(json: json)
        case "Digits": return try Digits(json: json)
        case "Split": return try Split(json: json)
        case "CharDelimiterSplit": return try CharDelimiterSplit(json: json)
        case "Sequence":
            let parts = try ComponentFields(component: "pre_tokenizer Sequence", json: json).array("pretokenizers")
            return PreTokenizerSequence(try parts.compactMap(preTokenizer))
        case let other: throw TokenizerError.unknownComponentType(stage: "pre_tokenizer", type: other)
        }
    }

    static func model(_ json: JSONValue) throws -> any TokenizerModel {
        // Files written by old versions of the library leave out the model's type; the fields identify it.
        var type = json["type"]?.stringValue ?? ""
        if type.isEmpty {
            if json["merges"] != nil { type = "BPE" }
            else if json["continuing_subword_prefix"] != nil || json["max_input_chars_per_word"] != nil { type = "WordPiece" }
            else if json["vocab"]?.arrayValue != nil { type = "Unigram" }
            else if json["vocab"]?.objectValue != nil { type = "WordLevel" }
        }
        switch type {
        case "WordPiece": return try WordPiece(json: json)
        case "BPE": return try BPE(json: json)
        case "Unigram": return try Unigram(json: json)
        case "WordLevel": return try WordLevel(json: json)
        case let other: throw TokenizerError.unknownComponentType(stage: "model", type: other.isEmpty ? "(missing)" : other)
        }
    }

    static func postProcessor(_ json: JSONValue) throws -> (any PostProcessor)? {
        if json.isNull { return nil }
        switch try type(of: json, stage: "post_processor") {
        case "TemplateProcessing": return try TemplateProcessing(json: json)
        case "BertProcessing": return try BertProcessing(json: json)
        case "RobertaProcessing": return try RobertaProcessing(json: json)
        case "ByteLevel": return try ByteLevelProcessing(json: json)
        case "Sequence":
            let parts = try ComponentFields(component: "post_processor Sequence", json: json).array("processors")
            return PostProcessorSequence(try parts.compactMap(postProcessor))
        case let other: throw TokenizerError.unknownComponentType(stage: "post_processor", type: other)
        }
    }

    static func decoder(_ json: JSONValue) throws -> (any TokenDecoder)? {
        if json.isNull { return nil }
        func character(_ key: String, default defaultValue: Character) throws -> Character {
            guard let text = json[key]?.stringValue else { return defaultValue }
            guard text.count == 1, let first = text.first else {
                throw TokenizerError.invalidField(component: "decoder", field: key, expected: "a single character")
            }
            return first
        }
        let fields = ComponentFields(component: "decoder", json: json)
        switch try type(of: json, stage: "decoder") {
        case "WordPiece":
            return WordPieceDecoder(prefix: try fields.optionalString("prefix") ?? "##", cleanup: try fields.bool("cleanup", default: true))
        case "ByteLevel": return ByteLevelDecoder()
        case "Metaspace":
            let metaspace = try Metaspace(json: json)
            return MetaspaceDecoder(replacement: Character(metaspace.replacement), prependScheme: metaspace.prependScheme)
        case "BPEDecoder": return BPEDecoder(suffix: try fields.optionalString("suffix") ?? "</w>")
        case "ByteFallback": return ByteFallbackDecoder()
        case "Fuse": return FuseDecoder()
        case "Strip":
            return StripDecoder(content: try character("content", default: " "), start: try fields.int("start", default: 0), stop: try fields.int("stop", default: 0))
        case "Replace": return ReplaceDecoder(try Replace(json: json, component: "Replace decoder"))
        case "Sequence":
            return DecoderSequence(try fields.array("decoders").compactMap(decoder))
        case let other: throw TokenizerError.unknownComponentType(stage: "decoder", type: other)
        }
    }

    static func truncation(_ json: JSONValue?) throws -> Truncation? {
        guard let json, !json.isNull else { return nil }
        let fields = ComponentFields(component: "truncation", json: json)
        let strategyName = try fields.optionalString("strategy") ?? "LongestFirst"
        guard let strategy = Truncation.Strategy(rawValue: strategyName) else {
            throw TokenizerError.invalidField(component: "truncation", field: "strategy", expected: "LongestFirst, OnlyFirst or OnlySecond")
        }
        let directionName = try fields.optionalString("direction") ?? "Right"
        guard let direction = TruncationDirection(rawValue: directionName) else {
            throw TokenizerError.invalidField(component: "truncation", field: "direction", expected: "Left or Right")
        }
        // The reference reads lengths as usize: a negative one is an error there too.
        let maxLength = try fields.int("max_length", default: 512)
        guard maxLength >= 0 else {
            throw TokenizerError.invalidField(component: "truncation", field: "max_length", expected: "a non-negative integer")
        }
        return Truncation(maxLength: maxLength, strategy: strategy, direction: direction)
    }

    static func padding(_ json: JSONValue?) throws -> Padding? {
        guard let json, !json.isNull else { return nil }
        let fields = ComponentFields(component: "padding", json: json)
        func length(_ value: JSONValue?, field: String) throws -> Int? {
            guard let value, !value.isNull else { return nil }
            guard let length = value.intValue, (0...Padding.maximumLength).contains(length) else {
                throw TokenizerError.invalidField(component: "padding", field: field, expected: "an integer from 0 to \(Padding.maximumLength)")
            }
            return length
        }
        var strategy = Padding.Strategy.longest
        if let fixed = try length(json["strategy"]?["Fixed"], field: "strategy.Fixed") { strategy = .fixed(fixed) }
        let directionName = try fields.optionalString("direction") ?? "Right"
        guard let direction = TruncationDirection(rawValue: directionName) else {
            throw TokenizerError.invalidField(component: "padding", field: "direction", expected: "Left or Right")
        }
        return Padding(
            strategy: strategy, direction: direction, padToMultipleOf: try length(json["pad_to_multiple_of"], field: "pad_to_multiple_of"),
            padID: try fields.int("pad_id", default: 0), padTypeID: try fields.int("pad_type_id", default: 0),
            padToken: try fields.optionalString("pad_token") ?? "[PAD]")
    }
}
