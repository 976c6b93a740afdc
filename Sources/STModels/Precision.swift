/// The arithmetic of a model's transformer projections (the matrix multiplies that hold almost all of its work).
///
/// - `float32`: exact to the reference (the parity tests' tolerances).
/// - `int8`: weights quantized per output channel at load, activations per token on each call, int32 sums with AVX-512
///   VNNI (a portable fallback elsewhere). Embeddings, LayerNorm, attention and pooling stay in float32. Faster and
///   smaller, at a small accuracy cost that `sbert bench --precision int8` measures (cosine to float32, STS-B).
public enum Precision: String, Sendable, CaseIterable, Codable {
    case float32 = "fp32"
    case int8
}
