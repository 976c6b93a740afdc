/// Regresses the cosine similarity of each pair onto its gold score: `loss = mean_i (cos(u_i, v_i) − label_i)²`.
///
/// | Inputs | Labels |
/// |---|---|
/// | (sentence A, sentence B) pairs | a float similarity score, usually in [0, 1] |
///
/// The SBERT STS objective (Reimers & Gurevych, *Sentence-BERT*, arXiv:1908.10084); ``CoSENTLoss`` usually trains
/// better on the same data.
public struct CosineSimilarityLoss: SentenceLoss {
    public init() {}

    public var name: String { "CosineSimilarityLoss" }
    public var parameters: [String: String] { ["loss_fct": "MSELoss", "cos_score_transformation": "Identity"] }

    public func compute(_ input: LossInput) throws -> LossOutput {
        try require(input, columns: 2...2, labels: true)
        let n = input.rows, d = input.dimension
        let u = LossMath.toDouble(input.columns[0]), v = LossMath.toDouble(input.columns[1])
        var du = [Double](repeating: 0, count: u.count), dv = [Double](repeating: 0, count: v.count)
        var loss = 0.0
        for i in 0..<n {
            let a = LossMath.row(u, i, d), b = LossMath.row(v, i, d)
            let error = LossMath.cosine(a, b) - Double(input.labels[i])
            loss += error * error / Double(n)
            var da = du[(i * d)..<((i + 1) * d)], db = dv[(i * d)..<((i + 1) * d)]
            LossMath.cosineBackward(a, b, upstream: 2 * error / Double(n), da: &da, db: &db)
            du.replaceSubrange((i * d)..<((i + 1) * d), with: da)
            dv.replaceSubrange((i * d)..<((i + 1) * d), with: db)
        }
        return LossOutput(loss: loss, gradients: [LossMath.toFloat(du), LossMath.toFloat(dv)])
    }
}
