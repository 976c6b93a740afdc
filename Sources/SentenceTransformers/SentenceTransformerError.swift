import Foundation

/// Why a Sentence Transformers model could not be loaded or used. Every case says what and where.
public enum SentenceTransformerError: Error, CustomStringConvertible, Equatable {
    case modelNotFound(name: String, searched: [String])
    case missingFile(path: String)
    case unreadableFile(path: String, reason: String)
    case unsupportedModule(type: String, path: String)
    case invalidConfig(path: String, reason: String)
    case unknownPromptName(String, available: [String])
    case invalidArgument(String)
    /// The model produced NaN or an infinity for an input: its weights or config are broken (never a silent `null`).
    case nonFiniteEmbedding(input: Int, text: String?)
    /// The tokenizer could not process input `input` (e.g. one of its regular expressions ran over its budget).
    case untokenizableInput(input: Int, text: String, reason: String)

    public var description: String {
        switch self {
        case let .modelNotFound(name, searched):
            return "model '\(name)' not found; looked in: \(searched.joined(separator: ", ")). "
                + "Pass a model directory, or put the model in the Hugging Face cache (scripts/setup.sh does this for the default model)"
        case let .missingFile(path): return "missing file \(path)"
        case let .unreadableFile(path, reason): return "cannot read \(path): \(reason)"
        case let .unsupportedModule(type, path): return "unsupported module type '\(type)' in \(path)"
        case let .invalidConfig(path, reason): return "invalid config \(path): \(reason)"
        case let .unknownPromptName(name, available):
            return "prompt name '\(name)' is not defined by the model (available: \(available.isEmpty ? "none" : available.joined(separator: ", ")))"
        case let .invalidArgument(reason): return reason
        case let .nonFiniteEmbedding(input, text):
            let shown = text.map { " (\(Self.excerpt($0)))" } ?? ""
            return "the model produced a NaN or infinite value for input \(input)\(shown): its weights or config (e.g. layer_norm_eps) are broken"
        case let .untokenizableInput(input, text, reason):
            return "cannot tokenize input \(input) (\(Self.excerpt(text))): \(reason)"
        }
    }

    /// A text as error messages show it: quoted, cut after 60 characters.
    static func excerpt(_ text: String) -> String { "\"\(text.count > 60 ? String(text.prefix(60)) + "…" : text)\"" }
}

extension SentenceTransformerError: LocalizedError {
    /// The message ``description`` gives, so that `localizedDescription` in a log line or an alert reads it too.
    public var errorDescription: String? { description }
}
