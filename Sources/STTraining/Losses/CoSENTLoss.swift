import Foundation

/// Ranks pairs by their scores: every pair `(i, j)` with `label_i < label_j` should have `s_i < s_j`, where
/// `s = scale · sim(u, v)`. `loss = log(1 + Σ_{label_i < label_j} exp(s_i − s_j))`.
///
/// | Inputs | Labels |
/// |---|---|
/// | (sentence A, sentence B) pairs | a float similarity score |
///
/// Defaults follow sentence-transformers: `scale = 20`, `similarity = .cosine`. Only the order of the labels matters,
/// so they need not be in [0, 1].
///
/// Reference: Su Jianlin, *CoSENT* (2022), https://kexue.fm/archives/8847.
///
/// ```swift
/// let loss = CoSENTLoss()   // scale 20
/// ```
public struct CoSENTLoss: SentenceLoss {
    public var scale: Double
    public var similarity: PairSimilarity

    public init(scale: Double = 20, similarity: PairSimilarity = .cosine) {
        self.scale = scale
        self.similarity = similarity
    }

    public var name: String { "CoSENTLoss" }
    public var parameters: [String: String] { ["scale": "\(scale)", "similarity_fct": "pairwise_\(similarity.rawValue)"] }

    public func compute(_ input: LossInput) throws -> LossOutput {
        try require(input, columns: 2...2, labels: true)
        let n = input.rows, d = input.dimension
        let u = LossMath.toDouble(input.columns[0]), v = LossMath.toDouble(input.columns[1])
        let scores = (0..<n).map { scale * similarity.value(LossMath.row(u, $0, d), LossMath.row(v, $0, d)) }
        let (loss, dScores) = RankingObjective.compute(scores: scores, labels: input.labels)
        var du = [Double](repeating: 0, count: u.count), dv = [Double](repeating: 0, count: v.count)
        for i in 0..<n where dScores[i] != 0 {
            var da = du[(i * d)..<((i + 1) * d)], db = dv[(i * d)..<((i + 1) * d)]
            similarity.backward(LossMath.row(u, i, d), LossMath.row(v, i, d), upstream: scale * dScores[i], da: &da, db: &db)
            du.replaceSubrange((i * d)..<((i + 1) * d), with: da)
            dv.replaceSubrange((i * d)..<((i + 1) * d), with: db)
        }
        return LossOutput(loss: loss, gradients: [LossMath.toFloat(du), LossMath.toFloat(dv)])
    }
}

/// `log(1 + Σ_{label_i < label_j} exp(s_i − s_j))` and its gradient with respect to the scores (CoSENT, AnglE).
enum RankingObjective {
    static func compute(scores: [Double], labels: [Float]) -> (loss: Double, gradient: [Double]) {
        let n = scores.count
        var maximum = 0.0  // the implicit 0 term
        for i in 0..<n { for j in 0..<n where labels[i] < labels[j] { maximum = max(maximum, scores[i] - scores[j]) } }
        var total = exp(-maximum)
        for i in 0..<n { for j in 0..<n where labels[i] < labels[j] { total += exp(scores[i] - scores[j] - maximum) } }
        var gradient = [Double](repeating: 0, count: n)
        for i in 0..<n {
            for j in 0..<n where labels[i] < labels[j] {
                let weight = exp(scores[i] - scores[j] - maximum) / total
                gradient[i] += weight
                gradient[j] -= weight
            }
        }
        return (maximum + log(total), gradient)
    }
}
