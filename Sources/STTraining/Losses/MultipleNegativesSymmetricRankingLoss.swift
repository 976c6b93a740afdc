/// ``MultipleNegativesRankingLoss`` in both directions: each anchor must find its positive among all candidates, and
/// each positive must find its anchor among all anchors; the two cross-entropies are averaged.
///
/// | Inputs | Labels |
/// |---|---|
/// | (anchor, positive) pairs | none |
/// | (anchor, positive, negative) triplets (negatives only in the anchor direction) | none |
///
/// Defaults: `scale = 20`, `similarity = .cosine`.
public struct MultipleNegativesSymmetricRankingLoss: SentenceLoss {
    public var scale: Double
    public var similarity: PairSimilarity

    public init(scale: Double = 20, similarity: PairSimilarity = .cosine) {
        self.scale = scale
        self.similarity = similarity
    }

    public var name: String { "MultipleNegativesSymmetricRankingLoss" }
    public var parameters: [String: String] { ["scale": "\(scale)", "similarity_fct": similarity.rawValue] }

    public func compute(_ input: LossInput) throws -> LossOutput {
        try require(input, columns: 2...Int.max, labels: false)
        return InBatchNegatives.compute(input, scale: scale, similarity: similarity, symmetric: true)
    }
}
