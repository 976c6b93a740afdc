/// The SBERT NLI objective: a linear classifier over `(u, v, |u − v|)` trained with cross-entropy, which shapes the
/// embeddings as a side effect. The classifier is trained with the model but is not part of the saved model.
///
/// | Inputs | Labels |
/// |---|---|
/// | (sentence A, sentence B) pairs | a class index in `0..<numLabels` |
///
/// Defaults follow sentence-transformers: `concatenationSentRep = true`, `concatenationSentDifference = true`,
/// `concatenationSentMultiplication = false`. The classifier starts as `torch.nn.Linear` does, uniform in
/// `±1/√fan_in`, from `seed`.
///
/// Reference: Reimers & Gurevych, *Sentence-BERT* (arXiv:1908.10084), section 3.
public struct SoftmaxLoss: SentenceLoss, @unchecked Sendable {
    public let sentenceEmbeddingDimension: Int
    public let numLabels: Int
    public let concatenationSentRep: Bool
    public let concatenationSentDifference: Bool
    public let concatenationSentMultiplication: Bool
    /// The classifier, `weight [numLabels, features]` then `bias [numLabels]`.
    public let classifier: ParameterSet

    public init(sentenceEmbeddingDimension: Int, numLabels: Int, concatenationSentRep: Bool = true,
                concatenationSentDifference: Bool = true, concatenationSentMultiplication: Bool = false, seed: UInt64 = 42) {
        self.sentenceEmbeddingDimension = sentenceEmbeddingDimension
        self.numLabels = numLabels
        self.concatenationSentRep = concatenationSentRep
        self.concatenationSentDifference = concatenationSentDifference
        self.concatenationSentMultiplication = concatenationSentMultiplication
        let features = sentenceEmbeddingDimension * ((concatenationSentRep ? 2 : 0) + (concatenationSentDifference ? 1 : 0)
            + (concatenationSentMultiplication ? 1 : 0))
        var random = TrainingRandom(seed: seed)
        let bound = 1 / Float(max(1, features)).squareRoot()
        var builder = ParameterSet.Builder()
        builder.add(file: "classifier", key: "weight", shape: [numLabels, features],
                    initial: (0..<(numLabels * features)).map { _ in (random.nextUnit() * 2 - 1) * bound })
        builder.add(file: "classifier", key: "bias", shape: [numLabels],
                    initial: (0..<numLabels).map { _ in (random.nextUnit() * 2 - 1) * bound })
        classifier = ParameterSet(builder)
    }

    public var name: String { "SoftmaxLoss" }
    public var parameters: [String: String] {
        ["num_labels": "\(numLabels)", "concatenation_sent_rep": "\(concatenationSentRep)",
         "concatenation_sent_difference": "\(concatenationSentDifference)",
         "concatenation_sent_multiplication": "\(concatenationSentMultiplication)"]
    }
    public var trainableParameters: ParameterSet? { classifier }

    var featureCount: Int { classifier.entries[0].shape[1] }

    public func compute(_ input: LossInput) throws -> LossOutput {
        try require(input, columns: 2...2, labels: true)
        let n = input.rows, d = input.dimension
        guard d == sentenceEmbeddingDimension else {
            throw TrainingError.invalidInput("SoftmaxLoss was built for \(sentenceEmbeddingDimension)-dimensional embeddings, got \(d)")
        }
        let u = LossMath.toDouble(input.columns[0]), v = LossMath.toDouble(input.columns[1])
        let f = featureCount
        let weight = classifier.values, bias = classifier.values + numLabels * f
        let dWeight = classifier.gradients, dBias = classifier.gradients + numLabels * f
        var du = [Double](repeating: 0, count: u.count), dv = [Double](repeating: 0, count: v.count)
        var loss = 0.0
        for i in 0..<n {
            let label = Int(input.labels[i])
            guard label >= 0, label < numLabels, Float(label) == input.labels[i] else {
                throw TrainingError.invalidInput("SoftmaxLoss label \(input.labels[i]) is not a class in 0..<\(numLabels)")
            }
            let a = Array(LossMath.row(u, i, d)), b = Array(LossMath.row(v, i, d))
            let features = self.features(a, b)
            let logits = (0..<numLabels).map { k in
                (0..<f).reduce(Double(bias[k])) { $0 + Double(weight[k * f + $1]) * features[$1] }
            }
            let (value, dLogits) = LossMath.crossEntropy(logits, target: label, weight: 1 / Double(n))
            loss += value / Double(n)
            var dFeatures = [Double](repeating: 0, count: f)
            for k in 0..<numLabels {
                dBias[k] += Float(dLogits[k])
                for j in 0..<f {
                    dWeight[k * f + j] += Float(dLogits[k] * features[j])
                    dFeatures[j] += dLogits[k] * Double(weight[k * f + j])
                }
            }
            // Route the feature gradient back to u and v, block by block.
            var block = 0
            for k in 0..<d {
                var gu = 0.0, gv = 0.0
                block = 0
                if concatenationSentRep {
                    gu += dFeatures[k]
                    gv += dFeatures[d + k]
                    block = 2
                }
                if concatenationSentDifference {
                    let g = dFeatures[block * d + k]
                    let sign: Double = a[k] - b[k] > 0 ? 1 : (a[k] - b[k] < 0 ? -1 : 0)
                    gu += g * sign
                    gv -= g * sign
                    block += 1
                }
                if concatenationSentMultiplication {
                    let g = dFeatures[block * d + k]
                    gu += g * b[k]
                    gv += g * a[k]
                }
                du[i * d + k] += gu
                dv[i * d + k] += gv
            }
        }
        return LossOutput(loss: loss, gradients: [LossMath.toFloat(du), LossMath.toFloat(dv)])
    }

    private func features(_ a: [Double], _ b: [Double]) -> [Double] {
        var result: [Double] = []
        if concatenationSentRep { result += a + b }
        if concatenationSentDifference { result += zip(a, b).map { abs($0 - $1) } }
        if concatenationSentMultiplication { result += zip(a, b).map { $0 * $1 } }
        return result
    }
}
