import Foundation

/// What a `Split` pre-tokenizer or a `Replace` normalizer looks for: a literal string, or a regular expression
/// (ICU syntax, which covers the Oniguruma patterns tokenizer files use: `\p{L}`, `\s`, look-ahead).
public enum TextPattern: Sendable {
    case string([Unicode.Scalar])
    case regex(RegexPattern)

    init(json: JSONValue?, component: String) throws {
        if let literal = json?["String"]?.stringValue {
            self = .string(Array(literal.unicodeScalars))
        } else if let expression = json?["Regex"]?.stringValue {
            self = .regex(try RegexPattern(expression, component: component))
        } else {
            throw TokenizerError.invalidField(component: component, field: "pattern", expected: #"{"String": …} or {"Regex": …}"#)
        }
    }

    /// Non-overlapping matches, left to right, as scalar ranges; empty matches are skipped.
    func matches(in scalars: [Unicode.Scalar]) -> [Range<Int>] {
        switch self {
        case let .string(needle):
            guard !needle.isEmpty, needle.count <= scalars.count else { return [] }
            var result: [Range<Int>] = []
            var index = 0
            while index + needle.count <= scalars.count {
                if scalars[index] == needle[0], scalars[index..<(index + needle.count)].elementsEqual(needle) {
                    result.append(index..<(index + needle.count))
                    index += needle.count
                } else {
                    index += 1
                }
            }
            return result
        case let .regex(regex):
            return regex.matches(in: scalars)
        }
    }
}

/// A compiled regular expression whose matches are reported in Unicode scalar positions.
public struct RegexPattern: @unchecked Sendable {
    // NSRegularExpression is immutable and documented as safe to use from several threads.
    let expression: NSRegularExpression
    public let source: String

    init(_ source: String, component: String) throws {
        do {
            expression = try NSRegularExpression(pattern: source, options: [])
        } catch {
            throw TokenizerError.invalidField(component: component, field: "pattern", expected: "a valid regular expression (got \(source))")
        }
        self.source = source
    }

    func matches(in scalars: [Unicode.Scalar]) -> [Range<Int>] {
        let string = String(String.UnicodeScalarView(scalars))
        let utf16 = string.utf16
        // UTF-16 offset of each scalar boundary, to map NSRange back to scalar indices.
        var scalarAtUTF16: [Int: Int] = [:]
        var offset = 0
        for (index, scalar) in scalars.enumerated() {
            scalarAtUTF16[offset] = index
            offset += scalar.utf16.count
        }
        scalarAtUTF16[offset] = scalars.count
        return expression.matches(in: string, range: NSRange(location: 0, length: utf16.count)).compactMap { match in
            guard match.range.length > 0, let start = scalarAtUTF16[match.range.location],
                  let end = scalarAtUTF16[match.range.location + match.range.length] else { return nil }
            return start..<end
        }
    }
}
