import STKernels

/// One transformer layer: an attention step then a feed-forward step, each `x + branch(x)` with the norms where the
/// architecture puts them (``Norms``):
/// - post-norm (BERT, RoBERTa, DistilBERT, MPNet): `residual`;
/// - pre-norm (Qwen3, ModernBERT — whose first layer has no attention input norm): `input`;
/// - sandwich (Gemma 3): `input` and `branch`.
///
/// `y = residual(x + dropout(branch(f(input(x)))))`; shapes `[T, C]`.
public struct TransformerBlock: Sendable {
    /// The norms around one residual step; nil where the architecture has none.
    public struct Norms: Sendable {
        /// On the branch's input.
        public var input: NormLayer?
        /// On the branch's output, before the residual sum.
        public var branch: NormLayer?
        /// On the residual sum.
        public var residual: NormLayer?

        public init(input: NormLayer? = nil, branch: NormLayer? = nil, residual: NormLayer? = nil) {
            self.input = input
            self.branch = branch
            self.residual = residual
        }

        var count: Int { (input?.parameterCount ?? 0) + (branch?.parameterCount ?? 0) + (residual?.parameterCount ?? 0) }
    }

    public let attention: SelfAttentionLayer
    public let attentionNorms: Norms
    public let feedForward: FeedForwardLayer
    public let feedForwardNorms: Norms
    let hidden: Int

    public init(attention: SelfAttentionLayer, attentionNorms: Norms, feedForward: FeedForwardLayer, feedForwardNorms: Norms,
                hidden: Int) {
        self.attention = attention
        self.attentionNorms = attentionNorms
        self.feedForward = feedForward
        self.feedForwardNorms = feedForwardNorms
        self.hidden = hidden
    }

    /// The buffers of one residual step.
    struct StepRoles {
        var input, inputStatistics, branch, branchNormed, branchStatistics, dropout, sumStatistics: ActivationRecord.Role

        static let attention = StepRoles(
            input: .attentionInput, inputStatistics: .attentionInputStatistics, branch: .attentionBranch,
            branchNormed: .attentionBranchNormed, branchStatistics: .attentionBranchStatistics, dropout: .attentionDropout,
            sumStatistics: .attentionSumStatistics)
        static let feedForward = StepRoles(
            input: .feedForwardInput, inputStatistics: .feedForwardInputStatistics, branch: .feedForwardBranch,
            branchNormed: .feedForwardBranchNormed, branchStatistics: .feedForwardBranchStatistics, dropout: .feedForwardDropout,
            sumStatistics: .feedForwardSumStatistics)
    }

    /// Transforms `input` into `output` (they may be the same buffer when the record does not keep activations).
    func forward(_ input: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>, record: ActivationRecord, pass: ForwardPass) {
        let t = pass.tokens, c = hidden
        let attentionSum = record.buffer(.attentionSum, t * c)
        let attended = step(input, sum: attentionSum,
                            result: record.keeps && attentionNorms.residual != nil ? record.buffer(.attentionSumNormed, t * c) : attentionSum,
                            norms: attentionNorms, roles: .attention, record: record, pass: pass) { x, y, accumulate in
            attention.forward(x, into: y, accumulate: accumulate, record: record, pass: pass)
        }
        let sum = record.keeps && feedForwardNorms.residual != nil ? record.buffer(.feedForwardSum, t * c) : output
        _ = step(attended, sum: sum, result: output, norms: feedForwardNorms, roles: .feedForward, record: record, pass: pass) { x, y, accumulate in
            feedForward.forward(x, into: y, accumulate: accumulate, record: record, pass: pass)
        }
    }

    /// `result = residual(x + dropout(branch(f(input(x)))))`, the sum written to `sum` first; returns where the step's
    /// output is (`result`, or `sum` without a residual norm). `f` writes (or, when asked, accumulates) into its output.
    private func step(_ x: UnsafePointer<Float>, sum: UnsafeMutablePointer<Float>, result: UnsafeMutablePointer<Float>,
                      norms: Norms, roles: StepRoles, record: ActivationRecord, pass: ForwardPass,
                      _ f: (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Bool) -> Void) -> UnsafeMutablePointer<Float> {
        let t = pass.tokens, c = hidden, count = t * c
        var branchInput = x
        if let norm = norms.input {
            let normed = record.buffer(roles.input, count)
            norm.forward(x, rows: t, into: normed, bank: pass.bank,
                         statistics: record.keeps ? record.buffer(roles.inputStatistics, t * norm.statisticsPerRow) : nil)
            branchInput = UnsafePointer(normed)
        }
        let dropoutRate = pass.dropoutRate(\.hidden)
        if norms.branch == nil && dropoutRate == nil {
            // The branch accumulates onto a copy of the residual: no extra pass over the output.
            sum.update(from: x, count: count)
            f(branchInput, sum, true)
        } else {
            let branch = record.buffer(roles.branch, count)
            f(branchInput, branch, false)
            var branchOutput = branch
            if let norm = norms.branch {
                branchOutput = record.keeps ? record.buffer(roles.branchNormed, count) : branch
                norm.forward(branch, rows: t, into: branchOutput, bank: pass.bank,
                             statistics: record.keeps ? record.buffer(roles.branchStatistics, t * norm.statisticsPerRow) : nil)
            }
            if let dropoutRate { pass.applyDropout(branchOutput, count: count, rate: dropoutRate, role: roles.dropout, record: record) }
            sum.update(from: x, count: count)
            VectorMath.add(branchOutput, into: sum, count: count)
        }
        guard let norm = norms.residual else {
            if result != sum { result.update(from: sum, count: count) }
            return result
        }
        norm.forward(sum, rows: t, into: result, bank: pass.bank,
                     statistics: record.keeps ? record.buffer(roles.sumStatistics, t * norm.statisticsPerRow) : nil)
        return result
    }

    /// Accumulates `dInput` `[T, C]` and every parameter gradient from `dOutput` `[T, C]`, given the record of a
    /// training forward whose input was `input`.
    func backward(dOutput: UnsafePointer<Float>, dInput: UnsafeMutablePointer<Float>, input: UnsafePointer<Float>,
                  record: ActivationRecord, pass: ForwardPass, bank: ParameterBank, dScores: UnsafeMutablePointer<Float>?) {
        let t = pass.tokens, c = hidden
        guard let attentionSum = record[.attentionSum] else { preconditionFailure("TransformerBlock: backward without a training forward") }
        let attended = UnsafePointer(attentionNorms.residual != nil ? record[.attentionSumNormed] ?? attentionSum : attentionSum)
        let dAttended = FloatBuffer(t * c)
        stepBackward(dResult: dOutput, dX: dAttended.pointer, x: attended, sum: record[.feedForwardSum],
                     norms: feedForwardNorms, roles: .feedForward, record: record, pass: pass, bank: bank) { dY, dX, x in
            feedForward.backward(dResult: dY, dInput: dX, input: x, record: record, pass: pass, bank: bank)
        }
        stepBackward(dResult: dAttended.pointer, dX: dInput, x: input, sum: attentionSum,
                     norms: attentionNorms, roles: .attention, record: record, pass: pass, bank: bank) { dY, dX, x in
            attention.backward(dResult: dY, dInput: dX, input: x, record: record, pass: pass, bank: bank, dScores: dScores)
        }
    }

    private func stepBackward(dResult: UnsafePointer<Float>, dX: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>,
                              sum: UnsafeMutablePointer<Float>?, norms: Norms, roles: StepRoles, record: ActivationRecord,
                              pass: ForwardPass, bank: ParameterBank,
                              _ fBackward: (UnsafePointer<Float>, UnsafeMutablePointer<Float>, UnsafePointer<Float>) -> Void) {
        let t = pass.tokens, c = hidden, count = t * c
        let dSum = FloatBuffer(count)
        if let norm = norms.residual, let sum, let statistics = record[roles.sumStatistics] {
            norm.backward(dInput: dSum.pointer, dOutput: dResult, input: sum, rows: t, statistics: statistics, bank: bank)
        } else {
            dSum.pointer.update(from: dResult, count: count)
        }
        VectorMath.add(dSum.pointer, into: dX, count: count)
        // The branch: through dropout, the branch norm, f, then the input norm.
        if let mask = record[roles.dropout] {
            for k in 0..<count { dSum.pointer[k] *= mask[k] }
        }
        var dBranch = dSum
        if let norm = norms.branch, let branch = record[roles.branch], let statistics = record[roles.branchStatistics] {
            dBranch = FloatBuffer(count)
            norm.backward(dInput: dBranch.pointer, dOutput: dSum.pointer, input: branch, rows: t, statistics: statistics, bank: bank)
        }
        if let norm = norms.input, let normed = record[roles.input], let statistics = record[roles.inputStatistics] {
            let dNormed = FloatBuffer(count)
            fBackward(dBranch.pointer, dNormed.pointer, normed)
            norm.backward(dInput: dX, dOutput: dNormed.pointer, input: x, rows: t, statistics: statistics, bank: bank)
        } else {
            fBackward(dBranch.pointer, dX, x)
        }
    }

    var parameterCount: Int {
        attention.parameterCount + feedForward.parameterCount + attentionNorms.count + feedForwardNorms.count
    }
}
