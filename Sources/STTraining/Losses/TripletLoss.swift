/// Pulls each anchor closer to its positive than to its negative by at least `tripletMargin`:
/// `loss = mean_i max(0, d(a_i, p_i) − d(a_i, n_i) + margin)`.
///
/// | Inputs | Labels |
/// |---|---|
/// | (anchor, positive, negative) triplets | none |
///
/// Defaults follow sentence-transformers: `distanceMetric = .euclidean`, `tripletMargin = 5`.
///
/// Reference: Schroff et al., *FaceNet* (arXiv:1503.03832).
public struct TripletLoss: SentenceLoss {
    public var distanceMetric: DistanceMetric
    public var tripletMargin: Double

    public init(distanceMetric: DistanceMetric = .euclidean, tripletMargin: Double = 5) {
        self.distanceMetric = distanceMetric
        self.tripletMargin = tripletMargin
    }

    public var name: String { "TripletLoss" }
    public var parameters: [String: String] {
        ["distance_metric": "TripletDistanceMetric.\(distanceMetric.rawValue.uppercased())", "triplet_margin": "\(tripletMargin)"]
    }

    public func compute(_ input: LossInput) throws -> LossOutput {
        try require(input, columns: 3...3, labels: false)
        let n = input.rows, d = input.dimension
        let columns = input.columns.map(LossMath.toDouble)
        var gradients = columns.map { [Double](repeating: 0, count: $0.count) }
        var loss = 0.0
        for i in 0..<n {
            let range = (i * d)..<((i + 1) * d)
            let anchor = columns[0][range], positive = columns[1][range], negative = columns[2][range]
            let margin = distanceMetric.value(anchor, positive) - distanceMetric.value(anchor, negative) + tripletMargin
            guard margin > 0 else { continue }
            loss += margin / Double(n)
            var da = gradients[0][range], dp = gradients[1][range], dn = gradients[2][range]
            distanceMetric.backward(anchor, positive, upstream: 1 / Double(n), da: &da, db: &dp)
            distanceMetric.backward(anchor, negative, upstream: -1 / Double(n), da: &da, db: &dn)
            gradients[0].replaceSubrange(range, with: da)
            gradients[1].replaceSubrange(range, with: dp)
            gradients[2].replaceSubrange(range, with: dn)
        }
        return LossOutput(loss: loss, gradients: gradients.map(LossMath.toFloat))
    }
}
