import Foundation

/// Comparisons shared by the parity tests.
public enum ParityChecks {
    /// The largest `|a − b| / max(1, |b|)`: absolute for values below 1, relative above (the tolerance the tiny
    /// models' fixtures suggest for their unnormalized outputs).
    public static func maxScaledDifference(_ a: [Float], _ b: [Float]) -> Float {
        guard a.count == b.count else { return .infinity }
        return zip(a, b).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
    }

    public static func maxDifference(_ a: [Float], _ b: [Float]) -> Float {
        guard a.count == b.count else { return .infinity }
        return zip(a, b).map { abs($0 - $1) }.max() ?? 0
    }

    public static func cosine(_ a: [Float], _ b: [Float]) -> Double {
        var dot = 0.0, na = 0.0, nb = 0.0
        for (x, y) in zip(a, b) { dot += Double(x) * Double(y); na += Double(x) * Double(x); nb += Double(y) * Double(y) }
        return dot / max(1e-30, na.squareRoot() * nb.squareRoot())
    }

    /// A fixture's `[[Float]]` rows flattened.
    public static func matrix(_ value: Any?) -> [Float] {
        ((value as? [Any]) ?? []).flatMap { TestResources.floats($0) }
    }
}
