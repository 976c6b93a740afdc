// `import STTraining` alone names what training takes and returns: models, datasets' `Embeddings`, evaluators.
@_exported import SentenceTransformers
