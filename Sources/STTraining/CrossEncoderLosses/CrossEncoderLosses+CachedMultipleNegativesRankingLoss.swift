extension CrossEncoderLosses {
    /// sentence-transformers' cross-encoder `CachedMultipleNegativesRankingLoss`: the same pairs and loss as
    /// ``MultipleNegativesRankingLoss``, trained with a gradient cache (GradCache, Gao et al., 2021): all pairs are scored
    /// in chunks of `miniBatchSize` without keeping activations, then each chunk is run again and back-propagated with
    /// its share of the logits' gradients, so a large batch of candidates needs the memory of one chunk.
    public struct CachedMultipleNegativesRankingLoss: CrossEncoderLoss {
        public var base: MultipleNegativesRankingLoss
        public var miniBatchSize: Int

        /// - Throws: ``TrainingError/invalidArgument(_:)`` for a `miniBatchSize` below 1.
        public init(numNegatives: Int? = 4, scale: Double = 10, miniBatchSize: Int = 32, seed: UInt64 = 0) throws {
            guard miniBatchSize > 0 else {
                throw TrainingError.invalidArgument("CachedMultipleNegativesRankingLoss: mini_batch_size must be at least 1, got \(miniBatchSize)")
            }
            base = MultipleNegativesRankingLoss(numNegatives: numNegatives, scale: scale, seed: seed)
            self.miniBatchSize = miniBatchSize
        }

        public var name: String { "CachedMultipleNegativesRankingLoss" }
        public var parameters: [String: String] { base.parameters.merging(["mini_batch_size": "\(miniBatchSize)"]) { $1 } }
        public var cachedMiniBatchSize: Int? { miniBatchSize }

        public func pairGroups(_ columns: [[String]]) throws -> [[(String, String)]] { try base.pairGroups(columns) }
        public func compute(_ input: LossInput) throws -> LossOutput { try base.compute(input) }
    }
}
