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

    func forward(_ batch: TokenBatch, outputHiddenStates: Bool) throws -> EncoderOutput {
        try embeddings.validate(batch)
        guard !outputHiddenStates, batch.tokenCount > Self.groupTokens else {
            return forwardAll(batch, outputHiddenStates: outputHiddenStates)
        }
        let hidden = embeddings.hidden
        var states = [Float](repeating: 0, count: batch.tokenCount * hidden)
        var group = TokenBatch()
        var groupStart = 0
        func flush() {
            guard group.tokenCount > 0 else { return }
            let output = forwardAll(group, outputHiddenStates: false)
            states.replaceSubrange((groupStart * hidden)..<((groupStart + group.tokenCount) * hidden), with: output.lastHiddenState)
            groupStart += group.tokenCount
            group = TokenBatch()
        }
        for sequence in batch.sequences {
            if group.tokenCount > 0, group.tokenCount + sequence.count > Self.groupTokens { flush() }
            group.append(inputIDs: batch.inputIDs[sequence].map(Int.init), tokenTypeIDs: batch.tokenTypeIDs[sequence].map(Int.init))
        }
        flush()
        return EncoderOutput(lastHiddenState: states, hiddenStates: [], hiddenSize: hidden)
    }

    private func forwardAll(_ batch: TokenBatch, outputHiddenStates: Bool) -> EncoderOutput {
        let hidden = embeddings.hidden
        let tokens = batch.tokenCount
        var states = [Float](repeating: 0, count: tokens * hidden)
        var allStates: [[Float]] = []
        let scratch = EncoderScratch(tokens: tokens, hidden: hidden, intermediate: intermediateSize)
        let longest = batch.sequences.map(\.count).max() ?? 0
        // The bias depends only on j − i, so one table for the longest sequence serves every sequence.
        var biasTable = relativeBias?.table(length: longest) ?? []
        states.withUnsafeMutableBufferPointer { buffer in
            biasTable.withUnsafeMutableBufferPointer { bias in
                guard let x = buffer.baseAddress else { return }
                // An empty array may still have a base address: only a real table makes a bias.
                let scoreBias = relativeBias == nil ? nil : bias.baseAddress.map { Attention.ScoreBias(values: $0, stride: longest) }
                embeddings.forward(batch, into: x)
                if outputHiddenStates { allStates.append(Array(buffer)) }
                for layer in layers {
                    layer.forward(x, sequences: batch.sequences, tokens: tokens, scoreBias: scoreBias, scratch: scratch)
                    if outputHiddenStates { allStates.append(Array(buffer)) }
                }
            }
        }
        return EncoderOutput(lastHiddenState: states, hiddenStates: allStates, hiddenSize: hidden)
    }

    var parameterCount: Int {
        embeddings.parameterCount + layers.reduce(0) { $0 + $1.parameterCount } + (relativeBias?.weight.count ?? 0)
    }
}
