import Foundation
import STKernels

/// Adam with decoupled weight decay, computed as `torch.optim.AdamW` computes it:
/// `p ← p·(1 − lr·λ)`, `m ← β₁m + (1 − β₁)g`, `v ← β₂v + (1 − β₂)g²`,
/// `p ← p − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)`.
///
/// Weight decay goes to the parameters whose ``ParameterSet/Entry/decays`` is true (the HF Trainer's grouping: not to
/// biases and LayerNorm weights), or to all of them with `decayEverything` (one parameter group, as a bare
/// `torch.optim.AdamW(model.parameters())`). Defaults are the HF Trainer's: `betas (0.9, 0.999)`, `epsilon 1e-8`,
/// `weightDecay 0.01` as sentence-transformers' examples set it.
///
/// ```swift
/// let optimizer = AdamW(parameters: model.parameters, weightDecay: 0.01)
/// optimizer.step(learningRate: 2e-5)
/// ```
public final class AdamW: @unchecked Sendable {
    public let parameters: ParameterSet
    public let beta1: Double, beta2: Double, epsilon: Double, weightDecay: Double
    public let decayEverything: Bool
    /// The first and second moment estimates `[count]`.
    public let firstMoment: UnsafeMutablePointer<Float>
    public let secondMoment: UnsafeMutablePointer<Float>
    /// Steps taken so far.
    public internal(set) var stepCount = 0
    private let decayMask: [Bool]

    public init(parameters: ParameterSet, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8,
                weightDecay: Double = 0.01, decayEverything: Bool = false) {
        self.parameters = parameters
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.decayEverything = decayEverything
        firstMoment = .allocate(capacity: max(1, parameters.count))
        firstMoment.initialize(repeating: 0, count: max(1, parameters.count))
        secondMoment = .allocate(capacity: max(1, parameters.count))
        secondMoment.initialize(repeating: 0, count: max(1, parameters.count))
        decayMask = parameters.entries.map { decayEverything || $0.decays }
    }

    deinit {
        firstMoment.deallocate()
        secondMoment.deallocate()
    }

    /// Applies one update with the current gradients.
    public func step(learningRate: Double) {
        stepCount += 1
        let t = Double(stepCount)
        let stepSize = Float(learningRate / (1 - pow(beta1, t)))
        let correction2 = Float((1 - pow(beta2, t)).squareRoot())
        let b1 = Float(beta1), b2 = Float(beta2), eps = Float(epsilon)
        let p = parameters.values, g = parameters.gradients, m = firstMoment, v = secondMoment
        for (entry, decays) in zip(parameters.entries, decayMask) {
            let shrink = decays ? Float(1 - learningRate * weightDecay) : 1
            let range = entry.offset..<(entry.offset + entry.count)
            // Element-wise and independent, so chunks may run on any worker.
            Self.parallelRange(range) { chunk in
                for i in chunk {
                    p[i] *= shrink
                    m[i] = b1 * m[i] + (1 - b1) * g[i]
                    v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i]
                    p[i] -= stepSize * m[i] / (v[i].squareRoot() / correction2 + eps)
                }
            }
        }
    }

    private static func parallelRange(_ range: Range<Int>, _ body: (Range<Int>) -> Void) {
        Parallel.forEachChunk(count: range.count, minimumChunk: 65_536) { chunk in
            body((range.lowerBound + chunk.lowerBound)..<(range.lowerBound + chunk.upperBound))
        }
    }
}
