import CSTKernels
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Element-wise activation functions, by the names Hugging Face configs and PyTorch modules use.
public enum Activation: String, Sendable, CaseIterable {
    /// Exact GELU, `0.5·x·(1 + erf(x/√2))` (HF `"gelu"`).
    case gelu
    /// Tanh-approximated GELU (HF `"gelu_new"`, `"gelu_pytorch_tanh"`).
    case geluTanh
    case relu
    case tanh
    case sigmoid
    /// `x·sigmoid(x)` (HF `"silu"`, `"swish"`: Llama, Qwen).
    case silu
    case identity

    /// The activation a Hugging Face config names (`hidden_act`, `hidden_activation`), or nil.
    public init?(configName name: String) {
        switch name {
        case "gelu": self = .gelu
        case "gelu_new", "gelu_pytorch_tanh", "gelu_fast": self = .geluTanh
        case "relu": self = .relu
        case "tanh": self = .tanh
        case "sigmoid": self = .sigmoid
        case "silu", "swish": self = .silu
        case "linear", "identity": self = .identity
        default: return nil
        }
    }

    /// Applies the activation to `count` values in place, over the workers unless `parallel` is false (a caller
    /// that already runs on one).
    public func apply(_ x: UnsafeMutablePointer<Float>, count: Int, parallel: Bool = true) {
        let body = { (range: Range<Int>) in
            if self == .gelu {
                st_gelu(x + range.lowerBound, range.count)
            } else if let kind = self.kernelKind {
                st_activate(x + range.lowerBound, range.count, kind)
            } else {
                for i in range { x[i] = self.value(x[i]) }
            }
        }
        if parallel { Parallel.forEachChunk(count: count, minimumChunk: 4096, body) } else { body(0..<count) }
    }

    /// The `ST_ACTIVATION_*` kind of the vectorized C kernels (`st_activate`, `st_gated`), or nil for the activations
    /// that run as a Swift loop over ``value(_:)``.
    var kernelKind: Int32? {
        switch self {
        case .gelu: return Int32(ST_ACTIVATION_GELU)
        case .geluTanh: return Int32(ST_ACTIVATION_GELU_TANH)
        case .silu: return Int32(ST_ACTIVATION_SILU)
        case .relu, .tanh, .sigmoid, .identity: return nil
        }
    }

    /// The activation of one value.
    @inlinable
    public func value(_ x: Float) -> Float {
        switch self {
        case .gelu: return 0.5 * x * (1 + erff(x * 0.70710678118654752440))
        case .geluTanh:
            let inner: Float = 0.7978845608028654 * (x + 0.044715 * x * x * x)
            return 0.5 * x * (1 + tanhf(inner))
        case .relu: return max(0, x)
        case .tanh: return tanhf(x)
        case .sigmoid: return 1 / (1 + expf(-x))
        case .silu: return x / (1 + expf(-x))
        case .identity: return x
        }
    }

    /// Naive twin of ``value(_:)`` in `Double`.
    public func referenceValue(_ x: Double) -> Double {
        switch self {
        case .gelu: return 0.5 * x * (1 + erf(x / 2.0.squareRoot()))
        case .geluTanh: return 0.5 * x * (1 + hyperbolicTangent(0.7978845608028654 * (x + 0.044715 * x * x * x)))
        case .relu: return max(0, x)
        case .tanh: return hyperbolicTangent(x)
        case .sigmoid: return 1 / (1 + exp(-x))
        case .silu: return x / (1 + exp(-x))
        case .identity: return x
        }
    }
}

/// libm's `tanh`, reachable inside ``Activation`` whose `.tanh` case shadows the name.
@inline(__always) private func hyperbolicTangent(_ x: Double) -> Double { tanh(x) }
