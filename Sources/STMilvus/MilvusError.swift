import Foundation

/// Errors of ``MilvusClient`` and ``MilvusVectorStore``. Each names the operation, and for answers of the server its
/// error code and message as the server gave them.
public enum MilvusError: Error, Equatable, CustomStringConvertible {
    /// The server answered with a failure status: `code` is Milvus's error code (2.3+: `Status.code`, e.g. 100 for
    /// a collection that does not exist, 1100 for an invalid parameter), `legacyCode` the older `ErrorCode` enum.
    case server(operation: String, code: Int, legacyCode: Int, message: String)
    /// The call failed below Milvus: the server could not be reached (after every retry), the deadline passed,
    /// or the connection broke. `status` is the gRPC status code's name (`unavailable`, `deadlineExceeded`, …).
    case transport(operation: String, status: String, message: String)
    /// The caller's input cannot be sent: a bad field name, a column of the wrong length or type, a value too long.
    case invalidArgument(String)
    /// The collection exists but its schema does not fit the use: another dimension, a missing field.
    case schemaMismatch(collection: String, reason: String)
    /// The server's answer does not have the shape the request implies (missing fields, wrong lengths).
    case unexpectedResponse(operation: String, reason: String)

    public var description: String {
        switch self {
        case let .server(operation, code, legacyCode, message):
            return "Milvus \(operation) failed: error code \(code)\(legacyCode != 0 ? " (legacy \(legacyCode))" : ""): \(message)"
        case let .transport(operation, status, message):
            return "Milvus \(operation) failed: gRPC \(status): \(message)"
        case let .invalidArgument(message):
            return "Milvus: \(message)"
        case let .schemaMismatch(collection, reason):
            return "Milvus collection \(collection) does not fit: \(reason)"
        case let .unexpectedResponse(operation, reason):
            return "Milvus \(operation): unexpected answer: \(reason)"
        }
    }
}

extension MilvusError: LocalizedError {
    /// The message ``description`` gives, so that `localizedDescription` in a log line or an alert reads it too.
    public var errorDescription: String? { description }
}
