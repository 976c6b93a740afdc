/// Splits on punctuation (`"type": "Punctuation"`, `behavior` default Isolated).
public struct Punctuation: PreTokenizer {
    public var behavior: SplitBehavior

    public init(behavior: SplitBehavior = .isolated) { self.behavior = behavior }

    init(json: JSONValue) throws {
        self.init(behavior: json["behavior"] == nil ? .isolated : try SplitBehavior.parse(json["behavior"], component: "Punctuation"))
    }

    public func split(_ text: NormalizedText) -> [NormalizedText] {
        let matches = text.scalars.indices.filter { text.scalars[$0].isTokenizerPunctuation }.map { $0..<($0 + 1) }
        return behavior.split(text, spans: SplitBehavior.spans(count: text.count, matches: matches))
    }
}

/// Splits digits from the rest (`"type": "Digits"`): each digit alone with `individual_digits`, else runs of digits.
public struct Digits: PreTokenizer {
    public var individualDigits: Bool

    public init(individualDigits: Bool = false) { self.individualDigits = individualDigits }

    init(json: JSONValue) throws {
        self.init(individualDigits: try ComponentFields(component: "Digits", json: json).bool("individual_digits", default: false))
    }

    public func split(_ text: NormalizedText) -> [NormalizedText] {
        let isDigit: (Unicode.Scalar) -> Bool = { $0.properties.numericType == .decimal }
        var matches: [Range<Int>] = []
        var index = 0
        while index < text.count {
            guard isDigit(text.scalars[index]) else { index += 1; continue }
            var end = index + 1
            if !individualDigits { while end < text.count, isDigit(text.scalars[end]) { end += 1 } }
            matches.append(index..<end)
            index = end
        }
        let behavior: SplitBehavior = individualDigits ? .isolated : .contiguous
        return behavior.split(text, spans: SplitBehavior.spans(count: text.count, matches: matches))
    }
}

/// Splits on a pattern, a string or a regular expression (`"type": "Split"`), with a ``SplitBehavior`` and
/// optionally `invert` (the pattern then describes the pieces to keep).
public struct Split: PreTokenizer {
    public var pattern: TextPattern
    public var behavior: SplitBehavior
    public var invert: Bool

    public init(pattern: TextPattern, behavior: SplitBehavior, invert: Bool = false) {
        self.pattern = pattern
        self.behavior = behavior
        self.invert = invert
    }

    init(json: JSONValue) throws {
        self.init(
            pattern: try TextPattern(json: json["pattern"], component: "Split"),
            behavior: try SplitBehavior.parse(json["behavior"], component: "Split"),
            invert: try ComponentFields(component: "Split", json: json).bool("invert", default: false))
    }

    public func split(_ text: NormalizedText) throws -> [NormalizedText] {
        behavior.split(text, spans: SplitBehavior.spans(count: text.count, matches: try pattern.matches(in: text.scalars), invert: invert))
    }
}

/// Splits on one character, which is dropped (`"type": "CharDelimiterSplit"`).
public struct CharDelimiterSplit: PreTokenizer {
    public var delimiter: Unicode.Scalar

    public init(delimiter: Unicode.Scalar) { self.delimiter = delimiter }

    init(json: JSONValue) throws {
        let text = try ComponentFields(component: "CharDelimiterSplit", json: json).string("delimiter")
        guard text.unicodeScalars.count == 1, let delimiter = text.unicodeScalars.first else {
            throw TokenizerError.invalidField(component: "CharDelimiterSplit", field: "delimiter", expected: "a single character")
        }
        self.init(delimiter: delimiter)
    }

    public func split(_ text: NormalizedText) -> [NormalizedText] {
        let matches = text.scalars.indices.filter { text.scalars[$0] == delimiter }.map { $0..<($0 + 1) }
        return SplitBehavior.removed.split(text, spans: SplitBehavior.spans(count: text.count, matches: matches))
    }
}
