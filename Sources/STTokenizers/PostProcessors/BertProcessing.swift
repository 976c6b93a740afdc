/// BERT's special tokens (`"type": "BertProcessing"`): `[CLS] A [SEP]`, or `[CLS] A [SEP] B [SEP]` with type id 1
/// on `B [SEP]`. The same thing as the equivalent ``TemplateProcessing``, which does the work.
public struct BertProcessing: PostProcessor {
    let template: TemplateProcessing

    public init(sep: (token: String, id: Int), cls: (token: String, id: Int)) {
        template = TemplateProcessing(
            single: [.specialToken(name: "cls", typeID: 0), .sequence(isFirst: true, typeID: 0), .specialToken(name: "sep", typeID: 0)],
            pair: [.specialToken(name: "cls", typeID: 0), .sequence(isFirst: true, typeID: 0), .specialToken(name: "sep", typeID: 0),
                   .sequence(isFirst: false, typeID: 1), .specialToken(name: "sep", typeID: 1)],
            specialTokens: ["cls": .init(ids: [cls.id], tokens: [cls.token]), "sep": .init(ids: [sep.id], tokens: [sep.token])])
    }

    init(json: JSONValue) throws {
        func tokenAndID(_ key: String) throws -> (String, Int) {
            guard let pair = json[key]?.arrayValue, pair.count == 2, let token = pair[0].stringValue, let id = pair[1].intValue else {
                throw TokenizerError.invalidField(component: "BertProcessing", field: key, expected: "a [token, id] pair")
            }
            return (token, id)
        }
        self.init(sep: try tokenAndID("sep"), cls: try tokenAndID("cls"))
    }

    public func addedTokenCount(isPair: Bool) -> Int { template.addedTokenCount(isPair: isPair) }

    public func process(_ first: Encoding, pair second: Encoding?) -> Encoding {
        template.process(first, pair: second)
    }
}
