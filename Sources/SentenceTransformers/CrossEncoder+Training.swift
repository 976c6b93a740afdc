import STModels

extension CrossEncoder {
    /// What a cross-encoder's training forward pass keeps for its backward pass.
    public struct Tape {
        let transformer: any ModuleTape
        let head: SequenceClassificationHead.Tape
        let tokenCount: Int
    }

    /// The logits `[batch.sequences.count, numLabels]` of a training forward pass on the weights of `context` (the
    /// model loaded on a training ``WeightSourceProvider``), with dropout in the encoder and the head when
    /// `context.dropout` is set.
    /// - Throws: ``SentenceTransformerError/invalidArgument(_:)`` for a model that cannot be trained,
    ///   ``ModelError/invalidInput(_:)`` for ids the model cannot take.
    public func forward(_ batch: TokenBatch, context: TrainingContext) throws -> (logits: [Float], tape: Tape) {
        var features = Features(encodings: [])
        let transformerTape = try transformer.forward(batch, into: &features, context: context)
        let (logits, headTape) = head.forward(tokens: features.tokenEmbeddings, sequences: batch.sequences, bank: context.bank,
                                              dropout: context.dropout?.source)
        return (logits, Tape(transformer: transformerTape, head: headTape, tokenCount: batch.tokenCount))
    }

    /// Accumulates every parameter's gradient into `context.bank` from `dLogits`, the gradient of the loss with
    /// respect to the logits of `tape`'s pass.
    /// - Throws: ``SentenceTransformerError/invalidArgument(_:)`` when `dLogits` does not have the logits' shape.
    public func backward(dLogits: [Float], tape: Tape, context: TrainingContext) throws {
        guard dLogits.count == tape.head.sequences.count * numLabels else {
            throw SentenceTransformerError.invalidArgument("CrossEncoder backward: \(dLogits.count) logit gradients for \(tape.head.sequences.count) pairs × \(numLabels) labels")
        }
        var dTokens = [Float](repeating: 0, count: tape.tokenCount * transformer.encoder.hiddenSize)
        dLogits.withUnsafeBufferPointer { dy in
            dTokens.withUnsafeMutableBufferPointer { dx in
                guard let dy = dy.baseAddress, let dx = dx.baseAddress else { return }
                head.backward(dLogits: dy, tape: tape.head, bank: context.bank, dTokens: dx)
            }
        }
        var gradients = FeatureGradients(tokenEmbeddings: dTokens)
        try transformer.backward(&gradients, tape: tape.transformer, context: context)
    }
}
