import STModels

/// What the encoder's training forward pass keeps (every activation) for its backward pass.
struct TransformerTape: ModuleTape {
    let pass: TransformerModel.TrainingPass
    let hiddenSize: Int
}

extension Transformer: TrainableModule {
    /// Runs the encoder on the trained weights, keeping its activations.
    /// - Throws: ``SentenceTransformerError/invalidArgument(_:)`` for a module that cannot be trained (a fill-mask
    ///   head, weights not loaded for training), ``ModelError/invalidInput(_:)`` for ids the model cannot take.
    public func forward(_ features: inout Features, context: TrainingContext) throws -> any ModuleTape {
        try forward(batch(of: features), into: &features, context: context)
    }

    /// The training forward pass on an already tokenized batch: sets ``Features/tokenEmbeddings`` and
    /// ``Features/sequences`` as ``forward(_:)`` does.
    /// - Throws: as ``forward(_:context:)``.
    public func forward(_ batch: TokenBatch, into features: inout Features, context: TrainingContext) throws -> any ModuleTape {
        guard task != .fillMask else {
            throw SentenceTransformerError.invalidArgument("\(summary) cannot be trained yet: its masked-language-model head has no backward pass")
        }
        guard let model = encoder as? TransformerModel else {
            throw SentenceTransformerError.invalidArgument("\(summary) has no trainable encoder")
        }
        let pass = try model.forwardTraining(batch, bank: context.bank, dropout: context.dropout)
        features.tokenEmbeddings = Array(UnsafeBufferPointer(start: pass.lastHiddenState, count: batch.tokenCount * model.hiddenSize))
        features.tokenDimension = model.hiddenSize
        features.sequences = batch.sequences
        if features.promptLengths.count != batch.sequences.count { features.promptLengths = Array(repeating: 0, count: batch.sequences.count) }
        return TransformerTape(pass: pass, hiddenSize: model.hiddenSize)
    }

    /// Accumulates every encoder parameter's gradient from the gradient of the token embeddings.
    /// - Throws: ``SentenceTransformerError/invalidArgument(_:)`` for another module's tape or a gradient of
    ///   another shape.
    public func backward(_ gradients: inout FeatureGradients, tape: any ModuleTape, context: TrainingContext) throws {
        let tape = try self.tape(tape, as: TransformerTape.self)
        guard let model = encoder as? TransformerModel else {
            throw SentenceTransformerError.invalidArgument("\(summary) has no trainable encoder")
        }
        try check(gradients.tokenEmbeddings, count: tape.pass.batch.tokenCount * tape.hiddenSize, "token embeddings")
        gradients.tokenEmbeddings.withUnsafeBufferPointer { dOutput in
            guard let dOutput = dOutput.baseAddress else { return }
            model.backward(tape.pass, dOutput: dOutput, bank: context.bank)
        }
        gradients.tokenEmbeddings = []
    }
}
