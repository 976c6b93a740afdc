/// A whole-word vocabulary (`"type": "WordLevel"`): each pre-tokenized word is one token, or `unk_token`.
public struct WordLevel: TokenizerModel {
    let vocabulary: [String: Int]
    let tokensByID: [Int: String]
    public let unkToken: String

    public init(vocabulary: [String: Int], unkToken: String) throws {
        self.vocabulary = vocabulary
        var byID: [Int: String] = [:]
        for (token, id) in vocabulary { byID[id] = token }
        tokensByID = byID
        guard vocabulary[unkToken] != nil else { throw TokenizerError.unknownToken(component: "WordLevel", token: unkToken) }
        self.unkToken = unkToken
    }

    init(json: JSONValue) throws {
        let fields = ComponentFields(component: "WordLevel", json: json)
        var vocabulary: [String: Int] = [:]
        for (token, value) in try fields.object("vocab") {
            guard let id = value.intValue else { throw TokenizerError.invalidField(component: "WordLevel", field: "vocab.\(token)", expected: "an integer id") }
            vocabulary[token] = id
        }
        try self.init(vocabulary: vocabulary, unkToken: try fields.optionalString("unk_token") ?? "<unk>")
    }

    public var vocabularySize: Int { vocabulary.count }
    public func id(forToken token: String) -> Int? { vocabulary[token] }
    public func token(forID id: Int) -> String? { tokensByID[id] }

    public func tokenize(_ word: NormalizedText) -> [Token] {
        guard !word.isEmpty else { return [] }
        let text = word.string
        let offsets = word.originalRange(of: 0..<word.count)
        if let id = vocabulary[text] { return [Token(id: id, value: text, offsets: offsets)] }
        return [Token(id: vocabulary[unkToken] ?? 0, value: unkToken, offsets: offsets)]
    }
}
