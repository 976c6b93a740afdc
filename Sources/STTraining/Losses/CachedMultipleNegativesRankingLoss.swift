/// ``MultipleNegativesRankingLoss`` with GradCache: the trainer embeds each column in mini-batches without keeping
/// activations, computes the loss and the embeddings' gradients over the whole batch, then re-runs each mini-batch
/// with activations and back-propagates its slice of those gradients. The gradients equal MNRL's on the same batch,
/// while memory grows with `miniBatchSize`, not with the batch, so batches of 256 and more fit in little memory.
///
/// | Inputs | Labels |
/// |---|---|
/// | (anchor, positive) pairs, optionally with negative columns | none |
///
/// Defaults: `scale = 20`, `similarity = .cosine`, `miniBatchSize = 32`.
///
/// Reference: Gao et al., *Scaling Deep Contrastive Learning Batch Size under Memory Limited Setup* (arXiv:2101.06983).
public struct CachedMultipleNegativesRankingLoss: SentenceLoss {
    public var scale: Double
    public var similarity: PairSimilarity
    public var chunkRows: Int

    public init(scale: Double = 20, similarity: PairSimilarity = .cosine, miniBatchSize: Int = 32) {
        self.scale = scale
        self.similarity = similarity
        chunkRows = max(1, miniBatchSize)
    }

    public var name: String { "CachedMultipleNegativesRankingLoss" }
    public var parameters: [String: String] {
        ["scale": "\(scale)", "similarity_fct": similarity.rawValue, "mini_batch_size": "\(chunkRows)"]
    }
    public var miniBatchSize: Int? { chunkRows }

    public func compute(_ input: LossInput) throws -> LossOutput {
        try require(input, columns: 2...Int.max, labels: false)
        return InBatchNegatives.compute(input, scale: scale, similarity: similarity, symmetric: false)
    }
}
