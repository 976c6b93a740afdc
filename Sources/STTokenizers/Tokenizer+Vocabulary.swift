import Foundation

extension Tokenizer {
    /// A BERT WordPiece tokenizer built from a `vocab.txt` file alone, as `BertTokenizer(vocab_file)` builds it
    /// when a model has no `tokenizer.json`.
    ///
    /// - Parameters:
    ///   - lowercase: `do_lower_case` from `tokenizer_config.json` (default true).
    ///   - stripAccents: `strip_accents` (nil follows `lowercase`).
    ///   - handleChineseChars: `tokenize_chinese_chars` (default true).
    public init(vocabularyFile url: URL, lowercase: Bool = true, stripAccents: Bool? = nil, handleChineseChars: Bool = true,
                unkToken: String = "[UNK]", clsToken: String = "[CLS]", sepToken: String = "[SEP]",
                padToken: String = "[PAD]", maskToken: String = "[MASK]") throws {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw TokenizerError.unreadableFile(path: url.path, reason: "cannot read the file as UTF-8")
        }
        let vocabulary = WordPiece.readVocabulary(contentsOf: text)
        let model = try WordPiece(vocabulary: vocabulary, unkToken: unkToken)
        func id(_ token: String) throws -> Int {
            guard let id = vocabulary[token] else { throw TokenizerError.unknownToken(component: "vocab.txt", token: token) }
            return id
        }
        let specials = try [padToken, unkToken, clsToken, sepToken, maskToken].map {
            AddedToken(id: try id($0), content: $0, special: true)
        }
        let normalizer = BertNormalizer(cleanText: true, handleChineseChars: handleChineseChars, stripAccents: stripAccents, lowercase: lowercase)
        try self.init(
            normalizer: normalizer, preTokenizer: BertPreTokenizer(), model: model,
            postProcessor: BertProcessing(sep: (sepToken, try id(sepToken)), cls: (clsToken, try id(clsToken))),
            decoder: WordPieceDecoder(), addedTokens: specials, padding: Padding(padID: try id(padToken), padToken: padToken))
    }
}
