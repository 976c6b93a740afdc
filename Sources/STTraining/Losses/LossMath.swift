import Foundation

/// Small `Double` helpers shared by the losses. Embedding rows are slices of a flat row-major matrix.
enum LossMath {
    static func dot(_ a: ArraySlice<Double>, _ b: ArraySlice<Double>) -> Double {
        var sum = 0.0
        for (x, y) in zip(a, b) { sum += x * y }
        return sum
    }

    static func norm(_ a: ArraySlice<Double>) -> Double { dot(a, a).squareRoot() }

    /// `a·b / max(‖a‖‖b‖, ε)` as `util.cos_sim` computes it (each row normalized with ε = 1e-12).
    static func cosine(_ a: ArraySlice<Double>, _ b: ArraySlice<Double>) -> Double {
        dot(a, b) / (max(norm(a), 1e-12) * max(norm(b), 1e-12))
    }

    /// `∂cos/∂a = b/(‖a‖‖b‖) − cos·a/‖a‖²`, and symmetrically for `b`.
    static func cosineBackward(_ a: ArraySlice<Double>, _ b: ArraySlice<Double>, upstream: Double,
                               da: inout ArraySlice<Double>, db: inout ArraySlice<Double>) {
        let na = max(norm(a), 1e-12), nb = max(norm(b), 1e-12)
        let cos = dot(a, b) / (na * nb)
        let offsetA = da.startIndex - a.startIndex, offsetB = db.startIndex - b.startIndex
        for (i, j) in zip(a.indices, b.indices) {
            da[i + offsetA] += upstream * (b[j] / (na * nb) - cos * a[i] / (na * na))
            db[j + offsetB] += upstream * (a[i] / (na * nb) - cos * b[j] / (nb * nb))
        }
    }

    /// `log softmax(x)`, shifted by the maximum so that no `exp` overflows.
    static func logSoftmax(_ x: [Double]) -> [Double] {
        let maximum = x.max() ?? 0
        let logSum = Foundation.log(x.reduce(0) { $0 + Foundation.exp($1 - maximum) }) + maximum
        return x.map { $0 - logSum }
    }

    /// Cross-entropy of `scores` against class `target`, with the gradient of the scores scaled by `weight`.
    static func crossEntropy(_ scores: [Double], target: Int, weight: Double) -> (loss: Double, gradient: [Double]) {
        let maximum = scores.max() ?? 0
        let exps = scores.map { Foundation.exp($0 - maximum) }
        let total = exps.reduce(0, +)
        let loss = -(scores[target] - maximum - Foundation.log(total))
        var gradient = exps.map { weight * $0 / total }
        gradient[target] -= weight
        return (loss, gradient)
    }

    /// Rows `row` of a flat matrix.
    static func row(_ matrix: [Double], _ row: Int, _ dimension: Int) -> ArraySlice<Double> {
        matrix[(row * dimension)..<((row + 1) * dimension)]
    }

    static func toDouble(_ values: [Float]) -> [Double] { values.map(Double.init) }
    static func toFloat(_ values: [Double]) -> [Float] { values.map(Float.init) }
}
