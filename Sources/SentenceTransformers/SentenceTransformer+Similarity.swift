extension SentenceTransformer {
    /// Scores of every row of `a` against every row of `b` with the model's ``similarityFunction``
    /// (or `function`): `[a.count, b.count]`.
    public func similarity(_ a: Embeddings, _ b: Embeddings, function: SimilarityFunction? = nil) throws -> Embeddings {
        try (function ?? similarityFunction).matrix(a, b)
    }

    /// Scores of row `i` of `a` against row `i` of `b`.
    public func similarityPairwise(_ a: Embeddings, _ b: Embeddings, function: SimilarityFunction? = nil) throws -> [Float] {
        try (function ?? similarityFunction).pairwise(a, b)
    }
}
