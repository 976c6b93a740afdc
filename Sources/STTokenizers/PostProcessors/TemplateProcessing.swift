/// Special tokens placed by a template (`"type": "TemplateProcessing"`).
///
/// BERT's: single `[CLS]:0 $A:0 [SEP]:0`, pair `[CLS]:0 $A:0 [SEP]:0 $B:1 [SEP]:1`.
public struct TemplateProcessing: PostProcessor {
    public enum Piece: Sendable, Equatable {
        /// A special token by its name in `special_tokens`, with a type id.
        case specialToken(name: String, typeID: Int)
        /// Sequence `A` (first) or `B` (second), with a type id.
        case sequence(isFirst: Bool, typeID: Int)
    }

    /// A special token's ids and strings (one name may stand for several tokens).
    public struct SpecialToken: Sendable, Equatable {
        public var ids: [Int]
        public var tokens: [String]
    }

    public var single: [Piece]
    public var pair: [Piece]
    public var specialTokens: [String: SpecialToken]

    public init(single: [Piece], pair: [Piece], specialTokens: [String: SpecialToken]) {
        self.single = single
        self.pair = pair
        self.specialTokens = specialTokens
    }

    init(json: JSONValue) throws {
        let fields = ComponentFields(component: "TemplateProcessing", json: json)
        func pieces(_ key: String) throws -> [Piece] {
            try fields.array(key).map { item in
                if let special = item["SpecialToken"] {
                    let piece = ComponentFields(component: "TemplateProcessing.\(key).SpecialToken", json: special)
                    return .specialToken(name: try piece.string("id"), typeID: try piece.int("type_id", default: 0))
                }
                if let sequence = item["Sequence"] {
                    let piece = ComponentFields(component: "TemplateProcessing.\(key).Sequence", json: sequence)
                    let name = try piece.string("id")
                    guard name == "A" || name == "B" else {
                        throw TokenizerError.invalidField(component: "TemplateProcessing.\(key)", field: "Sequence.id", expected: "\"A\" or \"B\"")
                    }
                    return .sequence(isFirst: name == "A", typeID: try piece.int("type_id", default: 0))
                }
                throw TokenizerError.invalidField(component: "TemplateProcessing", field: key, expected: "a list of SpecialToken or Sequence pieces")
            }
        }
        var specials: [String: SpecialToken] = [:]
        for (name, value) in (json["special_tokens"]?.objectValue ?? [:]) {
            let entry = ComponentFields(component: "TemplateProcessing.special_tokens.\(name)", json: value)
            let ids = try entry.array("ids").map { item -> Int in
                guard let id = item.intValue else {
                    throw TokenizerError.invalidField(component: "TemplateProcessing.special_tokens.\(name)", field: "ids", expected: "a list of integers")
                }
                return id
            }
            let tokens = try entry.array("tokens").compactMap(\.stringValue)
            guard tokens.count == ids.count else {
                throw TokenizerError.invalidField(component: "TemplateProcessing.special_tokens.\(name)", field: "tokens", expected: "one token per id")
            }
            specials[name] = SpecialToken(ids: ids, tokens: tokens)
        }
        let single = try pieces("single")
        let pair = try pieces("pair")
        for case let .specialToken(name, _) in single + pair where specials[name] == nil {
            throw TokenizerError.unknownToken(component: "TemplateProcessing", token: name)
        }
        self.init(single: single, pair: pair, specialTokens: specials)
    }

    public func addedTokenCount(isPair: Bool) -> Int {
        (isPair ? pair : single).reduce(0) { total, piece in
            if case let .specialToken(name, _) = piece { return total + (specialTokens[name]?.ids.count ?? 0) }
            return total
        }
    }

    public func process(_ first: Encoding, pair second: Encoding?) -> Encoding {
        var result = Encoding()
        for piece in (second == nil ? single : pair) {
            switch piece {
            case let .specialToken(name, typeID):
                guard let special = specialTokens[name] else { continue }
                result.append(Encoding(
                    ids: special.ids, typeIDs: Array(repeating: typeID, count: special.ids.count), tokens: special.tokens,
                    offsets: Array(repeating: 0..<0, count: special.ids.count),
                    specialTokensMask: Array(repeating: 1, count: special.ids.count),
                    attentionMask: Array(repeating: 1, count: special.ids.count)))
            case let .sequence(isFirst, typeID):
                guard var part = isFirst ? first : second else { continue }
                part.typeIDs = Array(repeating: typeID, count: part.count)
                result.append(part)
            }
        }
        return result
    }
}
