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
                truncation: Truncation? = nil, padding: Padding? = nil) throws {
        self.normalizer = normalizer
        self.preTokenizer = preTokenizer
        self.model = model
        self.postProcessor = postProcessor
        self.decoder = decoder
        self.addedVocabulary = try AddedVocabulary(tokens: addedTokens, normalizer: normalizer)
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
        try self.init(
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
    /// - Throws: ``TokenizerError`` when a stage cannot process the text (a regular expression over its budget).
    public func tokenize(_ text: String) throws -> [Token] {
        try tokens(of: Substring(text).unicodeScalars, stopAfter: nil)
    }

    /// The first `limit` tokens of `text`, equal to `tokenize(text).prefix(limit)`, read from as little of the
    /// text as they need, so that a 50 MB line costs what its first tokens cost.
    ///
    /// Windows of the text that end at a whitespace are tokenized, each twice as long as the last, until the
    /// `limit`-th token ends in the window's first half; what lies beyond a window then cannot change those tokens
    /// (every normalizer, pre-tokenizer and model the reference ships looks at most a word ahead).
    /// - Throws: ``TokenizerError`` when a stage cannot process the text.
    public func tokenize(_ text: String, limit: Int) throws -> [Token] {
        guard limit > 0 else { return [] }
        let scalars = text.unicodeScalars
        // Saturating: a limit near Int.max ("no limit") means one window, the whole text.
        let (scaled, overflow) = limit.multipliedReportingOverflow(by: 16)
        var window = overflow ? Int.max : max(4096, scaled)
        while let windowEnd = scalars.index(scalars.startIndex, offsetBy: window, limitedBy: scalars.endIndex),
              windowEnd < scalars.endIndex {
            // Cut at the next whitespace (or mid-word, a window further on, when there is none).
            let searchEnd = scalars.index(windowEnd, offsetBy: window, limitedBy: scalars.endIndex) ?? scalars.endIndex
            let cut = scalars[windowEnd..<searchEnd].firstIndex { $0.properties.isWhitespace } ?? searchEnd
            let prefix = try tokens(of: Substring(text)[..<cut].unicodeScalars, stopAfter: limit)
            if prefix.count >= limit, prefix[limit - 1].offsets.upperBound <= window / 2 {
                return Array(prefix.prefix(limit))
            }
            window *= 2
        }
        return Array(try tokens(of: Substring(text).unicodeScalars, stopAfter: limit).prefix(limit))
    }

    /// The pipeline: added tokens split off, normalizer, pre-tokenizer, model; with `stopAfter`, no word is given
    /// to the model once that many tokens exist.
    private func tokens(of text: Substring.UnicodeScalarView, stopAfter limit: Int?) throws -> [Token] {
        var tokens: [Token] = []
        func full() -> Bool { limit.map { tokens.count >= $0 } ?? false }
        for segment in addedVocabulary.splitRaw(NormalizedText(text)) {
            if full() { break }
            switch segment {
            case let .token(token):
                tokens.append(token)
            case var .text(piece):
                try normalizer?.normalize(&piece)
                for inner in addedVocabulary.splitNormalized(piece) {
                    if full() { break }
                    switch inner {
                    case let .token(token):
                        tokens.append(token)
                    case let .text(normalized):
                        let words = try preTokenizer?.split(normalized) ?? [normalized]
                        for word in words {
                            if full() { break }
                            tokens += model.tokenize(word)
                        }
                    }
                }
            }
        }
        return tokens
    }

    /// Encodes one text, or a pair, applying ``truncation`` and the post-processor. With right-side truncation of a
    /// single text, only the tokens kept are produced (``tokenize(_:limit:)``).
    /// - Throws: ``TokenizerError`` when a stage cannot process the text (a regular expression over its budget).
    public func encode(_ text: String, pair: String? = nil, addSpecialTokens: Bool = true) throws -> Encoding {
        let added = addSpecialTokens ? (postProcessor?.addedTokenCount(isPair: pair != nil) ?? 0) : 0
        // Room left for the texts' tokens; a negative maxLength (set in code) keeps none, never overflows.
        let budget = truncation.map { max(0, $0.maxLength) - added } ?? 0
        var first: Encoding
        // A pair is tokenized whole: longest-first truncation compares the two full lengths.
        if let truncation, pair == nil, truncation.direction == .right, truncation.strategy != .onlySecond {
            first = Encoding(tokens: try tokenize(text, limit: max(0, budget)))
        } else {
            first = Encoding(tokens: try tokenize(text))
        }
        var second = try pair.map { Encoding(tokens: try tokenize($0), typeID: 1) }
        if let truncation {
            truncation.apply(first: &first, second: &second, budget: budget)
        }
        guard addSpecialTokens, let postProcessor else {
            if let other = second { first.append(other) }
            return first
        }
        return postProcessor.process(first, pair: second)
    }

    /// The text of `ids`: tokens looked up, special tokens left out when `skipSpecialTokens`, then the decoder
    /// (or, without one, the tokens joined by spaces).
    /// - Throws: ``TokenizerError`` when a decoder stage cannot process a token (a regular expression over its budget).
    public func decode(_ ids: [Int], skipSpecialTokens: Bool = true) throws -> String {
        let special = Set(addedVocabulary.tokens.filter(\.special).map(\.id))
        let tokens = ids.compactMap { id -> String? in
            if skipSpecialTokens, special.contains(id) { return nil }
            return token(forID: id)
        }
        guard let decoder else { return tokens.joined(separator: " ") }
        return try decoder.decodeChain(tokens).joined()
    }

    /// Encodes several texts, then applies ``padding``.
    /// - Throws: ``TokenizerError`` when a stage cannot process a text.
    public func encodeBatch(_ texts: [String], addSpecialTokens: Bool = true) throws -> [Encoding] {
        var batch = try texts.map { try encode($0, addSpecialTokens: addSpecialTokens) }
        padding?.apply(to: &batch)
        return batch
    }
}
