/// WordPiece (`"type": "WordPiece"`): greedy longest-match-first segmentation of a word into vocabulary
/// pieces, continuation pieces carrying a prefix (`##`). A word with no complete segmentation, or longer than
/// `maxInputCharsPerWord` scalars, becomes the single `unkToken`.
///
/// `"unaffable"` → `una`, `##ff`, `##able` (with a vocabulary holding those pieces).
public struct WordPiece: TokenizerModel {
    /// Vocabulary keyed by UTF-8 bytes: exact byte equality, as the reference library compares (Swift `String`
    /// equality would also match canonically equivalent spellings).
    let vocabulary: [[UInt8]: Int]
    let tokensByID: [Int: String]
    public let unkToken: String
    let unkID: Int
    public let continuingSubwordPrefix: String
    public let maxInputCharsPerWord: Int

    public init(vocabulary: [String: Int], unkToken: String = "[UNK]", continuingSubwordPrefix: String = "##", maxInputCharsPerWord: Int = 100) throws {
        var byBytes: [[UInt8]: Int] = [:]
        byBytes.reserveCapacity(vocabulary.count)
        var byID: [Int: String] = [:]
        byID.reserveCapacity(vocabulary.count)
        for (token, id) in vocabulary {
            byBytes[Array(token.utf8)] = id
            byID[id] = token
        }
        guard let unkID = byBytes[Array(unkToken.utf8)] else {
            throw TokenizerError.unknownToken(component: "WordPiece", token: unkToken)
        }
        self.vocabulary = byBytes
        self.tokensByID = byID
        self.unkToken = unkToken
        self.unkID = unkID
        self.continuingSubwordPrefix = continuingSubwordPrefix
        self.maxInputCharsPerWord = maxInputCharsPerWord
    }

    init(json: JSONValue) throws {
        let fields = ComponentFields(component: "WordPiece", json: json)
        var vocabulary: [String: Int] = [:]
        for (token, value) in try fields.object("vocab") {
            guard let id = value.intValue else {
                throw TokenizerError.invalidField(component: "WordPiece", field: "vocab.\(token)", expected: "an integer id")
            }
            vocabulary[token] = id
        }
        try self.init(
            vocabulary: vocabulary,
            unkToken: try fields.optionalString("unk_token") ?? "[UNK]",
            continuingSubwordPrefix: try fields.optionalString("continuing_subword_prefix") ?? "##",
            maxInputCharsPerWord: try fields.int("max_input_chars_per_word", default: 100))
    }

    /// Reads a `vocab.txt` file: one token per line, the line number is the id.
    public static func readVocabulary(contentsOf text: String) -> [String: Int] {
        var vocabulary: [String: Int] = [:]
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last == "" { lines.removeLast() }
        for (index, line) in lines.enumerated() {
            let token = line.hasSuffix("\r") ? String(line.dropLast()) : String(line)
            if vocabulary[token] == nil { vocabulary[token] = index }
        }
        return vocabulary
    }

    public var vocabularySize: Int { vocabulary.count }
    public func id(forToken token: String) -> Int? { vocabulary[Array(token.utf8)] }
    public func token(forID id: Int) -> String? { tokensByID[id] }

    public func tokenize(_ word: NormalizedText) -> [Token] {
        let scalars = word.scalars
        guard !scalars.isEmpty else { return [] }
        let wholeWord = word.originalRange ?? 0..<0
        if scalars.count > maxInputCharsPerWord {
            return [Token(id: unkID, value: unkToken, offsets: wholeWord)]
        }
        let utf8 = scalars.map { Array(String($0).utf8) }
        let prefix = Array(continuingSubwordPrefix.utf8)
        var pieces: [Token] = []
        var start = 0
        while start < scalars.count {
            var end = scalars.count
            var match: (id: Int, bytes: [UInt8])?
            while start < end {
                var candidate = start > 0 ? prefix : []
                for index in start..<end { candidate.append(contentsOf: utf8[index]) }
                if let id = vocabulary[candidate] {
                    match = (id, candidate)
                    break
                }
                end -= 1
            }
            guard let found = match else {
                return [Token(id: unkID, value: unkToken, offsets: wholeWord)]
            }
            let span = word.originalRange(of: start..<end)
            pieces.append(Token(id: found.id, value: String(decoding: found.bytes, as: UTF8.self), offsets: span))
            start = end
        }
        return pieces
    }
}
