/// What a splitting pre-tokenizer does with the parts of the text its pattern matches (`"behavior"`).
public enum SplitBehavior: String, Sendable {
    /// Matches are dropped.
    case removed = "Removed"
    /// Each match is a piece of its own.
    case isolated = "Isolated"
    /// A match is glued to the end of the piece before it.
    case mergedWithPrevious = "MergedWithPrevious"
    /// A match is glued to the start of the piece after it.
    case mergedWithNext = "MergedWithNext"
    /// Consecutive matches form one piece.
    case contiguous = "Contiguous"

    /// Splits `text` given `spans`: consecutive ranges covering every scalar, each flagged as a match or not.
    /// Empty pieces are dropped.
    func split(_ text: NormalizedText, spans: [(range: Range<Int>, isMatch: Bool)]) -> [NormalizedText] {
        var pieces: [Range<Int>] = []
        switch self {
        case .removed:
            pieces = spans.filter { !$0.isMatch }.map(\.range)
        case .isolated:
            pieces = spans.map(\.range)
        case .contiguous:
            var previousWasMatch = false
            for span in spans {
                if span.isMatch, previousWasMatch, let last = pieces.popLast() {
                    pieces.append(last.lowerBound..<span.range.upperBound)
                } else {
                    pieces.append(span.range)
                }
                previousWasMatch = span.isMatch
            }
        case .mergedWithPrevious:
            var previousWasMatch = false
            for span in spans {
                if span.isMatch, !previousWasMatch, let last = pieces.popLast() {
                    pieces.append(last.lowerBound..<span.range.upperBound)
                } else {
                    pieces.append(span.range)
                }
                previousWasMatch = span.isMatch
            }
        case .mergedWithNext:
            var previousWasMatch = false
            for span in spans {
                if !span.isMatch, previousWasMatch, let last = pieces.popLast() {
                    pieces.append(last.lowerBound..<span.range.upperBound)
                } else {
                    pieces.append(span.range)
                }
                previousWasMatch = span.isMatch
            }
        }
        return pieces.filter { !$0.isEmpty }.map { text.slice($0) }
    }

    /// Spans of a text of `count` scalars where `matches` are the matched ranges (sorted, disjoint).
    static func spans(count: Int, matches: [Range<Int>], invert: Bool = false) -> [(range: Range<Int>, isMatch: Bool)] {
        var spans: [(range: Range<Int>, isMatch: Bool)] = []
        var position = 0
        for match in matches {
            if position < match.lowerBound { spans.append((position..<match.lowerBound, invert)) }
            spans.append((match, !invert))
            position = match.upperBound
        }
        if position < count { spans.append((position..<count, invert)) }
        return spans
    }

    static func parse(_ json: JSONValue?, component: String) throws -> SplitBehavior {
        guard let name = json?.stringValue, let behavior = SplitBehavior(rawValue: name) else {
            throw TokenizerError.invalidField(component: component, field: "behavior",
                                              expected: "one of Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous")
        }
        return behavior
    }
}
