/// Text being normalized, one Unicode scalar at a time, with the position in the original text each scalar
/// came from, so that tokens can always be mapped back to the input.
public struct NormalizedText: Sendable, Equatable {
    /// The current scalars.
    public var scalars: [Unicode.Scalar]
    /// `origins[i]` = index, in the original text's scalars, of the scalar that produced `scalars[i]`.
    public var origins: [Int]

    /// Wraps `text` unchanged; `origin` is the index of its first scalar in the whole input.
    public init(_ text: Substring.UnicodeScalarView, origin: Int = 0) {
        scalars = Array(text)
        origins = Array(origin..<(origin + scalars.count))
    }

    public init(scalars: [Unicode.Scalar], origins: [Int]) {
        precondition(scalars.count == origins.count, "NormalizedText: one origin per scalar")
        self.scalars = scalars
        self.origins = origins
    }

    public var isEmpty: Bool { scalars.isEmpty }
    public var string: String { String(String.UnicodeScalarView(scalars)) }

    /// Replaces every scalar by the scalars `transform` returns for it (none removes it); new scalars keep
    /// the origin of the one they replace.
    public mutating func transform(_ transform: (Unicode.Scalar) -> [Unicode.Scalar]?) {
        var newScalars: [Unicode.Scalar] = []
        var newOrigins: [Int] = []
        newScalars.reserveCapacity(scalars.count)
        newOrigins.reserveCapacity(scalars.count)
        for (scalar, origin) in zip(scalars, origins) {
            guard let replacement = transform(scalar) else {
                newScalars.append(scalar)
                newOrigins.append(origin)
                continue
            }
            for item in replacement {
                newScalars.append(item)
                newOrigins.append(origin)
            }
        }
        scalars = newScalars
        origins = newOrigins
    }

    /// The sub-text of scalars `range`.
    public func slice(_ range: Range<Int>) -> NormalizedText {
        NormalizedText(scalars: Array(scalars[range]), origins: Array(origins[range]))
    }

    /// The span of the original text this sub-text came from, as scalar indices.
    public var originalRange: Range<Int>? {
        guard let first = origins.min(), let last = origins.max() else { return nil }
        return first..<(last + 1)
    }
}
