import Foundation

/// Why a safetensors file could not be read. Every case names the file.
public enum SafeTensorsError: Error, CustomStringConvertible, Equatable {
    case cannotOpen(file: String, reason: String)
    case truncated(file: String, reason: String)
    case invalidHeader(file: String, reason: String)
    case invalidTensor(file: String, tensor: String, reason: String)
    case missingTensor(file: String, tensor: String)
    case unsupportedDType(file: String, tensor: String, dtype: String)

    public var description: String {
        switch self {
        case let .cannotOpen(file, reason): return "cannot open safetensors file \(file): \(reason)"
        case let .truncated(file, reason): return "safetensors file \(file) is truncated: \(reason)"
        case let .invalidHeader(file, reason): return "safetensors file \(file) has an invalid header: \(reason)"
        case let .invalidTensor(file, tensor, reason): return "tensor '\(tensor)' in \(file) is invalid: \(reason)"
        case let .missingTensor(file, tensor): return "tensor '\(tensor)' not found in \(file)"
        case let .unsupportedDType(file, tensor, dtype):
            return "tensor '\(tensor)' in \(file) has dtype \(dtype); only F32, F16, BF16 and F64 convert to Float"
        }
    }
}

extension SafeTensorsError: LocalizedError {
    /// The message ``description`` gives, so that `localizedDescription` in a log line or an alert reads it too.
    public var errorDescription: String? { description }
}
