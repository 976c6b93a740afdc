import STTensor

/// `BertEmbeddings`: word + absolute position + token type embeddings, then LayerNorm.
struct BertEmbeddings: Sendable {
    let wordEmbeddings: Tensor      // [vocabSize, hidden]
    let positionEmbeddings: Tensor  // [maxPositionEmbeddings, hidden]
    let tokenTypeEmbeddings: Tensor? // [typeVocabSize, hidden]; DistilBERT-style models have none
    let layerNorm: LayerNormParameters

    init(_ weights: WeightLoader, config: BertConfig) throws {
        let hidden = config.hiddenSize
        wordEmbeddings = try weights.tensor("word_embeddings.weight", shape: [config.vocabSize, hidden])
        positionEmbeddings = try weights.tensor("position_embeddings.weight", shape: [config.maxPositionEmbeddings, hidden])
        tokenTypeEmbeddings = config.typeVocabSize > 0
            ? try weights.tensor("token_type_embeddings.weight", shape: [config.typeVocabSize, hidden]) : nil
        layerNorm = try LayerNormParameters(weights, "LayerNorm", channels: hidden, epsilon: Float(config.layerNormEps))
    }

    /// Writes `[tokenCount, hidden]` embeddings of `batch` into `output`; positions restart at 0 for each sequence.
    func forward(_ batch: TokenBatch, into output: UnsafeMutablePointer<Float>) {
        let hidden = wordEmbeddings.shape[1]
        let words = wordEmbeddings.baseAddress
        let positions = positionEmbeddings.baseAddress
        let types = tokenTypeEmbeddings?.baseAddress
        for sequence in batch.sequences {
            for (position, row) in sequence.enumerated() {
                let y = output + row * hidden
                let word = words + Int(batch.inputIDs[row]) * hidden
                let place = positions + position * hidden
                if let types {
                    let type = types + Int(batch.tokenTypeIDs[row]) * hidden
                    for c in 0..<hidden { y[c] = word[c] + type[c] + place[c] }
                } else {
                    for c in 0..<hidden { y[c] = word[c] + place[c] }
                }
            }
        }
        layerNorm.forward(output, rows: batch.tokenCount, into: output)
    }

    var parameterCount: Int {
        wordEmbeddings.count + positionEmbeddings.count + (tokenTypeEmbeddings?.count ?? 0) + layerNorm.parameterCount
    }
}
