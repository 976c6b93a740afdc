import Foundation

/// The learning rate at each optimizer step, as `transformers.get_scheduler` computes it: a linear warm-up over the
/// first `warmupSteps`, then constant, linear decay to zero, or a half-cosine decay to zero at `totalSteps`.
///
/// ```swift
/// let schedule = LearningRateSchedule(kind: .linear, peak: 2e-5, warmupSteps: 36, totalSteps: 360)
/// schedule.learningRate(atStep: 0)   // 0, as the HF scheduler starts
/// ```
public struct LearningRateSchedule: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case constant
        case constantWithWarmup = "constant_with_warmup"
        case linear
        case cosine
    }

    public var kind: Kind
    public var peak: Double
    public var warmupSteps: Int
    public var totalSteps: Int

    public init(kind: Kind = .linear, peak: Double, warmupSteps: Int, totalSteps: Int) {
        self.kind = kind
        self.peak = peak
        self.warmupSteps = warmupSteps
        self.totalSteps = totalSteps
    }

    /// Warm-up steps from a ratio, rounded up as the HF Trainer does.
    public static func warmupSteps(ratio: Double, totalSteps: Int) -> Int { Int((Double(totalSteps) * ratio).rounded(.up)) }

    /// The learning rate used by the update of step `step` (0-based).
    public func learningRate(atStep step: Int) -> Double {
        if kind == .constant { return peak }
        if step < warmupSteps { return peak * Double(step) / Double(max(1, warmupSteps)) }
        let remaining = Double(max(1, totalSteps - warmupSteps))
        let progress = Double(step - warmupSteps) / remaining
        switch kind {
        case .constant, .constantWithWarmup: return peak
        case .linear: return peak * max(0, Double(totalSteps - step) / remaining)
        case .cosine: return peak * max(0, 0.5 * (1 + cos(Double.pi * progress)))
        }
    }
}
