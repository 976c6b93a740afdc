// `import STMilvus` alone names the stores' documents, embeddings and filters.
@_exported import SentenceTransformers
