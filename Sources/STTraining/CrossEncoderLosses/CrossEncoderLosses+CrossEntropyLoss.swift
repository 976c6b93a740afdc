extension CrossEncoderLosses {
    /// `torch.nn.CrossEntropyLoss` over a pair's logits against its class (sentence-transformers' `CrossEntropyLoss`,
    /// activation identity): `mean(−log softmax(x)[y])`, for a model with one logit per class (NLI).
    public struct CrossEntropyLoss: CrossEncoderLoss {
        public init() {}

        public var name: String { "CrossEntropyLoss" }
        public var parameters: [String: String] { ["activation_fn": "torch.nn.modules.linear.Identity"] }
        public var numLabels: Int? { nil }

        public func pairGroups(_ columns: [[String]]) throws -> [[(String, String)]] { try pointwise(columns) }

        public func compute(_ input: LossInput) throws -> LossOutput {
            guard input.columns.count == 1, input.dimension > 1 else {
                throw TrainingError.invalidInput("\(name) needs a model with several labels (one logit per class), this one has \(input.dimension)")
            }
            let rows = input.columns[0].count / input.dimension
            guard input.labels.count == rows, rows > 0 else {
                throw TrainingError.invalidInput("\(name) expects \(rows) class labels (one per example), got \(input.labels.count)")
            }
            var loss = 0.0
            var gradient = [Float](repeating: 0, count: input.columns[0].count)
            for row in 0..<rows {
                let label = input.labels[row]
                guard label.isFinite, label == label.rounded(), label >= 0, Int(label) < input.dimension else {
                    throw TrainingError.invalidInput("\(name): label \(label) is not a class index below \(input.dimension)")
                }
                let scores = input.columns[0][(row * input.dimension)..<((row + 1) * input.dimension)].map(Double.init)
                let (value, dScores) = LossMath.crossEntropy(scores, target: Int(label), weight: 1 / Double(rows))
                loss += value
                for (k, g) in dScores.enumerated() { gradient[row * input.dimension + k] = Float(g) }
            }
            return LossOutput(loss: loss / Double(rows), gradients: [gradient])
        }
    }
}
