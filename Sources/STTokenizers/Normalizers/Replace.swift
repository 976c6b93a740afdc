/// Replaces every match of a pattern (a literal string or a regular expression) by `content`
/// (`"type": "Replace"`, `{"pattern": {"String": "…"} | {"Regex": "…"}, "content": "…"}`).
public struct Replace: Normalizer {
    public let pattern: TextPattern
    public let content: [Unicode.Scalar]

    public init(pattern: TextPattern, content: String) {
        self.pattern = pattern
        self.content = Array(content.unicodeScalars)
    }

    init(json: JSONValue, component: String = "Replace") throws {
        let fields = ComponentFields(component: component, json: json)
        self.init(pattern: try TextPattern(json: json["pattern"], component: component), content: try fields.string("content"))
    }

    public func normalize(_ text: inout NormalizedText) throws {
        Self.replace(try pattern.matches(in: text.scalars), with: content, in: &text)
    }

    /// Replaces each of `matches` by `content`, whose scalars all take the origin of the match's last scalar (the
    /// reference library removes the match, then inserts the content after it).
    static func replace(_ matches: [Range<Int>], with content: [Unicode.Scalar], in text: inout NormalizedText) {
        guard !matches.isEmpty else { return }
        var scalars: [Unicode.Scalar] = []
        var origins: [Int] = []
        scalars.reserveCapacity(text.count)
        origins.reserveCapacity(text.count)
        var position = 0
        for match in matches {
            scalars += text.scalars[position..<match.lowerBound]
            origins += text.origins[position..<match.lowerBound]
            scalars += content
            origins += Array(repeating: text.origins[match.upperBound - 1], count: content.count)
            position = match.upperBound
        }
        scalars += text.scalars[position...]
        origins += text.origins[position...]
        text = NormalizedText(scalars: scalars, origins: origins)
    }
}
