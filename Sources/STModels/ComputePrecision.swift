import STKernels

/// The arithmetic of a model's transformer projections (the matrix multiplies that hold almost all of its work).
///
/// - `float32`: exact to the reference (the parity tests' tolerances).
/// - `int8`: weights quantized per output channel at load, activations per token on each call, exact int32 sums with
///   the active path's int8 instructions (VNNI, `vpmaddubsw`, `sdot`/`usdot`). Where the path has none (portable,
///   plain NEON), the same int8 weights are dequantized once and multiplied in fp32: never slower than `float32`.
///   Embeddings, LayerNorm, attention and pooling stay in float32. Faster and smaller, at a small accuracy cost that
///   `sbert bench --compute int8` measures (cosine to float32, STS-B).
public enum ComputePrecision: String, Sendable, CaseIterable, Codable {
    case float32 = "fp32"
    case int8

    /// How these projections are computed on `path`: "fp32", "int8" (naming 7-bit weights where the path
    /// takes them), or "fp32 on dequantized int8 weights" where the path has no fast int8 instructions (what
    /// `sbert info` and the server's `/info` report).
    public func arithmetic(on path: InstructionSet = .active) -> String {
        switch self {
        case .float32: return "fp32"
        case .int8:
            guard path.hasFastInt8 else { return "fp32 on dequantized int8 weights (no fast int8 instructions on the \(path) path)" }
            return path.int8WeightLimit < 127 ? "int8 (7-bit weights, ±\(path.int8WeightLimit): vpmaddubsw without VNNI)" : "int8"
        }
    }
}
