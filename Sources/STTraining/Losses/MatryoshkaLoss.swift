/// Trains embeddings that stay useful when truncated: the wrapped loss is computed on the first `dims[k]` dimensions
/// of every embedding for each `k`, and the results are summed with `weights` (all 1 by default).
///
/// | Inputs | Labels |
/// |---|---|
/// | whatever the wrapped loss takes | whatever the wrapped loss takes |
///
/// Reference: Kusupati et al., *Matryoshka Representation Learning* (arXiv:2205.13147).
///
/// ```swift
/// let loss = MatryoshkaLoss(MultipleNegativesRankingLoss(), matryoshkaDims: [384, 256, 128, 64])
/// ```
public struct MatryoshkaLoss: SentenceLoss {
    public let loss: any SentenceLoss
    public let matryoshkaDims: [Int]
    public let matryoshkaWeights: [Double]

    public init(_ loss: any SentenceLoss, matryoshkaDims: [Int], matryoshkaWeights: [Double]? = nil) {
        self.loss = loss
        self.matryoshkaDims = matryoshkaDims
        self.matryoshkaWeights = matryoshkaWeights ?? Array(repeating: 1, count: matryoshkaDims.count)
    }

    public var name: String { "MatryoshkaLoss" }
    public var parameters: [String: String] {
        ["loss": loss.name, "matryoshka_dims": "\(matryoshkaDims)", "matryoshka_weights": "\(matryoshkaWeights)"]
    }
    public var trainableParameters: ParameterSet? { loss.trainableParameters }

    public func compute(_ input: LossInput) throws -> LossOutput {
        guard matryoshkaWeights.count == matryoshkaDims.count else {
            throw TrainingError.invalidArgument("MatryoshkaLoss: \(matryoshkaDims.count) dims but \(matryoshkaWeights.count) weights")
        }
        let d = input.dimension
        var total = 0.0
        var gradients = input.columns.map { [Float](repeating: 0, count: $0.count) }
        for (dim, weight) in zip(matryoshkaDims, matryoshkaWeights) {
            guard dim > 0, dim <= d else {
                throw TrainingError.invalidArgument("MatryoshkaLoss dimension \(dim) is outside 1...\(d)")
            }
            var truncated = input
            truncated.dimension = dim
            truncated.columns = input.columns.map { column in
                let rows = column.count / d
                return (0..<rows).flatMap { column[($0 * d)..<($0 * d + dim)] }
            }
            let output = try loss.compute(truncated)
            total += weight * output.loss
            for (c, gradient) in output.gradients.enumerated() {
                let rows = gradient.count / dim
                for row in 0..<rows { for k in 0..<dim { gradients[c][row * d + k] += Float(weight) * gradient[row * dim + k] } }
            }
        }
        return LossOutput(loss: total, gradients: gradients)
    }
}
