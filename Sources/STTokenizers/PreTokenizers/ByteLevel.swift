/// Byte-level pre-tokenization (`"type": "ByteLevel"`), as GPT-2 and RoBERTa do it: optionally a space before the
/// text, the GPT-2 split (`'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`), then every
/// UTF-8 byte written as one printable character (``ByteLevelAlphabet``); all bytes of a character keep its offsets.
///
/// `"Hello world"` → `Hello`, `Ġworld`.
public struct ByteLevel: PreTokenizer {
    public var addPrefixSpace: Bool
    public var useRegex: Bool

    public init(addPrefixSpace: Bool = true, useRegex: Bool = true) {
        self.addPrefixSpace = addPrefixSpace
        self.useRegex = useRegex
    }

    init(json: JSONValue) throws {
        let fields = ComponentFields(component: "ByteLevel", json: json)
        self.init(addPrefixSpace: try fields.bool("add_prefix_space", default: true), useRegex: try fields.bool("use_regex", default: true))
    }

    public func split(_ text: NormalizedText) -> [NormalizedText] {
        var text = text
        if addPrefixSpace, let first = text.scalars.first, first != " " { text.prepend([" "]) }
        let pieces = useRegex
            ? SplitBehavior.isolated.split(text, spans: SplitBehavior.spans(count: text.count, matches: Self.gpt2Matches(text.scalars)))
            : (text.isEmpty ? [] : [text])
        return pieces.map(Self.toBytes)
    }

    /// Each scalar replaced by the alphabet characters of its UTF-8 bytes.
    static func toBytes(_ text: NormalizedText) -> NormalizedText {
        var scalars: [Unicode.Scalar] = []
        var origins: [Int] = []
        scalars.reserveCapacity(text.count)
        origins.reserveCapacity(text.count)
        for (scalar, origin) in zip(text.scalars, text.origins) {
            for byte in String(scalar).utf8 {
                scalars.append(ByteLevelAlphabet.characterForByte[Int(byte)])
                origins.append(origin)
            }
        }
        return NormalizedText(scalars: scalars, origins: origins)
    }

    /// The GPT-2 pattern's matches, left to right; at each position the first alternative that matches wins,
    /// as in a backtracking regex engine.
    static func gpt2Matches(_ s: [Unicode.Scalar]) -> [Range<Int>] {
        var matches: [Range<Int>] = []
        var i = 0
        func run(from start: Int, while predicate: (Unicode.Scalar) -> Bool) -> Int {
            var end = start
            while end < s.count, predicate(s[end]) { end += 1 }
            return end
        }
        let isOther: (Unicode.Scalar) -> Bool = { !$0.isTokenizerWhitespace && !$0.isLetter && !$0.isNumber }
        while i < s.count {
            var end = i
            if s[i] == "'", i + 1 < s.count {
                let next = s[i + 1]
                if next == "s" || next == "t" || next == "m" || next == "d" {
                    end = i + 2
                } else if i + 2 < s.count, (next == "r" && s[i + 2] == "e") || (next == "v" && s[i + 2] == "e") || (next == "l" && s[i + 2] == "l") {
                    end = i + 3
                }
            }
            if end == i {
                let afterSpace = s[i] == " " && i + 1 < s.count ? i + 1 : i
                for predicate in [{ (c: Unicode.Scalar) in c.isLetter }, { (c: Unicode.Scalar) in c.isNumber }, isOther] {
                    if predicate(s[afterSpace]) {
                        end = run(from: afterSpace, while: predicate)
                        break
                    }
                }
            }
            if end == i, s[i].isTokenizerWhitespace {
                let whitespaceEnd = run(from: i, while: \.isTokenizerWhitespace)
                // \s+(?!\S): leave the last space to the next token when a non-space follows.
                end = whitespaceEnd < s.count && whitespaceEnd - i > 1 ? whitespaceEnd - 1 : whitespaceEnd
            }
            if end == i { end = i + 1 }
            matches.append(i..<end)
            i = end
        }
        return matches
    }
}
