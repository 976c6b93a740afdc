/// Distillation: the student's embeddings of every column regress onto the teacher's embedding given as the label,
/// `loss = mean over all columns, rows and dimensions of (student − teacher)²`.
///
/// | Inputs | Labels |
/// |---|---|
/// | one or more columns (a sentence, its translations) | the teacher's embedding of the source sentence |
///
/// Reference: Reimers & Gurevych, *Making Monolingual Sentence Embeddings Multilingual using Knowledge Distillation*
/// (arXiv:2004.09813).
public struct MSELoss: SentenceLoss {
    public init() {}

    public var name: String { "MSELoss" }
    public var parameters: [String: String] { [:] }

    public func compute(_ input: LossInput) throws -> LossOutput {
        try require(input, columns: 1...Int.max, labels: false)
        guard input.labelVectors.count == input.rows * input.dimension else {
            throw TrainingError.invalidInput("MSELoss needs one \(input.dimension)-dimensional teacher embedding per example")
        }
        let total = Double(input.columns.count * input.rows * input.dimension)
        var loss = 0.0
        var gradients: [[Float]] = []
        for column in input.columns {
            var gradient = [Float](repeating: 0, count: column.count)
            for k in column.indices {
                let error = Double(column[k]) - Double(input.labelVectors[k])
                loss += error * error / total
                gradient[k] = Float(2 * error / total)
            }
            gradients.append(gradient)
        }
        return LossOutput(loss: loss, gradients: gradients)
    }
}
