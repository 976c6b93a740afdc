/// What pooling's backward pass reads: the token embeddings it pooled and where each sequence's counted rows are.
struct PoolingTape: ModuleTape {
    let tokens: [Float]
    let dimension: Int
    let sequences: [Range<Int>]
    let promptLengths: [Int]
}

extension Pooling: TrainableModule {
    public func forward(_ features: inout Features, context: TrainingContext) throws -> any ModuleTape {
        let tape = PoolingTape(tokens: features.tokenEmbeddings, dimension: features.tokenDimension, sequences: features.sequences,
                               promptLengths: features.promptLengths)
        try forward(&features)
        return tape
    }

    /// Spreads each pooled block's gradient over the token rows it came from: by the mode's weights (mean, weighted
    /// mean, mean / √length), to the one row (cls, last token), or to the row holding each channel's maximum (the
    /// first such row).
    public func backward(_ gradients: inout FeatureGradients, tape: any ModuleTape, context: TrainingContext) throws {
        let tape = try self.tape(tape, as: PoolingTape.self)
        let d = tape.dimension, modes = configuration.poolingModes, width = d * modes.count
        try check(gradients.sentenceEmbeddings, count: tape.sequences.count * width, "sentence embeddings")
        var dTokens = [Float](repeating: 0, count: tape.tokens.count)
        for (index, sequence) in tape.sequences.enumerated() {
            let skip = configuration.includePrompt ? 0 : min(tape.promptLengths[index], sequence.count)
            let rows = (sequence.lowerBound + skip)..<sequence.upperBound
            for (block, mode) in modes.enumerated() {
                let dOut = index * width + block * d
                func spread(_ row: Int, _ weight: Float) {
                    for c in 0..<d { dTokens[row * d + c] += weight * gradients.sentenceEmbeddings[dOut + c] }
                }
                let count = Float(rows.count)
                switch mode {
                case .cls:
                    if !sequence.isEmpty { spread(sequence.lowerBound, 1) }
                case .lasttoken:
                    if let last = rows.last { spread(last, 1) }
                case .mean:
                    for row in rows { spread(row, 1 / Swift.max(count, 1e-9)) }
                case .meanSqrtLenTokens:
                    for row in rows { spread(row, 1 / Swift.max(count, 1e-9).squareRoot()) }
                case .weightedmean:
                    let total = rows.reduce(Float(0)) { $0 + Float($1 - sequence.lowerBound + 1) }
                    for row in rows { spread(row, Float(row - sequence.lowerBound + 1) / Swift.max(total, 1e-9)) }
                case .max:
                    for c in 0..<d {
                        guard var best = rows.first else { break }
                        for row in rows where tape.tokens[row * d + c] > tape.tokens[best * d + c] { best = row }
                        dTokens[best * d + c] += gradients.sentenceEmbeddings[dOut + c]
                    }
                }
            }
        }
        gradients.tokenEmbeddings = dTokens
        gradients.sentenceEmbeddings = []
    }
}
