/// Text being normalized, one Unicode scalar at a time, with the position in the original text each scalar
/// came from, so that tokens can always be mapped back to the input.
///
/// Alignment follows the reference library: a scalar that replaces another takes its origin; a scalar inserted
/// after another takes the origin of the last original scalar consumed so far; a token spans from the origin of its
/// first scalar to the end of its last scalar's.
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
    public var count: Int { scalars.count }
    public var string: String { String(String.UnicodeScalarView(scalars)) }

    /// Replaces every scalar by the scalars `transform` returns for it (nil keeps it, empty removes it). The first
    /// replacement scalar takes the origin of the one it replaces; the others count as inserted after it.
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

    /// Rewrites the text chunk by chunk: `chunks` yields consecutive ranges covering the scalars, and `rewrite`
    /// returns a chunk's replacement or nil to keep it. A replacement as long as its chunk maps one to one; a longer
    /// one inserts its extra scalars after the last one; a shorter one drops the chunk's last scalars.
    ///
    /// `originShift` moves every origin lookup that many scalars back (see ``Precompiled``, which must reproduce
    /// the reference library's offsets when text starts with removed characters).
    public mutating func rewrite(chunks: [Range<Int>], originShift: Int = 0, _ rewrite: (ArraySlice<Unicode.Scalar>) -> [Unicode.Scalar]?) {
        var newScalars: [Unicode.Scalar] = []
        var newOrigins: [Int] = []
        newScalars.reserveCapacity(scalars.count)
        newOrigins.reserveCapacity(scalars.count)
        var changed = false
        for chunk in chunks {
            let old = scalars[chunk]
            guard let replacement = rewrite(old) else {
                newScalars.append(contentsOf: old)
                for index in chunk { newOrigins.append(origins[max(0, index - originShift)]) }
                continue
            }
            changed = true
            for (index, scalar) in replacement.enumerated() {
                newScalars.append(scalar)
                // Past the old chunk's end, a scalar is an insertion: it takes the last consumed scalar's origin.
                newOrigins.append(origins[max(0, chunk.lowerBound + min(index, max(0, chunk.count - 1)) - originShift)])
            }
        }
        if changed {
            scalars = newScalars
            origins = newOrigins
        }
    }

    /// Puts `prefix` before the text; its scalars take the origin of the first scalar.
    public mutating func prepend(_ prefix: [Unicode.Scalar]) {
        guard let first = origins.first, !prefix.isEmpty else { return }
        scalars.insert(contentsOf: prefix, at: 0)
        origins.insert(contentsOf: Array(repeating: first, count: prefix.count), at: 0)
    }

    /// Puts `suffix` after the text; its scalars take the origin of the last scalar.
    public mutating func append(_ suffix: [Unicode.Scalar]) {
        guard let last = origins.last else { return }
        scalars.append(contentsOf: suffix)
        origins.append(contentsOf: Array(repeating: last, count: suffix.count))
    }

    /// The sub-text of scalars `range`.
    public func slice(_ range: Range<Int>) -> NormalizedText {
        NormalizedText(scalars: Array(scalars[range]), origins: Array(origins[range]))
    }

    /// The span of the original text this sub-text came from, as scalar indices: from its first scalar's origin to
    /// just after its last scalar's.
    public var originalRange: Range<Int>? {
        guard let first = origins.first, let last = origins.last else { return nil }
        return first..<max(first, last + 1)
    }

    /// The original span of scalars `range` of this text.
    public func originalRange(of range: Range<Int>) -> Range<Int> {
        guard !range.isEmpty else {
            let position = range.lowerBound < origins.count ? origins[range.lowerBound] : (origins.last.map { $0 + 1 } ?? 0)
            return position..<position
        }
        let first = origins[range.lowerBound], last = origins[range.upperBound - 1]
        return first..<max(first, last + 1)
    }
}
