/// Turns tokens back into text (`"decoder"` in tokenizer.json). Each decoder rewrites the list of token strings,
/// as the reference library's `decode_chain` does; the results are concatenated at the end.
public protocol TokenDecoder: Sendable {
    /// - Throws: ``TokenizerError`` when a stage cannot process a token (a regular expression over its budget).
    func decodeChain(_ tokens: [String]) throws -> [String]
}

/// WordPiece: `##` pieces glue to the previous token, others get a space; `cleanup` removes the spaces before
/// punctuation and in English contractions.
public struct WordPieceDecoder: TokenDecoder {
    public var prefix: String
    public var cleanup: Bool

    public init(prefix: String = "##", cleanup: Bool = true) {
        self.prefix = prefix
        self.cleanup = cleanup
    }

    public func decodeChain(_ tokens: [String]) -> [String] {
        tokens.enumerated().map { index, token in
            var text = token
            if index > 0 { text = token.hasPrefix(prefix) ? String(token.dropFirst(prefix.count)) : " " + token }
            return cleanup ? Self.cleanUp(text) : text
        }
    }

    static func cleanUp(_ text: String) -> String {
        // Every pattern holds one of . ? ! , ' or is " do not": most tokens hold none, and Foundation's replacing is
        // slow enough on Linux that eleven passes per token made decoding 100,000 ids take seconds.
        guard text.utf8.contains(where: { $0 == 46 || $0 == 63 || $0 == 33 || $0 == 44 || $0 == 39 }) || (text.utf8.count >= 7 && text.contains(" do not")) else { return text }
        var result = text
        for (from, to) in [(" .", "."), (" ?", "?"), (" !", "!"), (" ,", ","), (" ' ", "'"), (" n't", "n't"), (" 'm", "'m"),
                           (" do not", " don't"), (" 's", "'s"), (" 've", "'ve"), (" 're", "'re")] {
            result = result.replacingOccurrences(of: from, with: to)
        }
        return result
    }
}

/// Byte-level: the tokens' characters mapped back to bytes, decoded as UTF-8 (invalid sequences become U+FFFD).
public struct ByteLevelDecoder: TokenDecoder {
    public init() {}

    public func decodeChain(_ tokens: [String]) -> [String] {
        var bytes: [UInt8] = []
        for token in tokens {
            for scalar in token.unicodeScalars {
                if let byte = ByteLevelAlphabet.byteForCharacter[scalar] { bytes.append(byte) } else { bytes.append(contentsOf: String(scalar).utf8) }
            }
        }
        return [String(decoding: bytes, as: UTF8.self)]
    }
}

/// Metaspace: `▁` back to spaces; the space the pre-tokenizer put before the text is dropped.
public struct MetaspaceDecoder: TokenDecoder {
    public var replacement: Character
    public var prependScheme: Metaspace.PrependScheme

    public init(replacement: Character = "\u{2581}", prependScheme: Metaspace.PrependScheme = .always) {
        self.replacement = replacement
        self.prependScheme = prependScheme
    }

    public func decodeChain(_ tokens: [String]) -> [String] {
        tokens.enumerated().map { index, token in
            var text = token.replacingOccurrences(of: String(replacement), with: " ")
            if index == 0, prependScheme != .never, text.hasPrefix(" ") { text.removeFirst() }
            return text
        }
    }
}

/// BPE with an end-of-word suffix (`</w>`): the suffix becomes a space (nothing after the last token).
public struct BPEDecoder: TokenDecoder {
    public var suffix: String

    public init(suffix: String = "</w>") { self.suffix = suffix }

    public func decodeChain(_ tokens: [String]) -> [String] {
        tokens.enumerated().map { index, token in
            token.replacingOccurrences(of: suffix, with: index == tokens.count - 1 ? "" : " ")
        }
    }
}

/// Byte fallback: runs of `<0xXX>` tokens become the UTF-8 text they spell (U+FFFD for each byte of an invalid run).
public struct ByteFallbackDecoder: TokenDecoder {
    public init() {}

    public func decodeChain(_ tokens: [String]) -> [String] {
        var result: [String] = []
        var pending: [UInt8] = []
        func flush() {
            guard !pending.isEmpty else { return }
            if let text = String(validating: pending, as: UTF8.self) {
                result.append(text)
            } else {
                result.append(contentsOf: Array(repeating: "\u{FFFD}", count: pending.count))
            }
            pending.removeAll()
        }
        for token in tokens {
            if token.count == 6, token.hasPrefix("<0x"), token.hasSuffix(">"), let byte = UInt8(token.dropFirst(3).prefix(2), radix: 16) {
                pending.append(byte)
            } else {
                flush()
                result.append(token)
            }
        }
        flush()
        return result
    }
}

/// Fuse: all tokens joined into one.
public struct FuseDecoder: TokenDecoder {
    public init() {}
    public func decodeChain(_ tokens: [String]) -> [String] { [tokens.joined()] }
}

/// Strip: removes up to `start` leading and `stop` trailing occurrences of `content` from every token.
public struct StripDecoder: TokenDecoder {
    public var content: Character
    public var start: Int
    public var stop: Int

    public init(content: Character, start: Int, stop: Int) {
        self.content = content
        self.start = start
        self.stop = stop
    }

    public func decodeChain(_ tokens: [String]) -> [String] {
        tokens.map { token in
            var characters = Array(token)
            var removed = 0
            while removed < start, characters.first == content { characters.removeFirst(); removed += 1 }
            removed = 0
            while removed < stop, characters.last == content { characters.removeLast(); removed += 1 }
            return String(characters)
        }
    }
}

/// Replace: a pattern replaced in every token.
public struct ReplaceDecoder: TokenDecoder {
    public var replace: Replace

    public init(_ replace: Replace) { self.replace = replace }

    public func decodeChain(_ tokens: [String]) throws -> [String] {
        try tokens.map { token in
            var text = NormalizedText(Substring(token).unicodeScalars)
            try replace.normalize(&text)
            return text.string
        }
    }
}

/// Decoders applied one after another.
public struct DecoderSequence: TokenDecoder {
    public var decoders: [any TokenDecoder]

    public init(_ decoders: [any TokenDecoder]) { self.decoders = decoders }

    public func decodeChain(_ tokens: [String]) throws -> [String] {
        try decoders.reduce(tokens) { try $1.decodeChain($0) }
    }
}
