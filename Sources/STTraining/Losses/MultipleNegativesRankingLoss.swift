/// In-batch negatives: for anchor `a_i`, its positive `p_i` must score higher than every other candidate in the batch
/// (the other examples' positives, and every example's hard negatives when extra columns are given).
///
/// `loss = mean_i CE(scale · sim(a_i, [p_1 … p_N, n_1 … n_N, …]), i)`.
///
/// | Inputs | Labels |
/// |---|---|
/// | (anchor, positive) pairs | none |
/// | (anchor, positive, negative₁, …, negative_k) | none |
///
/// Defaults follow sentence-transformers: `scale = 20` (a temperature of 0.05), `similarity = .cosine`. Use it with
/// the `noDuplicates` batch sampler, so that a batch has no duplicate texts that would act as false negatives.
///
/// References: Henderson et al., *Efficient Natural Language Response Suggestion for Smart Reply*
/// (arXiv:1705.00652); van den Oord et al., InfoNCE (arXiv:1807.03748).
///
/// ```swift
/// let loss = MultipleNegativesRankingLoss()          // scale 20, cosine
/// ```
public struct MultipleNegativesRankingLoss: SentenceLoss {
    public var scale: Double
    public var similarity: PairSimilarity

    public init(scale: Double = 20, similarity: PairSimilarity = .cosine) {
        self.scale = scale
        self.similarity = similarity
    }

    public var name: String { "MultipleNegativesRankingLoss" }
    public var parameters: [String: String] { ["scale": "\(scale)", "similarity_fct": similarity.rawValue] }

    public func compute(_ input: LossInput) throws -> LossOutput {
        try require(input, columns: 2...Int.max, labels: false)
        return InBatchNegatives.compute(input, scale: scale, similarity: similarity, symmetric: false)
    }
}

/// The shared computation of the in-batch-negative losses.
enum InBatchNegatives {
    /// Scores every anchor against every candidate; `symmetric` adds the positive-to-anchor direction
    /// (MultipleNegativesSymmetricRankingLoss) and averages the two.
    static func compute(_ input: LossInput, scale: Double, similarity: PairSimilarity, symmetric: Bool) -> LossOutput {
        let n = input.rows, d = input.dimension
        let anchors = LossMath.toDouble(input.columns[0])
        let candidates = LossMath.toDouble(input.columns.dropFirst().flatMap { $0 })
        let m = candidates.count / d
        var scores = [[Double]](repeating: [Double](repeating: 0, count: m), count: n)
        for i in 0..<n {
            for j in 0..<m {
                scores[i][j] = scale * similarity.value(LossMath.row(anchors, i, d), LossMath.row(candidates, j, d))
            }
        }
        var dScores = [[Double]](repeating: [Double](repeating: 0, count: m), count: n)
        var loss = 0.0
        let directionWeight = symmetric ? 0.5 : 1.0
        for i in 0..<n {
            let (value, gradient) = LossMath.crossEntropy(scores[i], target: i, weight: directionWeight / Double(n))
            loss += directionWeight * value / Double(n)
            for j in 0..<m { dScores[i][j] += gradient[j] }
        }
        if symmetric {
            // Each positive p_j against all anchors: column j of the positive block.
            for j in 0..<n {
                let column = (0..<n).map { scores[$0][j] }
                let (value, gradient) = LossMath.crossEntropy(column, target: j, weight: 0.5 / Double(n))
                loss += 0.5 * value / Double(n)
                for i in 0..<n { dScores[i][j] += gradient[i] }
            }
        }
        var dAnchors = [Double](repeating: 0, count: anchors.count)
        var dCandidates = [Double](repeating: 0, count: candidates.count)
        for i in 0..<n {
            for j in 0..<m where dScores[i][j] != 0 {
                var da = dAnchors[(i * d)..<((i + 1) * d)]
                var dc = dCandidates[(j * d)..<((j + 1) * d)]
                similarity.backward(LossMath.row(anchors, i, d), LossMath.row(candidates, j, d), upstream: scale * dScores[i][j],
                                    da: &da, db: &dc)
                dAnchors.replaceSubrange((i * d)..<((i + 1) * d), with: da)
                dCandidates.replaceSubrange((j * d)..<((j + 1) * d), with: dc)
            }
        }
        var gradients = [LossMath.toFloat(dAnchors)]
        for column in 0..<(input.columns.count - 1) {
            gradients.append(LossMath.toFloat(Array(dCandidates[(column * n * d)..<((column + 1) * n * d)])))
        }
        return LossOutput(loss: loss, gradients: gradients)
    }
}
