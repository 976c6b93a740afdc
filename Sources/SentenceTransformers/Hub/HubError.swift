import Foundation

/// Why a model could not be fetched from the Hugging Face Hub. Every case says which repository or file.
public enum HubError: Error, CustomStringConvertible, Equatable {
    case offline(repository: String, cache: String)
    case unauthorized(repository: String)
    case notFound(repository: String, revision: String)
    case http(url: String, status: Int)
    case network(url: String, reason: String)
    case checksumMismatch(file: String, expected: String, actual: String)
    case invalidResponse(url: String, reason: String)
    case noSafetensors(repository: String)

    public var description: String {
        switch self {
        case let .offline(repository, cache):
            return "\(repository) is not in the cache (\(cache)) and HF_HUB_OFFLINE is set: download it first with network access"
        case let .unauthorized(repository):
            return "\(repository) needs authentication (private or gated): set HF_TOKEN to a token with access"
        case let .notFound(repository, revision): return "\(repository) at revision '\(revision)' does not exist on the Hub"
        case let .http(url, status): return "HTTP \(status) from \(url)"
        case let .network(url, reason): return "cannot reach \(url): \(reason)"
        case let .checksumMismatch(file, expected, actual):
            return "download of \(file) is corrupt: sha256 \(actual), the Hub says \(expected); it was discarded"
        case let .invalidResponse(url, reason): return "unexpected answer from \(url): \(reason)"
        case let .noSafetensors(repository):
            return "\(repository) has no model.safetensors (only PyTorch pickle weights); convert them with the Python safetensors package"
        }
    }
}

extension HubError: LocalizedError {
    /// The message ``description`` gives, so that `localizedDescription` in a log line or an alert reads it too.
    public var errorDescription: String? { description }
}
