import Foundation

/// A Hugging Face tokenizer: normalizer → pre-tokenizer → model → post-processor, with added tokens found
/// first, then truncation and padding.
///
/// ```swift
/// let tokenizer = try Tokenizer(contentsOf: URL(fileURLWithPath: "model/tokenizer.json"))
/// let encoding = tokenizer.encode("Hello world!")   // ids [101, 7592, 2088, 999, 102]
/// ```
public struct Tokenizer: Sendable {
    public let normalizer: (any Normalizer)?
    public let preTokenizer: (any PreTokenizer)?
    public let model: any TokenizerModel
    public let postProcessor: (any PostProcessor)?
    public let decoder: (any TokenDecoder)?
    let addedVocabulary: AddedVocabulary
    /// Applied by ``encode(_:pair:addSpecialTokens:)``; `nil` = no truncation.
    public var truncation: Truncation?
    /// Applied by ``encodeBatch(_:addSpecialTokens:)``; `nil` = no padding.
    public var padding: Padding?

    /// The added tokens (special and normal), in file order.
    public var addedTokens: [AddedToken] { addedVocabulary.tokens }

    public init(normalizer: (any Normalizer)?, preTokenizer: (any PreTokenizer)?, model: any TokenizerModel,
                postProcessor: (any PostProcessor)?, decoder: (any TokenDecoder)? = nil, addedTokens: [AddedToken] = [],
                truncation: Truncation? = nil, padding: Padding? = nil) {
        self.normalizer = normalizer
        self.preTokenizer = preTokenizer
        self.model = model
        self.postProcessor = postProcessor
        self.decoder = decoder
        self.addedVocabulary = AddedVocabulary(tokens: addedTokens, normalizer: normalizer)
        self.truncation = truncation
        self.padding = padding
    }

    /// Loads a `tokenizer.json` file.
    /// - Throws: ``TokenizerError`` naming the file, or the stage and component that could not be read.
    public init(contentsOf url: URL) throws {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw TokenizerError.unreadableFile(path: url.path, reason: "cannot read the file")
        }
        let json: JSONValue
        do {
            json = try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            throw TokenizerError.unreadableFile(path: url.path, reason: "not valid JSON")
        }
        try self.init(json: json)
    }

    /// Builds a tokenizer from a parsed `tokenizer.json`.
    public init(json: JSONValue) throws {
        guard json.objectValue != nil else {
            throw TokenizerError.invalidField(component: "tokenizer.json", field: "(root)", expected: "an object")
        }
        guard let modelJSON = json["model"] else {
            throw TokenizerError.invalidField(component: "tokenizer.json", field: "model", expected: "an object")
        }
        let normalizer = try TokenizerComponents.normalizer(json["normalizer"] ?? .null)
        let addedTokens = try (json["added_tokens"]?.arrayValue ?? []).map(AddedToken.init(json:))
        self.init(
            normalizer: normalizer,
            preTokenizer: try TokenizerComponents.preTokenizer(json["pre_tokenizer"] ?? .null),
            model: try TokenizerComponents.model(modelJSON),
            postProcessor: try TokenizerComponents.postProcessor(json["post_processor"] ?? .null),
            decoder: try TokenizerComponents.decoder(json["decoder"] ?? .null),
            addedTokens: addedTokens,
            truncation: try TokenizerComponents.truncation(json["truncation"]),
            padding: try TokenizerComponents.padding(json["padding"]))
    }

    /// The id of a vocabulary or added token.
    public func id(forToken token: String) -> Int? {
        addedVocabulary.tokens.first { $0.content == token }?.id ?? model.id(forToken: token)
    }

    /// The string of a vocabulary or added token.
    public func token(forID id: Int) -> String? {
        addedVocabulary.tokens.first { $0.id == id }?.content ?? model.token(forID: id)
    }

    /// Tokenizes one text into model tokens, without special tokens or truncation.
    public func tokenize(_ text: String) -> [Token] {
        var tokens: [Token] = []
        for segment in addedVocabulary.splitRaw(NormalizedText(Substring(text).unicodeScalars)) {
            switch segment {
            case let .token(token):
                tokens.append(token)
            case var .text(piece):
                normalizer?.normalize(&piece)
                for inner in addedVocabulary.splitNormalized(piece) {
                    switch inner {
                    case let .token(token):
                        tokens.append(token)
                    case let .text(normalized):
                        let words = preTokenizer?.split(normalized) ?? [normalized]
                        for word in words { tokens += model.tokenize(word) }
                    }
                }
            }
        }
        return tokens
    }

    /// Encodes one text, or a pair, applying ``truncation`` and the post-processor.
    public func encode(_ text: String, pair: String? = nil, addSpecialTokens: Bool = true) -> Encoding {
        var first = Encoding(tokens: tokenize(text))
        var second = pair.map { Encoding(tokens: tokenize($0), typeID: 1) }
        if let truncation {
            let added = addSpecialTokens ? (postProcessor?.addedTokenCount(isPair: second != nil) ?? 0) : 0
            truncation.apply(first: &first, second: &second, budget: truncation.maxLength - added)
        }
        guard addSpecialTokens, let postProcessor else {
            if let other = second { first.append(other) }
            return first
        }
        return postProcessor.process(first, pair: second)
    }

    /// The text of `ids`: tokens looked up, special tokens left out when `skipSpecialTokens`, then the decoder
    /// (or, without one, the tokens joined by spaces).
    public func decode(_ ids: [Int], skipSpecialTokens: Bool = true) -> String {
        let special = Set(addedVocabulary.tokens.filter(\.special).map(\.id))
        let tokens = ids.compactMap { id -> String? in
            if skipSpecialTokens, special.contains(id) { return nil }
            return token(forID: id)
        }
        guard let decoder else { return tokens.joined(separator: " ") }
        return decoder.decodeChain(tokens).joined()
    }

    /// Encodes several texts, then applies ``padding``.
    public func encodeBatch(_ texts: [String], addSpecialTokens: Bool = true) -> [Encoding] {
        var batch = texts.map { encode($0, addSpecialTokens: addSpecialTokens) }
        padding?.apply(to: &batch)
        return batch
    }
}
