import STKernels

/// Fills dropout masks during training: 0 with probability `p`, else `1 / (1 − p)` (inverted dropout).
public protocol DropoutSource: AnyObject {
    func fillDropoutMask(_ mask: UnsafeMutablePointer<Float>, count: Int, probability: Float)
}

/// Dropout probabilities as the architecture's config gives them, and where the masks come from.
public struct Dropout {
    public var rates: DropoutRates
    public let source: any DropoutSource

    public init(rates: DropoutRates, source: any DropoutSource) {
        self.rates = rates
        self.source = source
    }
}

/// The dropout probabilities of an architecture (`hidden_dropout_prob`, `attention_probs_dropout_prob`, …).
public struct DropoutRates: Sendable, Equatable {
    /// After the embeddings.
    public var embedding: Float = 0
    /// On each branch (attention output, feed-forward output) before its residual sum.
    public var hidden: Float = 0
    /// On the attention probabilities.
    public var attention: Float = 0

    public init(embedding: Float = 0, hidden: Float = 0, attention: Float = 0) {
        self.embedding = embedding
        self.hidden = hidden
        self.attention = attention
    }
}

/// What every layer of one forward pass over a group of sequences shares.
struct ForwardPass {
    let sequences: [Range<Int>]
    /// Per sequence, the keys every query may see (``TokenBatch/keyLimits``); inference only.
    var keyLimits: [Int]? = nil
    let tokens: Int
    /// The trainable parameters (training), nil for inference.
    let bank: ParameterBank?
    /// Training with dropout.
    let dropout: Dropout?
    /// MPNet's relative position bias for this group.
    let scoreBias: Attention.ScoreBias?
    /// Rotary cosines and sines per theta, for the group's longest sequence.
    let rotaryTables: [Double: (cos: [Float], sin: [Float])]

    /// A dropout probability when dropout is on and the rate is positive.
    func dropoutRate(_ rate: KeyPath<DropoutRates, Float>) -> Float? {
        guard let dropout, dropout.rates[keyPath: rate] > 0 else { return nil }
        return dropout.rates[keyPath: rate]
    }

    /// Multiplies `x` by a fresh dropout mask kept in `record` under `role`.
    func applyDropout(_ x: UnsafeMutablePointer<Float>, count: Int, rate: Float, role: ActivationRecord.Role, record: ActivationRecord) {
        guard let dropout else { return }
        let mask = record.buffer(role, count)
        dropout.source.fillDropoutMask(mask, count: count, probability: rate)
        for k in 0..<count { x[k] *= mask[k] }
    }
}
