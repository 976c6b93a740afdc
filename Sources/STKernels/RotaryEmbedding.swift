import CSTKernels
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Rotary position embeddings in the rotate-half form (GPT-NeoX, Llama, Qwen, Gemma, ModernBERT): the pair
/// `(x[d], x[d + D/2])` of each head is rotated by `position · θ^(−2d/D)`.
///
/// The frequencies and angles follow transformers' default RoPE: `inv_freq = 1 / θ^(2d/D)` and
/// `angle = position · inv_freq` in `Float`, then `cos`/`sin` of that `Float` angle.
public struct RotaryEmbedding: Sendable, Equatable {
    public let headDim: Int
    public let theta: Double
    /// `[headDim / 2]`.
    public let inverseFrequencies: [Float]

    public init(headDim: Int, theta: Double) {
        self.headDim = headDim
        self.theta = theta
        let half = headDim / 2
        inverseFrequencies = (0..<half).map { d in Float(1 / pow(theta, Double(2 * d) / Double(headDim))) }
    }

    /// `[length, headDim / 2]` cosines and sines for positions `0..<length`.
    public func table(length: Int) -> (cos: [Float], sin: [Float]) {
        let half = headDim / 2
        var cosines = [Float](repeating: 0, count: length * half), sines = cosines
        for position in 0..<length {
            for d in 0..<half {
                let angle = Float(position) * inverseFrequencies[d]
                cosines[position * half + d] = Float(cos(Double(angle)))
                sines[position * half + d] = Float(sin(Double(angle)))
            }
        }
        return (cosines, sines)
    }

    /// Rotates, in place, `heads` heads starting at column `offset` of every row of `x` (row stride `stride`); the
    /// rows of each sequence take positions `0, 1, …`. With `inverse`, rotates back (the backward pass: a rotation's
    /// transpose is its inverse). Each row's heads run the vectorized C kernel `st_rope`; ``applyReference`` is its
    /// naive twin.
    ///
    /// - Parameters:
    ///   - table: from ``table(length:)`` for at least the longest sequence.
    public func apply(_ x: UnsafeMutablePointer<Float>, stride: Int, offset: Int, heads: Int, sequences: [Range<Int>],
                      table: (cos: [Float], sin: [Float]), inverse: Bool = false) {
        let half = headDim / 2
        let sign: Float = inverse ? -1 : 1
        table.cos.withUnsafeBufferPointer { cosines in
            table.sin.withUnsafeBufferPointer { sines in
                guard let cosines = cosines.baseAddress, let sines = sines.baseAddress else { return }
                Parallel.forEachChunk(count: sequences.count, minimumChunk: 1) { range in
                    for sequence in sequences[range] {
                        for (position, row) in sequence.enumerated() {
                            st_rope(x + row * stride + offset, heads, headDim, cosines + position * half,
                                    sines + position * half, sign)
                        }
                    }
                }
            }
        }
    }

    /// Naive twin of ``apply(_:stride:offset:heads:sequences:table:inverse:)``: the angles recomputed in `Double` from
    /// ``inverseFrequencies``.
    public func applyReference(_ x: UnsafeMutablePointer<Float>, stride: Int, offset: Int, heads: Int, sequences: [Range<Int>],
                               inverse: Bool = false) {
        let half = headDim / 2
        let sign: Double = inverse ? -1 : 1
        for sequence in sequences {
            for (position, row) in sequence.enumerated() {
                for head in 0..<heads {
                    let v = x + row * stride + offset + head * headDim
                    for d in 0..<half {
                        let angle = Double(Float(position) * inverseFrequencies[d])
                        let a = Double(v[d]), b = Double(v[d + half])
                        v[d] = Float(a * cos(angle) - sign * b * sin(angle))
                        v[d + half] = Float(b * cos(angle) + sign * a * sin(angle))
                    }
                }
            }
        }
    }
}
