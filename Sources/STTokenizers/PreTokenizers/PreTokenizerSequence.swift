/// Pre-tokenizers applied one after another, each splitting the pieces of the previous (`"type": "Sequence"`).
public struct PreTokenizerSequence: PreTokenizer {
    public var preTokenizers: [any PreTokenizer]

    public init(_ preTokenizers: [any PreTokenizer]) { self.preTokenizers = preTokenizers }

    public func split(_ text: NormalizedText) throws -> [NormalizedText] {
        try preTokenizers.reduce([text]) { pieces, preTokenizer in try pieces.flatMap(preTokenizer.split) }
    }
}
