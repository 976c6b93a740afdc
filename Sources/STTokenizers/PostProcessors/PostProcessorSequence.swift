/// Post-processors applied one after another (`"type": "Sequence"`), e.g. ByteLevel offset trimming then a template.
public struct PostProcessorSequence: PostProcessor {
    public var processors: [any PostProcessor]

    public init(_ processors: [any PostProcessor]) { self.processors = processors }

    public func addedTokenCount(isPair: Bool) -> Int { processors.reduce(0) { $0 + $1.addedTokenCount(isPair: isPair) } }

    public func process(_ first: Encoding, pair second: Encoding?) -> Encoding {
        // Every processor but the last sees the sequences apart; the last one joins them.
        var first = first, second = second
        for processor in processors.dropLast() {
            first = processor.process(first, pair: nil)
            second = second.map { processor.process($0, pair: nil) }
        }
        guard let last = processors.last else {
            if let other = second { first.append(other) }
            return first
        }
        return last.process(first, pair: second)
    }
}
