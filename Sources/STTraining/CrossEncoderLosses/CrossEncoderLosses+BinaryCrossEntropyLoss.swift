import Foundation

extension CrossEncoderLosses {
    /// `torch.nn.BCEWithLogitsLoss` on one logit per pair (sentence-transformers' `BinaryCrossEntropyLoss`, activation
    /// identity): `mean(−w·y·log σ(x) − (1 − y)·log(1 − σ(x)))`, `w` = `posWeight` (1 when nil); labels 0/1 or
    /// scores in [0, 1].
    public struct BinaryCrossEntropyLoss: CrossEncoderLoss {
        /// The weight of the positive term (Python: `pos_weight`).
        public var posWeight: Double?

        public init(posWeight: Double? = nil) { self.posWeight = posWeight }

        public var name: String { "BinaryCrossEntropyLoss" }
        public var parameters: [String: String] {
            ["activation_fn": "torch.nn.modules.linear.Identity", "pos_weight": posWeight.map { "\($0)" } ?? "None"]
        }

        public func pairGroups(_ columns: [[String]]) throws -> [[(String, String)]] { try pointwise(columns) }

        public func compute(_ input: LossInput) throws -> LossOutput {
            let (logits, labels) = try pointwiseLogits(input)
            let weight = posWeight ?? 1
            guard weight.isFinite, weight >= 0 else { throw TrainingError.invalidInput("\(name): pos_weight \(weight) must be a non-negative number") }
            let n = Double(logits.count)
            var loss = 0.0
            var gradient = [Float](repeating: 0, count: logits.count)
            for (index, (x, y)) in zip(logits, labels).enumerated() {
                // log σ(x) = −softplus(−x), log(1 − σ(x)) = −softplus(x), each written to stay finite for large |x|.
                loss += weight * y * Self.softplus(-x) + (1 - y) * Self.softplus(x)
                let sigmoid = 1 / (1 + Foundation.exp(-x))
                gradient[index] = Float((-weight * y * (1 - sigmoid) + (1 - y) * sigmoid) / n)
            }
            return LossOutput(loss: loss / n, gradients: [gradient])
        }

        static func softplus(_ x: Double) -> Double { max(x, 0) + Foundation.log1p(Foundation.exp(-abs(x))) }
    }
}
