import Foundation

/// CoSENT's ranking objective on an angle similarity: each embedding is read as a complex vector (first half real,
/// second half imaginary) and pairs are scored by the normalized angle difference in complex space, which keeps a
/// gradient where cosine saturates. `loss = log(1 + Σ_{label_i < label_j} exp(s_i − s_j))`, `s = scale · angle(u, v)`.
///
/// | Inputs | Labels |
/// |---|---|
/// | (sentence A, sentence B) pairs | a float similarity score |
///
/// Defaults: `scale = 20`. Reference: Li & Li, *AnglE-optimized Text Embeddings* (arXiv:2309.12871).
public struct AnglELoss: SentenceLoss {
    public var scale: Double

    public init(scale: Double = 20) { self.scale = scale }

    public var name: String { "AnglELoss" }
    public var parameters: [String: String] { ["scale": "\(scale)", "similarity_fct": "pairwise_angle_sim"] }

    public func compute(_ input: LossInput) throws -> LossOutput {
        try require(input, columns: 2...2, labels: true)
        guard input.dimension % 2 == 0 else { throw TrainingError.invalidInput("AnglELoss needs an even embedding dimension") }
        let n = input.rows, d = input.dimension
        let u = LossMath.toDouble(input.columns[0]), v = LossMath.toDouble(input.columns[1])
        let scores = (0..<n).map { scale * Self.angle(LossMath.row(u, $0, d), LossMath.row(v, $0, d)) }
        let (loss, dScores) = RankingObjective.compute(scores: scores, labels: input.labels)
        var du = [Double](repeating: 0, count: u.count), dv = [Double](repeating: 0, count: v.count)
        for i in 0..<n where dScores[i] != 0 {
            let (ga, gb) = Self.angleGradient(LossMath.row(u, i, d), LossMath.row(v, i, d))
            for k in 0..<d {
                du[i * d + k] += scale * dScores[i] * ga[k]
                dv[i * d + k] += scale * dScores[i] * gb[k]
            }
        }
        return LossOutput(loss: loss, gradients: [LossMath.toFloat(du), LossMath.toFloat(dv)])
    }

    /// `|Σ_k (a_k c_k + b_k d_k + b_k c_k − a_k d_k)| / (‖x‖‖y‖)` with `x = (a, b)`, `y = (c, d)`: the sum of the real
    /// and imaginary parts of `x / y` rescaled by `‖y‖/‖x‖`, as `pairwise_angle_sim` computes it.
    static func angle(_ x: ArraySlice<Double>, _ y: ArraySlice<Double>) -> Double {
        abs(signedAngle(x, y))
    }

    private static func signedAngle(_ x: ArraySlice<Double>, _ y: ArraySlice<Double>) -> Double {
        let h = x.count / 2
        let xs = Array(x), ys = Array(y)
        var p = 0.0
        for k in 0..<h {
            let a = xs[k], b = xs[h + k], c = ys[k], e = ys[h + k]
            p += a * c + b * e + b * c - a * e
        }
        return p / (LossMath.norm(x) * LossMath.norm(y))
    }

    /// `∂angle/∂x` and `∂angle/∂y`.
    static func angleGradient(_ x: ArraySlice<Double>, _ y: ArraySlice<Double>) -> ([Double], [Double]) {
        let h = x.count / 2
        let xs = Array(x), ys = Array(y)
        let nx = LossMath.norm(x), ny = LossMath.norm(y)
        let s = signedAngle(x, y)
        let sign: Double = s < 0 ? -1 : 1
        var gx = [Double](repeating: 0, count: xs.count), gy = [Double](repeating: 0, count: ys.count)
        for k in 0..<h {
            let a = xs[k], b = xs[h + k], c = ys[k], e = ys[h + k]
            gx[k] = (c - e) / (nx * ny)
            gx[h + k] = (e + c) / (nx * ny)
            gy[k] = (a + b) / (nx * ny)
            gy[h + k] = (b - a) / (nx * ny)
        }
        for k in 0..<xs.count {
            gx[k] = sign * (gx[k] - s * xs[k] / (nx * nx))
            gy[k] = sign * (gy[k] - s * ys[k] / (ny * ny))
        }
        return (gx, gy)
    }
}
