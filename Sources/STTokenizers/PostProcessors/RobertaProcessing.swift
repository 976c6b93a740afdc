/// RoBERTa's special tokens (`"type": "RobertaProcessing"`): `<s> A </s>`, or `<s> A </s> </s> B </s>`, every type
/// id 0; with `trim_offsets`, offsets first shrink to leave out the whitespace at a token's ends (see
/// ``ByteLevelProcessing``).
public struct RobertaProcessing: PostProcessor {
    public var sep: (token: String, id: Int)
    public var cls: (token: String, id: Int)
    public var trimOffsets: Bool
    public var addPrefixSpace: Bool

    public init(sep: (token: String, id: Int), cls: (token: String, id: Int), trimOffsets: Bool = true, addPrefixSpace: Bool = true) {
        self.sep = sep
        self.cls = cls
        self.trimOffsets = trimOffsets
        self.addPrefixSpace = addPrefixSpace
    }

    init(json: JSONValue) throws {
        func tokenAndID(_ key: String) throws -> (String, Int) {
            guard let pair = json[key]?.arrayValue, pair.count == 2, let token = pair[0].stringValue, let id = pair[1].intValue else {
                throw TokenizerError.invalidField(component: "RobertaProcessing", field: key, expected: "a [token, id] pair")
            }
            return (token, id)
        }
        let fields = ComponentFields(component: "RobertaProcessing", json: json)
        self.init(sep: try tokenAndID("sep"), cls: try tokenAndID("cls"),
                  trimOffsets: try fields.bool("trim_offsets", default: true), addPrefixSpace: try fields.bool("add_prefix_space", default: true))
    }

    public func addedTokenCount(isPair: Bool) -> Int { isPair ? 4 : 2 }

    public func process(_ first: Encoding, pair second: Encoding?) -> Encoding {
        var first = first, second = second
        if trimOffsets {
            ByteLevelProcessing.trimOffsets(&first, addPrefixSpace: addPrefixSpace)
            if var other = second {
                ByteLevelProcessing.trimOffsets(&other, addPrefixSpace: addPrefixSpace)
                second = other
            }
        }
        func special(_ token: (token: String, id: Int)) -> Encoding {
            Encoding(ids: [token.id], typeIDs: [0], tokens: [token.token], offsets: [0..<0], specialTokensMask: [1], attentionMask: [1])
        }
        var result = special(cls)
        first.typeIDs = Array(repeating: 0, count: first.count)
        result.append(first)
        result.append(special(sep))
        if var other = second {
            other.typeIDs = Array(repeating: 0, count: other.count)
            result.append(special(sep))
            result.append(other)
            result.append(special(sep))
        }
        return result
    }
}
