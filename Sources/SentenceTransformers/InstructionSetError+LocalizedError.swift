import Foundation
import STKernels

// The kernels target does not import Foundation; the conformance lives with the library that surfaces the error.
extension InstructionSetError: LocalizedError {
    /// The message ``description`` gives, so that `localizedDescription` in a log line or an alert reads it too.
    public var errorDescription: String? { description }
}
