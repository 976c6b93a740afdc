/// Full lowercase mapping of every scalar (`"type": "Lowercase"`).
public struct Lowercase: Normalizer {
    public init() {}
    public func normalize(_ text: inout NormalizedText) { text.transform { $0.lowercaseMapping } }
}

/// Removes non-spacing marks (`"type": "StripAccents"`); usually placed after NFD.
public struct StripAccents: Normalizer {
    public init() {}
    public func normalize(_ text: inout NormalizedText) { text.transform { $0.isNonspacingMark ? [] : nil } }
}

/// Removes whitespace at the start and/or the end (`"type": "Strip"`).
public struct Strip: Normalizer {
    public var left: Bool
    public var right: Bool

    public init(left: Bool = true, right: Bool = true) {
        self.left = left
        self.right = right
    }

    init(json: JSONValue) throws {
        let fields = ComponentFields(component: "Strip", json: json)
        self.init(left: try fields.bool("strip_left", default: true), right: try fields.bool("strip_right", default: true))
    }

    public func normalize(_ text: inout NormalizedText) {
        var start = 0, end = text.count
        if left { while start < end, text.scalars[start].isTokenizerWhitespace { start += 1 } }
        if right { while end > start, text.scalars[end - 1].isTokenizerWhitespace { end -= 1 } }
        if start != 0 || end != text.count { text = text.slice(start..<end) }
    }
}

/// Puts a string before non-empty text (`"type": "Prepend"`).
public struct Prepend: Normalizer {
    public var prefix: String

    public init(_ prefix: String) { self.prefix = prefix }

    init(json: JSONValue) throws {
        self.init(try ComponentFields(component: "Prepend", json: json).string("prepend"))
    }

    public func normalize(_ text: inout NormalizedText) {
        guard !text.isEmpty else { return }
        text.prepend(Array(prefix.unicodeScalars))
    }
}
