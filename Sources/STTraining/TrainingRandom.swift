import SentenceTransformers

/// The trainer's seeded random number generator (SplitMix64): one `UInt64` of state, so that a checkpoint records
/// it exactly and a resumed run draws the same dropout masks and batch orders as an uninterrupted one.
public struct TrainingRandom: RandomNumberGenerator, Sendable, Codable, Equatable {
    private var generator: SplitMix64

    public init(seed: UInt64) { generator = SplitMix64(seed: seed) }

    public mutating func next() -> UInt64 { generator.next() }

    /// A uniform value in [0, 1) with 24 random bits.
    public mutating func nextUnit() -> Float { Float(next() >> 40) * (1.0 / 16_777_216.0) }

    /// Fills `mask[0..<count]` with inverted-dropout factors: 0 with probability `p`, else `1 / (1 − p)`.
    public mutating func fillDropoutMask(_ mask: UnsafeMutablePointer<Float>, count: Int, probability p: Float) {
        let kept = 1 / (1 - p)
        for i in 0..<count { mask[i] = nextUnit() < p ? 0 : kept }
    }
}
