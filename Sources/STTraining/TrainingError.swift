import Foundation

/// Errors of training: bad data, unsupported models, unreadable checkpoints.
public enum TrainingError: Error, CustomStringConvertible, Equatable {
    case unsupported(String)
    case invalidInput(String)
    case invalidData(file: String, line: Int?, reason: String)
    case invalidCheckpoint(path: String, reason: String)
    case invalidArgument(String)

    public var description: String {
        switch self {
        case .unsupported(let reason): return "unsupported: \(reason)"
        case .invalidInput(let reason): return "invalid input: \(reason)"
        case .invalidData(let file, let line, let reason):
            return "\(file)\(line.map { ":\($0)" } ?? ""): \(reason)"
        case .invalidCheckpoint(let path, let reason): return "checkpoint \(path): \(reason)"
        case .invalidArgument(let reason): return "invalid argument: \(reason)"
        }
    }
}

extension TrainingError: LocalizedError {
    /// The message ``description`` gives, so that `localizedDescription` in a log line or an alert reads it too.
    public var errorDescription: String? { description }
}
