/// What normalization's backward pass reads: its output and each row's norm before the clamp.
struct NormalizeTape: ModuleTape {
    let output: [Float]
    let norms: [Double]
}

extension Normalize: TrainableModule {
    public func forward(_ features: inout Features, context: TrainingContext) throws -> any ModuleTape {
        let norms = tokenEmbeddings ? Self.normalizeRows(&features.tokenEmbeddings, dimension: features.tokenDimension)
            : Self.normalizeRows(&features.sentenceEmbeddings, dimension: features.sentenceDimension)
        return NormalizeTape(output: tokenEmbeddings ? features.tokenEmbeddings : features.sentenceEmbeddings, norms: norms)
    }

    /// `y = x / max(‖x‖, ε)`: `dx = (dy − y·(y·dy)) / ‖x‖`, or `dy / ε` where the clamp held (its gradient does not
    /// reach the norm, as in `torch.nn.functional.normalize`).
    public func backward(_ gradients: inout FeatureGradients, tape: any ModuleTape, context: TrainingContext) throws {
        let tape = try self.tape(tape, as: NormalizeTape.self)
        var gradient = tokenEmbeddings ? gradients.tokenEmbeddings : gradients.sentenceEmbeddings
        try check(gradient, count: tape.output.count, tokenEmbeddings ? "token embeddings" : "sentence embeddings")
        let rows = tape.norms.count, d = rows == 0 ? 0 : tape.output.count / rows
        for row in 0..<rows {
            let y = row * d
            let norm = Swift.max(tape.norms[row], Self.epsilon)
            var dot: Double = 0
            if tape.norms[row] >= Self.epsilon {
                for k in 0..<d { dot += Double(tape.output[y + k]) * Double(gradient[y + k]) }
            }
            for k in 0..<d { gradient[y + k] = Float((Double(gradient[y + k]) - Double(tape.output[y + k]) * dot) / norm) }
        }
        if tokenEmbeddings { gradients.tokenEmbeddings = gradient } else { gradients.sentenceEmbeddings = gradient }
    }
}
