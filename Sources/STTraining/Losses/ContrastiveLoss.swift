/// Pulls similar pairs together and pushes dissimilar pairs beyond a margin:
/// `loss_i = ½·(y_i·d_i² + (1 − y_i)·max(0, margin − d_i)²)`, averaged over the batch (`sizeAverage`) or summed.
///
/// | Inputs | Labels |
/// |---|---|
/// | (sentence A, sentence B) pairs | 1 for similar, 0 for dissimilar |
///
/// Defaults follow sentence-transformers: `distanceMetric = .cosine` (1 − cosine), `margin = 0.5`, `sizeAverage = true`.
///
/// Reference: Hadsell et al., *Dimensionality Reduction by Learning an Invariant Mapping* (2006).
public struct ContrastiveLoss: SentenceLoss {
    public var distanceMetric: DistanceMetric
    public var margin: Double
    public var sizeAverage: Bool

    public init(distanceMetric: DistanceMetric = .cosine, margin: Double = 0.5, sizeAverage: Bool = true) {
        self.distanceMetric = distanceMetric
        self.margin = margin
        self.sizeAverage = sizeAverage
    }

    public var name: String { "ContrastiveLoss" }
    public var parameters: [String: String] {
        ["distance_metric": "SiameseDistanceMetric.\(distanceMetric == .cosine ? "COSINE_DISTANCE" : distanceMetric.rawValue.uppercased())",
         "margin": "\(margin)", "size_average": "\(sizeAverage)"]
    }

    public func compute(_ input: LossInput) throws -> LossOutput {
        try require(input, columns: 2...2, labels: true)
        let n = input.rows, d = input.dimension
        let u = LossMath.toDouble(input.columns[0]), v = LossMath.toDouble(input.columns[1])
        var du = [Double](repeating: 0, count: u.count), dv = [Double](repeating: 0, count: v.count)
        let divisor = sizeAverage ? Double(n) : 1
        var loss = 0.0
        for i in 0..<n {
            let range = (i * d)..<((i + 1) * d)
            let distance = distanceMetric.value(u[range], v[range])
            let label = Double(input.labels[i])
            let hinge = max(0, margin - distance)
            loss += 0.5 * (label * distance * distance + (1 - label) * hinge * hinge) / divisor
            let dDistance = (label * distance - (1 - label) * hinge) / divisor
            guard dDistance != 0 else { continue }
            var da = du[range], db = dv[range]
            distanceMetric.backward(u[range], v[range], upstream: dDistance, da: &da, db: &db)
            du.replaceSubrange(range, with: da)
            dv.replaceSubrange(range, with: db)
        }
        return LossOutput(loss: loss, gradients: [LossMath.toFloat(du), LossMath.toFloat(dv)])
    }
}
