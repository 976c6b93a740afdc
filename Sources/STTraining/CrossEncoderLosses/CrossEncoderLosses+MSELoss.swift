extension CrossEncoderLosses {
    /// `torch.nn.MSELoss` between one logit per pair and its label (sentence-transformers' cross-encoder `MSELoss`,
    /// activation identity): `mean((x − y)²)`, for distilling a teacher's scores.
    public struct MSELoss: CrossEncoderLoss {
        public init() {}

        public var name: String { "MSELoss" }
        public var parameters: [String: String] { ["activation_fn": "torch.nn.modules.linear.Identity"] }

        public func pairGroups(_ columns: [[String]]) throws -> [[(String, String)]] { try pointwise(columns) }

        public func compute(_ input: LossInput) throws -> LossOutput {
            let (logits, labels) = try pointwiseLogits(input)
            let n = Double(logits.count)
            var loss = 0.0
            var gradient = [Float](repeating: 0, count: logits.count)
            for (index, (x, y)) in zip(logits, labels).enumerated() {
                loss += (x - y) * (x - y)
                gradient[index] = Float(2 * (x - y) / n)
            }
            return LossOutput(loss: loss / n, gradients: [gradient])
        }
    }
}
