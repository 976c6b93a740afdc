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
    /// - Throws: ``TokenizerError/regexBudgetExceeded(pattern:textLength:)`` (regular expressions only).
    func matches(in scalars: [Unicode.Scalar]) throws -> [Range<Int>] {
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
            return try regex.matches(in: scalars)
        }
    }
}

/// A compiled regular expression whose matches are reported in Unicode scalar positions.
///
/// ICU's engine backtracks, so a pattern such as `(\w+\s?)+$` (from an untrusted tokenizer.json) takes exponential
/// time on some texts. Matching runs under a work budget that grows linearly with the text: ICU reports progress
/// once per start position it tries and once per ten thousand or so steps of matching, and past
/// ``budget(forUTF16Length:)`` reports the match stops with an error. The patterns tokenizers ship use a small
/// fraction of it (GPT-2's split pattern: 84 reports over 411,000 characters, all but a few from start positions).
///
/// Since the budget still lets a bad pattern spend about a millisecond per character, a pattern is also tried at
/// load on short texts built to make nested quantifiers backtrack (`aaa…a!`, runs of spaces, digits, accents): one
/// that runs out of budget there is refused with the file, not with the first long text.
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
        for probe in Self.probes {
            do {
                _ = try matches(in: probe)
            } catch {
                throw TokenizerError.invalidField(
                    component: component, field: "pattern",
                    expected: "a regular expression without catastrophic backtracking (\(source) takes exponential time on \"\(String(String.UnicodeScalarView(probe)).debugDescription.dropFirst().dropLast())\")")
            }
        }
    }

    /// Runs of one character class, then a character that makes the match fail at the very end.
    static let probes: [[Unicode.Scalar]] = {
        let runs = ["a", "1", " ", "\t", "\n", "!", "é", "a ", "a1", "ab ", "a\u{301}"]
        let endings = ["!", " ", "\u{1}", ""]
        return runs.flatMap { run in
            endings.map { ending in Array((String(repeating: run, count: 32 / run.unicodeScalars.count) + ending).unicodeScalars) }
        }
    }()

    /// The progress reports allowed for a text of `length` UTF-16 units: one per start position, twice over, and
    /// a fixed allowance for the step reports (about 10 ms of matching). Exponential patterns exhaust it within a
    /// few dozen characters; linear ones never come near it.
    static func budget(forUTF16Length length: Int) -> Int { 2 * (length + 1) + 64 }

    func matches(in scalars: [Unicode.Scalar]) throws -> [Range<Int>] {
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
        let budget = Self.budget(forUTF16Length: utf16.count)
        var reports = 0
        var result: [Range<Int>] = []
        expression.enumerateMatches(in: string, options: [.reportProgress], range: NSRange(location: 0, length: utf16.count)) { match, _, stop in
            guard let match else {
                reports += 1
                if reports > budget { stop.pointee = true }
                return
            }
            guard match.range.length > 0, let start = scalarAtUTF16[match.range.location],
                  let end = scalarAtUTF16[match.range.location + match.range.length] else { return }
            result.append(start..<end)
        }
        guard reports <= budget else { throw TokenizerError.regexBudgetExceeded(pattern: source, textLength: scalars.count) }
        return result
    }
}
