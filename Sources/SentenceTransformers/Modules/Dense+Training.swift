import STModels

/// What the Dense module's backward pass reads: its input and its pre-activations.
struct DenseTape: ModuleTape {
    let input: [Float]
    let preActivation: [Float]
}

extension Dense: TrainableModule {
    public func forward(_ features: inout Features, context: TrainingContext) throws -> any ModuleTape {
        let (input, preActivation) = try project(&features, bank: context.bank)
        return DenseTape(input: input, preActivation: preActivation)
    }

    /// Through the activation (its derivative at the pre-activation), then the linear map: the input's gradient
    /// and, accumulated, the weight's and bias's.
    public func backward(_ gradients: inout FeatureGradients, tape: any ModuleTape, context: TrainingContext) throws {
        let tape = try self.tape(tape, as: DenseTape.self)
        let tokens = configuration.moduleInputName == "token_embeddings"
        let gradient = tokens ? gradients.tokenEmbeddings : gradients.sentenceEmbeddings
        try check(gradient, count: tape.preActivation.count, tokens ? "token embeddings" : "sentence embeddings")
        let rows = tape.preActivation.count / configuration.outFeatures
        var dPre = gradient
        for i in dPre.indices { dPre[i] *= activation.derivative(tape.preActivation[i]) }
        var dInput = [Float](repeating: 0, count: rows * configuration.inFeatures)
        tape.input.withUnsafeBufferPointer { x in
            dPre.withUnsafeBufferPointer { dy in
                dInput.withUnsafeMutableBufferPointer { dx in
                    guard let x = x.baseAddress, let dy = dy.baseAddress, let dx = dx.baseAddress else { return }
                    linear.backward(dInput: dx, dOutput: dy, input: x, rows: rows, bank: context.bank)
                }
            }
        }
        if tokens { gradients.tokenEmbeddings = dInput } else { gradients.sentenceEmbeddings = dInput }
    }
}
