import Foundation

/// Why a tokenizer could not be loaded or could not encode. Every case says which stage or file.
public enum TokenizerError: Error, CustomStringConvertible, Equatable {
    /// A file could not be read or parsed.
    case unreadableFile(path: String, reason: String)
    /// A pipeline stage names a `"type"` this library does not implement.
    case unknownComponentType(stage: String, type: String)
    /// A component is missing a field, or the field has the wrong JSON type.
    case invalidField(component: String, field: String, expected: String)
    /// A component refers to a token that is not in the vocabulary.
    case unknownToken(component: String, token: String)
    /// Input text that cannot be encoded (for example, not valid UTF-8).
    case invalidInput(String)
    /// A regular expression from the tokenizer file backtracked past its work budget on a text of `textLength`
    /// scalars (see ``RegexPattern``).
    case regexBudgetExceeded(pattern: String, textLength: Int)

    public var description: String {
        switch self {
        case let .unreadableFile(path, reason): return "cannot read tokenizer file \(path): \(reason)"
        case let .unknownComponentType(stage, type): return "unsupported \(stage) type '\(type)' in tokenizer.json"
        case let .invalidField(component, field, expected): return "\(component): field '\(field)' must be \(expected)"
        case let .unknownToken(component, token): return "\(component): token '\(token)' is not in the vocabulary"
        case let .invalidInput(reason): return "invalid tokenizer input: \(reason)"
        case let .regexBudgetExceeded(pattern, length):
            return "the tokenizer's regular expression \(pattern) backtracks without bound on a text of \(length) characters; "
                + "fix the pattern in tokenizer.json (it would take exponential time)"
        }
    }
}

extension TokenizerError: LocalizedError {
    /// The message ``description`` gives, so that `localizedDescription` in a log line or an alert reads it too.
    public var errorDescription: String? { description }
}
