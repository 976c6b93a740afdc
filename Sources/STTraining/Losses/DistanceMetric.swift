/// The distances of `SiameseDistanceMetric` / `TripletDistanceMetric`, with their gradients. Euclidean and Manhattan
/// follow `torch.nn.functional.pairwise_distance`, which adds `eps = 1e-6` to the difference.
public enum DistanceMetric: String, Sendable {
    case euclidean
    case manhattan
    case cosine

    static let epsilon = 1e-6

    func value(_ a: ArraySlice<Double>, _ b: ArraySlice<Double>) -> Double {
        switch self {
        case .euclidean:
            var sum = 0.0
            for (x, y) in zip(a, b) { sum += (x - y + Self.epsilon) * (x - y + Self.epsilon) }
            return sum.squareRoot()
        case .manhattan:
            var sum = 0.0
            for (x, y) in zip(a, b) { sum += abs(x - y + Self.epsilon) }
            return sum
        case .cosine:
            return 1 - LossMath.cosine(a, b)
        }
    }

    /// Adds `upstream · ∂distance/∂a` to `da` and `upstream · ∂distance/∂b` to `db` (row-aligned slices).
    func backward(_ a: ArraySlice<Double>, _ b: ArraySlice<Double>, upstream: Double,
                  da: inout ArraySlice<Double>, db: inout ArraySlice<Double>) {
        let offsetA = da.startIndex - a.startIndex, offsetB = db.startIndex - b.startIndex
        switch self {
        case .euclidean:
            let distance = max(value(a, b), 1e-30)
            for (i, j) in zip(a.indices, b.indices) {
                let g = upstream * (a[i] - b[j] + Self.epsilon) / distance
                da[i + offsetA] += g
                db[j + offsetB] -= g
            }
        case .manhattan:
            for (i, j) in zip(a.indices, b.indices) {
                let difference = a[i] - b[j] + Self.epsilon
                let g = upstream * (difference > 0 ? 1 : (difference < 0 ? -1 : 0))
                da[i + offsetA] += g
                db[j + offsetB] -= g
            }
        case .cosine:
            LossMath.cosineBackward(a, b, upstream: -upstream, da: &da, db: &db)
        }
    }
}
