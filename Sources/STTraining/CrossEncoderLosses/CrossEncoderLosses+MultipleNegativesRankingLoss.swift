import Foundation
import SentenceTransformers

extension CrossEncoderLosses {
    /// sentence-transformers' cross-encoder `MultipleNegativesRankingLoss`: each anchor is scored with its positive,
    /// with `numNegatives` other examples' candidates (in-batch negatives) and with its own hard negatives (the
    /// columns after the positive); `scale · σ(logit)` of each row is a softmax over its candidates, the positive
    /// the target: `mean(−log softmax(scale·σ(S))[0])`.
    ///
    /// In-batch negatives: when `numNegatives` is nil or at least the number available (every candidate of every
    /// other example), all of them, in example order, as Python takes them; otherwise `numNegatives` drawn per
    /// anchor without replacement from a generator seeded by `seed` (Python draws with `torch.multinomial`).
    public struct MultipleNegativesRankingLoss: CrossEncoderLoss {
        public var numNegatives: Int?
        public var scale: Double
        public var seed: UInt64

        public init(numNegatives: Int? = 4, scale: Double = 10, seed: UInt64 = 0) {
            self.numNegatives = numNegatives
            self.scale = scale
            self.seed = seed
        }

        public var name: String { "MultipleNegativesRankingLoss" }
        public var parameters: [String: String] {
            ["num_negatives": numNegatives.map { "\($0)" } ?? "None", "scale": "\(scale)", "activation_fn": "torch.nn.modules.activation.Sigmoid"]
        }

        public func pairGroups(_ columns: [[String]]) throws -> [[(String, String)]] {
            guard columns.count >= 2 else {
                throw TrainingError.invalidInput("\(name) expects (anchor, positive, negative…) text columns, got \(columns.count)")
            }
            if let numNegatives, numNegatives < 0 { throw TrainingError.invalidInput("\(name): num_negatives \(numNegatives) must not be negative") }
            let anchors = columns[0], candidates = Array(columns.dropFirst())
            let batch = anchors.count
            // Every candidate of the batch, column after column, as Python flattens them.
            let flattened = candidates.flatMap { $0 }
            var groups = [Array(zip(anchors, candidates[0]))]
            let available = flattened.count - candidates.count
            if available > 0, numNegatives != 0 {
                let others: [[Int]] = (0..<batch).map { row in
                    (0..<flattened.count).filter { $0 % batch != row }
                }
                let chosen: [[Int]]
                if let numNegatives, numNegatives < available {
                    var generator = SplitMix64(seed: seed)
                    chosen = others.map { Array($0.shuffled(using: &generator).prefix(numNegatives)) }
                } else {
                    chosen = others
                }
                for k in 0..<(chosen.first?.count ?? 0) {
                    groups.append((0..<batch).map { (anchors[$0], flattened[chosen[$0][k]]) })
                }
            }
            for column in candidates.dropFirst() { groups.append(Array(zip(anchors, column))) }
            return groups
        }

        public func compute(_ input: LossInput) throws -> LossOutput {
            guard input.dimension == 1, let rows = input.columns.first?.count, rows > 0 else {
                throw TrainingError.invalidInput("\(name) expects one logit per pair")
            }
            var loss = 0.0
            var gradients = input.columns.map { [Float](repeating: 0, count: $0.count) }
            for row in 0..<rows {
                let sigmoids = input.columns.map { 1 / (1 + Foundation.exp(-Double($0[row]))) }
                let (value, dScores) = LossMath.crossEntropy(sigmoids.map { $0 * scale }, target: 0, weight: 1 / Double(rows))
                loss += value
                for (group, (g, s)) in zip(dScores, sigmoids).enumerated() { gradients[group][row] = Float(g * scale * s * (1 - s)) }
            }
            return LossOutput(loss: loss / Double(rows), gradients: gradients)
        }
    }
}
