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
        case "Sequence":
            let parts = try ComponentFields(component: "pre_tokenizer Sequence", json: json).array("pretokenizers")
            return PreTokenizerSequence(try parts.compactMap(preTokenizer))
        case let other: throw TokenizerError.unknownComponentType(stage: "pre_tokenizer", type: other)
        }
    }

    static func model(_ json: JSONValue) throws -> any TokenizerModel {
        // Files written by old versions of the library leave out the model's type; WordPiece's fields identify it.
        let type = json["type"]?.stringValue ?? (json["continuing_subword_prefix"] != nil ? "WordPiece" : "")
        switch type {
        case "WordPiece": return try WordPiece(json: json)
        case let other: throw TokenizerError.unknownComponentType(stage: "model", type: other.isEmpty ? "(missing)" : other)
        }
    }

    static func postProcessor(_ json: JSONValue) throws -> (any PostProcessor)? {
        if json.isNull { return nil }
        switch try type(of: json, stage: "post_processor") {
        case "TemplateProcessing": return try TemplateProcessing(json: json)
        case "BertProcessing": return try BertProcessing(json: json)
        case let other: throw TokenizerError.unknownComponentType(stage: "post_processor", type: other)
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
        return Truncation(maxLength: try fields.int("max_length", default: 512), strategy: strategy, direction: direction)
    }

    static func padding(_ json: JSONValue?) throws -> Padding? {
        guard let json, !json.isNull else { return nil }
        let fields = ComponentFields(component: "padding", json: json)
        var strategy = Padding.Strategy.longest
        if let fixed = json["strategy"]?["Fixed"]?.intValue { strategy = .fixed(fixed) }
        let directionName = try fields.optionalString("direction") ?? "Right"
        guard let direction = TruncationDirection(rawValue: directionName) else {
            throw TokenizerError.invalidField(component: "padding", field: "direction", expected: "Left or Right")
        }
        return Padding(
            strategy: strategy, direction: direction, padToMultipleOf: json["pad_to_multiple_of"]?.intValue,
            padID: try fields.int("pad_id", default: 0), padTypeID: try fields.int("pad_type_id", default: 0),
            padToken: try fields.optionalString("pad_token") ?? "[PAD]")
    }
}
