import CSTKernels
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Activation {
    /// Accumulates `dInput[i] += dOutput[i] · f′(input[i])`, where `input` is the pre-activation the forward pass saw.
    public func backward(dInput: UnsafeMutablePointer<Float>, dOutput: UnsafePointer<Float>, input: UnsafePointer<Float>,
                         count: Int) {
        Parallel.forEachChunk(count: count, minimumChunk: 4096) { range in
            if self == .gelu {
                st_gelu_backward(dInput + range.lowerBound, dOutput + range.lowerBound, input + range.lowerBound, range.count)
            } else if let kind = self.kernelKind {
                st_activate_backward(dInput + range.lowerBound, dOutput + range.lowerBound, input + range.lowerBound,
                                     range.count, kind)
            } else {
                for i in range { dInput[i] += dOutput[i] * self.derivative(input[i]) }
            }
        }
    }

    /// The derivative of the activation at `x`.
    public func derivative(_ x: Float) -> Float {
        switch self {
        case .gelu:
            return 0.5 * (1 + erff(x * 0.70710678118654752440)) + x * 0.39894228040143267794 * expf(-0.5 * x * x)
        case .geluTanh:
            let inner: Float = 0.7978845608028654 * (x + 0.044715 * x * x * x)
            let t = tanhf(inner)
            return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * 0.7978845608028654 * (1 + 3 * 0.044715 * x * x)
        case .relu: return x > 0 ? 1 : 0
        case .tanh:
            let t = tanhf(x)
            return 1 - t * t
        case .sigmoid:
            let s = 1 / (1 + expf(-x))
            return s * (1 - s)
        case .silu:
            let s = 1 / (1 + expf(-x))
            return s * (1 + x * (1 - s))
        case .identity: return 1
        }
    }
}
