import Foundation

extension CrossEncoderLosses {
    /// sentence-transformers' `ListNetLoss` (Cao et al., 2007, "Learning to Rank: From Pairwise Approach to Listwise
    /// Approach"): for each query, the cross entropy between the softmax of its documents' labels and the softmax of
    /// their logits, `mean over queries of −Σⱼ softmax(y)ⱼ · log softmax(s)ⱼ` (activation identity).
    public struct ListNetLoss: ListwiseLoss {
        public var miniBatchSize: Int?

        public init(miniBatchSize: Int? = nil) {
            self.miniBatchSize = miniBatchSize
        }

        public var name: String { "ListNetLoss" }
        public var parameters: [String: String] {
            ["activation_fn": "torch.nn.modules.linear.Identity", "mini_batch_size": miniBatchSize.map { "\($0)" } ?? "None"]
        }

        public func compute(lists: [(logits: [Double], labels: [Double])]) throws -> (loss: Double, gradients: [[Double]]) {
            let queries = Double(lists.count)
            var loss = 0.0
            var gradients: [[Double]] = []
            for (logits, labels) in lists {
                let target = LossMath.logSoftmax(labels).map { Foundation.exp($0) }
                let logPredicted = LossMath.logSoftmax(logits)
                loss -= zip(target, logPredicted).reduce(0) { $0 + $1.0 * $1.1 } / queries
                gradients.append(zip(logPredicted, target).map { (Foundation.exp($0) - $1) / queries })
            }
            return (loss, gradients)
        }
    }
}
