/// ``ContrastiveLoss`` on the hard cases only: positive pairs farther apart than the closest negative pair, and
/// negative pairs closer than the farthest positive pair. `loss = Σ_hard positives d² + Σ_hard negatives max(0, margin − d)²`
/// (summed, as sentence-transformers does).
///
/// | Inputs | Labels |
/// |---|---|
/// | (sentence A, sentence B) pairs | 1 for similar, 0 for dissimilar |
///
/// Defaults: `distanceMetric = .cosine` (1 − cosine), `margin = 0.5`.
public struct OnlineContrastiveLoss: SentenceLoss {
    public var distanceMetric: DistanceMetric
    public var margin: Double

    public init(distanceMetric: DistanceMetric = .cosine, margin: Double = 0.5) {
        self.distanceMetric = distanceMetric
        self.margin = margin
    }

    public var name: String { "OnlineContrastiveLoss" }
    public var parameters: [String: String] {
        ["distance_metric": "SiameseDistanceMetric.\(distanceMetric == .cosine ? "COSINE_DISTANCE" : distanceMetric.rawValue.uppercased())",
         "margin": "\(margin)"]
    }

    public func compute(_ input: LossInput) throws -> LossOutput {
        try require(input, columns: 2...2, labels: true)
        let n = input.rows, d = input.dimension
        let u = LossMath.toDouble(input.columns[0]), v = LossMath.toDouble(input.columns[1])
        let distances = (0..<n).map { distanceMetric.value(LossMath.row(u, $0, d), LossMath.row(v, $0, d)) }
        let positives = (0..<n).filter { input.labels[$0] == 1 }
        let negatives = (0..<n).filter { input.labels[$0] == 0 }
        let positiveDistances = positives.map { distances[$0] }, negativeDistances = negatives.map { distances[$0] }
        // The thresholds sentence-transformers uses; with one pair or none on a side it falls back to the other side's mean.
        let negativeThreshold = positives.count > 1 ? (positiveDistances.max() ?? 0) : mean(negativeDistances)
        let positiveThreshold = negatives.count > 1 ? (negativeDistances.min() ?? 0) : mean(positiveDistances)
        var du = [Double](repeating: 0, count: u.count), dv = [Double](repeating: 0, count: v.count)
        var loss = 0.0
        var dDistances = [Double](repeating: 0, count: n)
        for i in positives where distances[i] > positiveThreshold {
            loss += distances[i] * distances[i]
            dDistances[i] = 2 * distances[i]
        }
        for i in negatives where distances[i] < negativeThreshold {
            let hinge = max(0, margin - distances[i])
            loss += hinge * hinge
            dDistances[i] = -2 * hinge
        }
        for i in 0..<n where dDistances[i] != 0 {
            let range = (i * d)..<((i + 1) * d)
            var da = du[range], db = dv[range]
            distanceMetric.backward(u[range], v[range], upstream: dDistances[i], da: &da, db: &db)
            du.replaceSubrange(range, with: da)
            dv.replaceSubrange(range, with: db)
        }
        return LossOutput(loss: loss, gradients: [LossMath.toFloat(du), LossMath.toFloat(dv)])
    }

    private func mean(_ values: [Double]) -> Double { values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count) }
}
