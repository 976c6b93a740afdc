// `import STServer` alone names what `buildApplication` takes (the models) and what its errors carry (`APIError.status`,
// an HTTP status); `runService(shutdownTimeout:)` is ours. Hummingbird is not re-exported: its `Router` would clash
// with the library's ``Router`` module in every file that imports both.
@_exported import HTTPTypes
@_exported import SentenceTransformers
