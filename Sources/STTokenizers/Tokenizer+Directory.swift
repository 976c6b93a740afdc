import Foundation

extension Tokenizer {
    /// `tokenizer_config.json` keys that matter when a model has only `vocab.txt`.
    struct TokenizerConfig: Decodable {
        var doLowerCase: Bool?
        var stripAccents: Bool?
        var tokenizeChineseChars: Bool?
        enum CodingKeys: String, CodingKey {
            case doLowerCase = "do_lower_case", stripAccents = "strip_accents", tokenizeChineseChars = "tokenize_chinese_chars"
        }
    }

    /// Loads the tokenizer of a Hugging Face model directory: `tokenizer.json`, or else `vocab.txt` with the
    /// options of `tokenizer_config.json` (a BERT WordPiece tokenizer, as `BertTokenizer` builds it).
    /// - Throws: ``TokenizerError/unreadableFile(path:reason:)`` when neither file is there.
    public init(directory: URL) throws {
        let tokenizerURL = directory.appendingPathComponent("tokenizer.json")
        if FileManager.default.fileExists(atPath: tokenizerURL.path) {
            try self.init(contentsOf: tokenizerURL)
            return
        }
        let vocabularyURL = directory.appendingPathComponent("vocab.txt")
        guard FileManager.default.fileExists(atPath: vocabularyURL.path) else {
            throw TokenizerError.unreadableFile(path: tokenizerURL.path, reason: "not found (nor vocab.txt beside it)")
        }
        let configURL = directory.appendingPathComponent("tokenizer_config.json")
        var config: TokenizerConfig?
        if let data = FileManager.default.contents(atPath: configURL.path) {
            do {
                config = try JSONDecoder().decode(TokenizerConfig.self, from: data)
            } catch {
                throw TokenizerError.unreadableFile(path: configURL.path, reason: "not a valid tokenizer config")
            }
        }
        try self.init(vocabularyFile: vocabularyURL, lowercase: config?.doLowerCase ?? true, stripAccents: config?.stripAccents,
                      handleChineseChars: config?.tokenizeChineseChars ?? true)
    }
}
