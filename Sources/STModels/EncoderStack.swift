import STKernels

/// Embeddings followed by transformer layers: the forward pass every encoder architecture here shares.
struct EncoderStack: Sendable {
    let embeddings: TransformerEmbeddings
    let layers: [TransformerLayer]
    let intermediateSize: Int
    /// MPNet's relative position bias (`[buckets, heads]` table); nil for absolute-position models.
    let relativeBias: RelativePositionBias?

    func forward(_ batch: TokenBatch, outputHiddenStates: Bool) throws -> EncoderOutput {
        try embeddings.validate(batch)
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
