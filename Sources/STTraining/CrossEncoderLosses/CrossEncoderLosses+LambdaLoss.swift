import Foundation

extension CrossEncoderLosses {
    /// sentence-transformers' `LambdaLoss` (Wang et al., 2018, "The LambdaLoss Framework for Ranking Metric
    /// Optimization"): for each query, its documents are sorted by logit; every pair `(i, j)` of positions whose labels
    /// differ (`yᵢ > yⱼ`; every pair of finite labels for `ndcgLoss1`), with `i` or `j` among the first `k`, adds
    /// `−wᵢⱼ · log σ(sigma · (sᵢ − sⱼ))` (divided by ln 2 for `reductionLog` binary); the loss is the mean over the
    /// batch's pairs. Gains `(2^max(y, 0) − 1) / maxDCG@k`, discounts `log₂(1 + position)`.
    public struct LambdaLoss: ListwiseLoss {
        /// The pair weights `wᵢⱼ` (Python's `*Scheme` classes), from gains `G` and discounts `D`.
        public enum WeightingScheme: Sendable, Equatable {
            /// `NoWeightingScheme`: 1.
            case none
            /// `NDCGLoss1Scheme`: `Gᵢ / Dᵢ`.
            case ndcgLoss1
            /// `NDCGLoss2Scheme`: `|1/D(|i−j|) − 1/D(|i−j|+1)| · |Gᵢ − Gⱼ|`.
            case ndcgLoss2
            /// `LambdaRankScheme`: `|1/Dᵢ − 1/Dⱼ| · |Gᵢ − Gⱼ|`.
            case lambdaRank
            /// `NDCGLoss2PPScheme`: `mu · ndcgLoss2 + lambdaRank`.
            case ndcgLoss2PP(mu: Double)

            var className: String {
                switch self {
                case .none: return "NoWeightingScheme"
                case .ndcgLoss1: return "NDCGLoss1Scheme"
                case .ndcgLoss2: return "NDCGLoss2Scheme"
                case .lambdaRank: return "LambdaRankScheme"
                case .ndcgLoss2PP: return "NDCGLoss2PPScheme"
                }
            }
        }

        public enum ReductionLog: String, Sendable { case natural, binary }

        public var weightingScheme: WeightingScheme
        /// Only pairs with a document among the first `k` positions count; nil for all.
        public var k: Int?
        public var sigma: Double
        public var eps: Double
        public var reductionLog: ReductionLog
        public var miniBatchSize: Int?

        /// - Throws: ``TrainingError/invalidArgument(_:)`` for `k` below 1, a sigma or eps that is not a positive number.
        public init(weightingScheme: WeightingScheme = .ndcgLoss2PP(mu: 10), k: Int? = nil, sigma: Double = 1, eps: Double = 1e-10,
                    reductionLog: ReductionLog = .binary, miniBatchSize: Int? = nil) throws {
            if let k, k < 1 { throw TrainingError.invalidArgument("LambdaLoss: k must be at least 1, got \(k)") }
            guard sigma.isFinite, sigma > 0 else { throw TrainingError.invalidArgument("LambdaLoss: sigma must be a positive number, got \(sigma)") }
            guard eps.isFinite, eps > 0 else { throw TrainingError.invalidArgument("LambdaLoss: eps must be a positive number, got \(eps)") }
            if case .ndcgLoss2PP(let mu) = weightingScheme, !mu.isFinite {
                throw TrainingError.invalidArgument("LambdaLoss: mu must be a number, got \(mu)")
            }
            self.weightingScheme = weightingScheme
            self.k = k
            self.sigma = sigma
            self.eps = eps
            self.reductionLog = reductionLog
            self.miniBatchSize = miniBatchSize
        }

        public var name: String { "LambdaLoss" }
        public var parameters: [String: String] {
            ["weighting_scheme": "sentence_transformers.cross_encoder.losses.lambda_loss.\(weightingScheme.className)",
             "k": k.map { "\($0)" } ?? "None", "sigma": "\(sigma)", "eps": "\(eps)", "reduction_log": reductionLog.rawValue,
             "activation_fn": "torch.nn.modules.linear.Identity", "mini_batch_size": miniBatchSize.map { "\($0)" } ?? "None"]
        }

        public func compute(lists: [(logits: [Double], labels: [Double])]) throws -> (loss: Double, gradients: [[Double]]) {
            var total = 0.0, pairs = 0
            var gradients: [[Double]] = []
            for (logits, labels) in lists {
                let n = logits.count
                let top = min(k ?? n, n)
                // Stable on ties: the earlier document first.
                let order = logits.indices.sorted { logits[$0] > logits[$1] || (logits[$0] == logits[$1] && $0 < $1) }
                let sortedLabels = order.map { labels[$0] }
                let discount = (0..<n).map { Foundation.log2(2 + Double($0)) }
                let ideal = labels.map { max($0, 0) }.sorted(by: >)
                let maxDCG = max(eps, (0..<top).reduce(0.0) { $0 + (Foundation.pow(2, ideal[$1]) - 1) / discount[$1] })
                // Python's float32 gains turn such labels into NaN; refused here instead.
                guard maxDCG.isFinite else {
                    throw TrainingError.invalidInput("\(name): label \(ideal[0]) is too large: its gain 2^label − 1 overflows (graded labels are small integers)")
                }
                let gain = sortedLabels.map { (Foundation.pow(2, max($0, 0)) - 1) / maxDCG }
                var gradient = [Double](repeating: 0, count: n)
                for i in 0..<n {
                    for j in 0..<n where i < top || j < top {
                        if weightingScheme != .ndcgLoss1, !(sortedLabels[i] > sortedLabels[j]) { continue }
                        let weight = self.weight(i, j, gain: gain, discount: discount)
                        let difference = min(max(logits[order[i]] - logits[order[j]], -1e8), 1e8)
                        let x = sigma * difference
                        // log σ(x) = −softplus(−x), written so that neither branch overflows.
                        let logSigmoid = x >= 0 ? -Foundation.log1p(Foundation.exp(-x)) : x - Foundation.log1p(Foundation.exp(x))
                        // d(w · log σ(x))/d(sᵢ − sⱼ) = w · sigma · σ(−x)
                        var value = weight * logSigmoid, slope = weight * sigma / (1 + Foundation.exp(x))
                        if reductionLog == .binary { value /= M_LN2; slope /= M_LN2 }
                        total -= value
                        pairs += 1
                        if abs(logits[order[i]] - logits[order[j]]) < 1e8 {
                            gradient[order[i]] -= slope
                            gradient[order[j]] += slope
                        }
                    }
                }
                gradients.append(gradient)
            }
            let count = Double(max(pairs, 1))
            return (total / count, gradients.map { $0.map { $0 / count } })
        }

        func weight(_ i: Int, _ j: Int, gain: [Double], discount: [Double]) -> Double {
            func ndcgLoss2() -> Double {
                guard i != j else { return 0 }
                let delta = abs(i - j)
                return abs(1 / discount[delta - 1] - 1 / discount[delta]) * abs(gain[i] - gain[j])
            }
            func lambdaRank() -> Double { abs(1 / discount[i] - 1 / discount[j]) * abs(gain[i] - gain[j]) }
            switch weightingScheme {
            case .none: return 1
            case .ndcgLoss1: return gain[i] / discount[i]
            case .ndcgLoss2: return ndcgLoss2()
            case .lambdaRank: return lambdaRank()
            case .ndcgLoss2PP(let mu): return mu * ndcgLoss2() + lambdaRank()
            }
        }
    }
}
