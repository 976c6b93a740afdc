import STKernels

/// Embeddings followed by transformer layers: the forward pass every encoder architecture here shares.
struct EncoderStack: Sendable {
    let embeddings: TransformerEmbeddings
    let layers: [TransformerLayer]
    let intermediateSize: Int
    /// MPNet's relative position bias (`[buckets, heads]` table); nil for absolute-position models.
    let relativeBias: RelativePositionBias?

    /// Batches with more tokens than this run through the layers in groups of whole sequences of about this size: the
    /// activations of a group stay in the caches between layers (measured: 256-token passages in batches of 32 run 15%
    /// faster this way), and the scratch memory stays small. Rows are independent, so the results are identical.
    static let groupTokens = 768

    /// Builds `count` layers one at a time, so that a config claiming more layers than the weights hold fails on the
    /// first missing tensor (`Range.map` would first reserve memory for all `count` of them).
    static func buildLayers(count: Int, _ make: (Int) throws -> TransformerLayer) rethrows -> [TransformerLayer] {
        var layers: [TransformerLayer] = []
        var index = 0
        while index < count {
            layers.append(try make(index))
            index += 1
        }
        return layers
    }

    func forward(_ batch: TokenBatch, outputHiddenStates: Bool) throws -> EncoderOutput {
        try embeddings.validate(batch)
        let hidden = embeddings.hidden
        // Hidden states of every layer are asked for whole; otherwise large batches run group by group.
        let groups = outputHiddenStates || batch.tokenCount <= Self.groupTokens ? [batch] : Self.groups(of: batch)
        let scratch = EncoderScratch(tokens: groups.map(\.tokenCount).max() ?? 0, hidden: hidden, intermediate: intermediateSize)
        var states = [Float](repeating: 0, count: batch.tokenCount * hidden)
        var allStates: [[Float]] = []
        states.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            var row = 0
            for group in groups {
                let x = base + row * hidden
                run(group, into: x, scratch: scratch) {
                    if outputHiddenStates { allStates.append(Array(UnsafeBufferPointer(start: x, count: group.tokenCount * hidden))) }
                }
                row += group.tokenCount
            }
        }
        return EncoderOutput(lastHiddenState: states, hiddenStates: allStates, hiddenSize: hidden)
    }

    /// Consecutive sequences of `batch` in groups of at most ``groupTokens`` tokens (a longer sequence alone).
    static func groups(of batch: TokenBatch) -> [TokenBatch] {
        var groups: [TokenBatch] = []
        var group = TokenBatch()
        for sequence in batch.sequences {
            if group.tokenCount > 0, group.tokenCount + sequence.count > groupTokens {
                groups.append(group)
                group = TokenBatch()
            }
            group.append(sequence, of: batch)
        }
        if group.tokenCount > 0 { groups.append(group) }
        return groups
    }

    /// Embeds `batch` into `x` `[tokens, hidden]` and runs every layer over it; `afterEach` sees the embeddings and
    /// each layer's output.
    private func run(_ batch: TokenBatch, into x: UnsafeMutablePointer<Float>, scratch: EncoderScratch, afterEach: () -> Void) {
        let longest = batch.sequences.map(\.count).max() ?? 0
        // The bias depends only on j − i, so one table for the longest sequence serves every sequence.
        let biasTable = relativeBias?.table(length: longest) ?? []
        biasTable.withUnsafeBufferPointer { bias in
            // An empty array may still have a base address: only a real table makes a bias.
            let scoreBias = relativeBias == nil ? nil : bias.baseAddress.map { Attention.ScoreBias(values: $0, stride: longest) }
            embeddings.forward(batch, into: x)
            afterEach()
            for layer in layers {
                layer.forward(x, sequences: batch.sequences, tokens: batch.tokenCount, scoreBias: scoreBias, scratch: scratch)
                afterEach()
            }
        }
    }

    var parameterCount: Int {
        embeddings.parameterCount + layers.reduce(0) { $0 + $1.parameterCount } + (relativeBias?.weight.count ?? 0)
    }
}
