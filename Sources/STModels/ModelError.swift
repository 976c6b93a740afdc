import Foundation

/// Why a model could not be loaded or run. Every case says which file, key or input.
public enum ModelError: Error, CustomStringConvertible, Equatable {
    case unreadableConfig(path: String, reason: String)
    case unsupportedArchitecture(modelType: String, supported: [String])
    case unsupportedActivation(name: String, path: String)
    case missingWeight(key: String, file: String, tried: [String])
    case wrongShape(key: String, file: String, expected: [Int], actual: [Int])
    case invalidInput(String)

    public var description: String {
        switch self {
        case let .unreadableConfig(path, reason): return "cannot read model config \(path): \(reason)"
        case let .unsupportedArchitecture(modelType, supported):
            return "unsupported architecture '\(modelType)'; supported: \(supported.joined(separator: ", "))"
        case let .unsupportedActivation(name, path): return "unsupported activation '\(name)' in \(path)"
        case let .missingWeight(key, file, tried):
            return "weight '\(key)' not found in \(file) (tried: \(tried.joined(separator: ", ")))"
        case let .wrongShape(key, file, expected, actual):
            return "weight '\(key)' in \(file) has shape \(actual), expected \(expected)"
        case let .invalidInput(reason): return "invalid model input: \(reason)"
        }
    }
}

extension ModelError: LocalizedError {
    /// The message ``description`` gives, so that `localizedDescription` in a log line or an alert reads it too.
    public var errorDescription: String? { description }
}
