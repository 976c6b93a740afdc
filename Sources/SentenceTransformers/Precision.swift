import STModels

/// The arithmetic of a model's transformer projections: `.float32` (exact to the reference) or `.int8` (quantized at
/// load, AVX-512 VNNI). `SentenceTransformer(directory: url, precision: .int8)`.
public typealias Precision = STModels.Precision
