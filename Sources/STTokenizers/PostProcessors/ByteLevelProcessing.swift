/// The byte-level post-processor (`"type": "ByteLevel"` in `post_processor`): with `trim_offsets`, every token's
/// offsets shrink to leave out the spaces at its ends (`Ġ` or whitespace in the token's text), so `Ġworld` starts at
/// `w`. With `add_prefix_space`, one leading space of the first token is kept (it was added, not in the text).
public struct ByteLevelProcessing: PostProcessor {
    public var trimOffsets: Bool
    public var addPrefixSpace: Bool

    public init(trimOffsets: Bool = true, addPrefixSpace: Bool = true) {
        self.trimOffsets = trimOffsets
        self.addPrefixSpace = addPrefixSpace
    }

    init(json: JSONValue) throws {
        let fields = ComponentFields(component: "ByteLevel post_processor", json: json)
        self.init(trimOffsets: try fields.bool("trim_offsets", default: true), addPrefixSpace: try fields.bool("add_prefix_space", default: true))
    }

    public func addedTokenCount(isPair: Bool) -> Int { 0 }

    public func process(_ first: Encoding, pair second: Encoding?) -> Encoding {
        var first = first
        if trimOffsets { Self.trimOffsets(&first, addPrefixSpace: addPrefixSpace) }
        guard var other = second else { return first }
        if trimOffsets { Self.trimOffsets(&other, addPrefixSpace: addPrefixSpace) }
        first.append(other)
        return first
    }

    static func trimOffsets(_ encoding: inout Encoding, addPrefixSpace: Bool) {
        let space = ByteLevelAlphabet.characterForByte[0x20]
        let isSpace: (Unicode.Scalar) -> Bool = { $0 == space || $0.isTokenizerWhitespace }
        for index in encoding.tokens.indices {
            let scalars = Array(encoding.tokens[index].unicodeScalars)
            var leading = scalars.prefix(while: isSpace).count
            let trailing = scalars.reversed().prefix(while: isSpace).count
            guard leading > 0 || trailing > 0 else { continue }
            var offsets = encoding.offsets[index]
            if leading > 0 {
                let isFirst = index == 0 || offsets.lowerBound == 0
                if isFirst, addPrefixSpace, leading == 1 { leading = 0 }
                let start = min(offsets.lowerBound + leading, offsets.upperBound)
                offsets = start..<offsets.upperBound
            }
            if trailing > 0, offsets.upperBound >= trailing {
                offsets = offsets.lowerBound..<max(offsets.upperBound - trailing, offsets.lowerBound)
            }
            encoding.offsets[index] = offsets
        }
    }
}
