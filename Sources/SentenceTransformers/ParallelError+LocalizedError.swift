import Foundation
import STKernels

// The kernels target does not import Foundation; the conformance lives with the library that surfaces the error.
extension ParallelError: LocalizedError {
    /// The message ``description`` gives.
    public var errorDescription: String? { description }
}
