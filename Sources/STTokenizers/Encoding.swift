/// The output of a tokenizer for one input (or one pair of inputs): the model's inputs plus what maps tokens
/// back to text.
public struct Encoding: Sendable, Equatable {
    public var ids: [Int]
    public var typeIDs: [Int]
    public var tokens: [String]
    /// Scalar indices in the original text (for a pair, in the text the token came from).
    public var offsets: [Range<Int>]
    /// 1 for tokens the post-processor added (`[CLS]`, `[SEP]`, ...), else 0.
    public var specialTokensMask: [Int]
    /// 1 for real tokens, 0 for padding.
    public var attentionMask: [Int]

    public init(ids: [Int] = [], typeIDs: [Int] = [], tokens: [String] = [], offsets: [Range<Int>] = [],
                specialTokensMask: [Int] = [], attentionMask: [Int] = []) {
        self.ids = ids
        self.typeIDs = typeIDs
        self.tokens = tokens
        self.offsets = offsets
        self.specialTokensMask = specialTokensMask
        self.attentionMask = attentionMask
    }

    /// An encoding of model tokens (no special tokens yet) with one type id.
    init(tokens modelTokens: [Token], typeID: Int = 0, special: Bool = false) {
        ids = modelTokens.map(\.id)
        tokens = modelTokens.map(\.value)
        offsets = modelTokens.map(\.offsets)
        typeIDs = Array(repeating: typeID, count: modelTokens.count)
        specialTokensMask = Array(repeating: special ? 1 : 0, count: modelTokens.count)
        attentionMask = Array(repeating: 1, count: modelTokens.count)
    }

    public var count: Int { ids.count }

    /// Keeps at most `maxLength` tokens, dropping from the end (`.right`) or the start (`.left`).
    public mutating func truncate(to maxLength: Int, direction: TruncationDirection = .right) {
        let maxLength = max(0, maxLength)
        guard count > maxLength else { return }
        let keep = direction == .right ? 0..<maxLength : (count - maxLength)..<count
        ids = Array(ids[keep])
        typeIDs = Array(typeIDs[keep])
        tokens = Array(tokens[keep])
        offsets = Array(offsets[keep])
        specialTokensMask = Array(specialTokensMask[keep])
        attentionMask = Array(attentionMask[keep])
    }

    /// Appends `other` after this encoding.
    public mutating func append(_ other: Encoding) {
        ids += other.ids
        typeIDs += other.typeIDs
        tokens += other.tokens
        offsets += other.offsets
        specialTokensMask += other.specialTokensMask
        attentionMask += other.attentionMask
    }

    /// Pads to `length` with `padID`, on the right or the left.
    public mutating func pad(to length: Int, padID: Int, padTypeID: Int, padToken: String, direction: TruncationDirection = .right) {
        let missing = length - count
        guard missing > 0 else { return }
        func padded<T>(_ values: [T], _ filler: T) -> [T] {
            let extra = Array(repeating: filler, count: missing)
            return direction == .right ? values + extra : extra + values
        }
        ids = padded(ids, padID)
        typeIDs = padded(typeIDs, padTypeID)
        tokens = padded(tokens, padToken)
        offsets = padded(offsets, 0..<0)
        specialTokensMask = padded(specialTokensMask, 1)
        attentionMask = padded(attentionMask, 0)
    }
}

/// Which end of a sequence truncation or padding acts on.
public enum TruncationDirection: String, Sendable {
    case right = "Right"
    case left = "Left"
}
