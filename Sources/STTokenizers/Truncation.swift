/// How long inputs are cut (`"truncation"` in tokenizer.json, or `truncation=True, max_length=N` in Python).
public struct Truncation: Sendable, Equatable {
    public enum Strategy: String, Sendable {
        /// Remove from the longer of the two sequences, one token at a time (the default).
        case longestFirst = "LongestFirst"
        case onlyFirst = "OnlyFirst"
        case onlySecond = "OnlySecond"
    }

    /// Maximum length including the special tokens the post-processor adds.
    public var maxLength: Int
    public var strategy: Strategy
    public var direction: TruncationDirection

    public init(maxLength: Int, strategy: Strategy = .longestFirst, direction: TruncationDirection = .right) {
        self.maxLength = maxLength
        self.strategy = strategy
        self.direction = direction
    }

    /// Cuts `first` (and `second`) so that together they hold at most `budget` tokens.
    func apply(first: inout Encoding, second: inout Encoding?, budget: Int) {
        let budget = max(0, budget)
        guard var other = second else {
            if strategy != .onlySecond { first.truncate(to: budget, direction: direction) }
            return
        }
        guard first.count + other.count > budget else { return }
        switch strategy {
        case .longestFirst:
            // The shorter input keeps its length while it fits in half the budget; otherwise both get half.
            var shorter = min(first.count, other.count)
            var longer = max(first.count, other.count)
            longer = shorter > budget ? shorter : max(shorter, budget - shorter)
            if shorter + longer > budget {
                shorter = budget / 2
                longer = shorter + budget % 2
            }
            let firstIsShorter = first.count <= other.count
            first.truncate(to: firstIsShorter ? shorter : longer, direction: direction)
            other.truncate(to: firstIsShorter ? longer : shorter, direction: direction)
        case .onlyFirst:
            first.truncate(to: max(0, budget - other.count), direction: direction)
        case .onlySecond:
            other.truncate(to: max(0, budget - first.count), direction: direction)
        }
        second = other
    }
}

/// How a batch is padded (`"padding"` in tokenizer.json).
public struct Padding: Sendable, Equatable {
    /// The longest fixed length or multiple a `tokenizer.json` may ask for: every padded encoding holds six arrays
    /// of that length (48 MB at this bound), so a file asking for 2^62 would exhaust memory on the first batch.
    public static let maximumLength = 1 << 20

    public enum Strategy: Sendable, Equatable {
        /// To the longest encoding of the batch.
        case longest
        /// To a fixed length.
        case fixed(Int)
    }

    public var strategy: Strategy
    public var direction: TruncationDirection
    public var padToMultipleOf: Int?
    public var padID: Int
    public var padTypeID: Int
    public var padToken: String

    public init(strategy: Strategy = .longest, direction: TruncationDirection = .right, padToMultipleOf: Int? = nil,
                padID: Int = 0, padTypeID: Int = 0, padToken: String = "[PAD]") {
        self.strategy = strategy
        self.direction = direction
        self.padToMultipleOf = padToMultipleOf
        self.padID = padID
        self.padTypeID = padTypeID
        self.padToken = padToken
    }

    /// Pads every encoding of `batch` to the target length.
    public func apply(to batch: inout [Encoding]) {
        var target: Int
        switch strategy {
        case .longest: target = batch.map(\.count).max() ?? 0
        case let .fixed(length): target = length
        }
        if let multiple = padToMultipleOf, multiple > 0, target % multiple != 0 {
            target += multiple - target % multiple
        }
        for index in batch.indices {
            batch[index].pad(to: target, padID: padID, padTypeID: padTypeID, padToken: padToken, direction: direction)
        }
    }
}
