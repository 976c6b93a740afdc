extension CrossEncoderLosses {
    /// sentence-transformers' cross-encoder `MarginMSELoss`: the margins between the positive's logit and each
    /// negative's, against the teacher's margins, `mean((x₊ − x₋ₖ − yₖ)²)`. Labels per example: the margins
    /// (`numNegatives` values), or the teacher's scores of the positive then each negative (`numNegatives + 1`
    /// values, turned into margins), in ``LossInput/labelVectors``, or one margin in ``LossInput/labels``.
    public struct MarginMSELoss: CrossEncoderLoss {
        public init() {}

        public var name: String { "MarginMSELoss" }
        public var parameters: [String: String] { ["activation_fn": "torch.nn.modules.linear.Identity"] }

        public func pairGroups(_ columns: [[String]]) throws -> [[(String, String)]] {
            guard columns.count >= 3 else {
                throw TrainingError.invalidInput("\(name) expects (anchor, positive, negative…) text columns, got \(columns.count)")
            }
            return columns.dropFirst().map { Array(zip(columns[0], $0)) }
        }

        public func compute(_ input: LossInput) throws -> LossOutput {
            guard input.dimension == 1, input.columns.count >= 2, let rows = input.columns.first?.count, rows > 0 else {
                throw TrainingError.invalidInput("\(name) expects one logit per pair and at least one negative")
            }
            let negatives = input.columns.count - 1
            var margins: [Float]
            if input.labelVectors.count == rows * (negatives + 1) {
                margins = (0..<rows).flatMap { row in
                    (1...negatives).map { input.labelVectors[row * (negatives + 1)] - input.labelVectors[row * (negatives + 1) + $0] }
                }
            } else if input.labelVectors.count == rows * negatives {
                margins = input.labelVectors
            } else if negatives == 1, input.labels.count == rows {
                margins = input.labels
            } else {
                throw TrainingError.invalidInput("\(name): labels must be \(negatives) margins or \(negatives + 1) scores per example")
            }
            if let bad = margins.first(where: { !$0.isFinite }) { throw TrainingError.invalidInput("\(name): label \(bad) is not a number") }
            let count = Double(rows * negatives)
            var loss = 0.0
            var gradients = input.columns.map { [Float](repeating: 0, count: $0.count) }
            for row in 0..<rows {
                for k in 1...negatives {
                    let difference = Double(input.columns[0][row]) - Double(input.columns[k][row]) - Double(margins[row * negatives + k - 1])
                    loss += difference * difference
                    gradients[0][row] += Float(2 * difference / count)
                    gradients[k][row] -= Float(2 * difference / count)
                }
            }
            return LossOutput(loss: loss / count, gradients: gradients)
        }
    }
}
