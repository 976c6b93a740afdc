import STKernels

/// Self-attention with a fused `Q | K | V` projection, any number of key/value heads, optional per-head Q/K norms
/// (Qwen3, Gemma 3) applied before rotary positions (RoPE, with the layer's own theta), the layer's mask
/// (bidirectional, causal, sliding window), and an output projection.
///
/// Shapes: input `[T, C]`; context `[T, heads·headDim]`; output `[T, C]`.
public struct SelfAttentionLayer: Sendable {
    let qkv: LinearLayer
    let output: LinearLayer
    public let shape: AttentionShape
    let queryNorm: NormLayer?
    let keyNorm: NormLayer?
    public let rotary: RotaryEmbedding?

    public init(qkv: LinearLayer, output: LinearLayer, shape: AttentionShape, queryNorm: NormLayer? = nil,
                keyNorm: NormLayer? = nil, rotary: RotaryEmbedding? = nil) {
        self.qkv = qkv
        self.output = output
        self.shape = shape
        self.queryNorm = queryNorm
        self.keyNorm = keyNorm
        self.rotary = rotary
    }

    /// Writes `output·context` (accumulated onto `into` when `accumulate`).
    func forward(_ input: UnsafePointer<Float>, into result: UnsafeMutablePointer<Float>, accumulate: Bool,
                 record: ActivationRecord, pass: ForwardPass) {
        let t = pass.tokens, stride = shape.qkvStride
        let raw = record.buffer(.qkv, t * stride)
        qkv.forward(input, rows: t, into: raw, bank: pass.bank)
        var attended = raw
        if queryNorm != nil || keyNorm != nil || rotary != nil {
            if record.keeps {
                attended = record.buffer(.qkvRotated, t * stride)
                attended.update(from: raw, count: t * stride)
            }
            if let queryNorm {
                normalizeHeads(queryNorm, attended, offset: 0, heads: shape.heads, role: .queryStatistics, record: record, pass: pass)
            }
            if let keyNorm {
                normalizeHeads(keyNorm, attended, offset: shape.heads * shape.headDim, heads: shape.kvHeads,
                               role: .keyStatistics, record: record, pass: pass)
            }
            rotate(attended, pass: pass, inverse: false)
        }
        let context = record.buffer(.context, t * shape.outputStride)
        if record.keeps {
            let total = Attention.probabilityLayout(sequences: pass.sequences, shape: shape).total
            var mask: UnsafeMutablePointer<Float>?
            if let rate = pass.dropoutRate(\.attention), let dropout = pass.dropout {
                let kept = record.buffer(.probabilityDropout, total)
                dropout.source.fillDropoutMask(kept, count: total, probability: rate)
                mask = kept
            }
            Attention.forwardTraining(output: context, probabilities: record.buffer(.probabilities, total),
                                      dropoutMask: mask.map { UnsafePointer($0) }, qkv: attended, sequences: pass.sequences,
                                      shape: shape, scoreBias: pass.scoreBias)
        } else {
            Attention.forward(output: context, qkv: attended, sequences: pass.sequences, shape: shape, scoreBias: pass.scoreBias,
                              keyLimits: pass.keyLimits)
        }
        output.forward(context, rows: t, into: result, accumulate: accumulate, bank: pass.bank)
    }

    /// Accumulates `dInput` `[T, C]` and the parameter gradients from `dResult` `[T, C]`; with `dScores`
    /// (probability layout), also the score gradients (MPNet's relative bias).
    func backward(dResult: UnsafePointer<Float>, dInput: UnsafeMutablePointer<Float>, input: UnsafePointer<Float>,
                  record: ActivationRecord, pass: ForwardPass, bank: ParameterBank, dScores: UnsafeMutablePointer<Float>?) {
        let t = pass.tokens, stride = shape.qkvStride
        guard let raw = record[.qkv], let context = record[.context], let probabilities = record[.probabilities] else {
            preconditionFailure("SelfAttentionLayer: backward without a training forward")
        }
        let attended = record[.qkvRotated] ?? raw
        let dContext = FloatBuffer(t * shape.outputStride)
        output.backward(dInput: dContext.pointer, dOutput: dResult, input: context, rows: t, bank: bank)
        let dAttended = FloatBuffer(t * stride)
        Attention.backward(dQKV: dAttended.pointer, dOutput: dContext.pointer, qkv: attended, probabilities: probabilities,
                           dropoutMask: record[.probabilityDropout].map { UnsafePointer($0) }, sequences: pass.sequences,
                           shape: shape, dScores: dScores)
        rotate(dAttended.pointer, pass: pass, inverse: true)
        var dRaw = dAttended
        if queryNorm != nil || keyNorm != nil {
            dRaw = FloatBuffer(t * stride)
            let queryWidth = shape.heads * shape.headDim, keyWidth = shape.kvHeads * shape.headDim
            for row in 0..<t {
                let d = dAttended.pointer + row * stride, x = raw + row * stride, dx = dRaw.pointer + row * stride
                if let queryNorm, let statistics = record[.queryStatistics] {
                    queryNorm.backward(dInput: dx, dOutput: d, input: x, rows: shape.heads,
                                       statistics: statistics + row * shape.heads * queryNorm.statisticsPerRow, bank: bank)
                } else {
                    dx.update(from: d, count: queryWidth)
                }
                if let keyNorm, let statistics = record[.keyStatistics] {
                    keyNorm.backward(dInput: dx + queryWidth, dOutput: d + queryWidth, input: x + queryWidth, rows: shape.kvHeads,
                                     statistics: statistics + row * shape.kvHeads * keyNorm.statisticsPerRow, bank: bank)
                } else {
                    (dx + queryWidth).update(from: d + queryWidth, count: keyWidth)
                }
                (dx + queryWidth + keyWidth).update(from: d + queryWidth + keyWidth, count: keyWidth)
            }
        }
        qkv.backward(dInput: dInput, dOutput: dRaw.pointer, input: input, rows: t, bank: bank)
    }

    /// Normalizes each of `heads` heads of every row in place (Q/K norm over `headDim`).
    private func normalizeHeads(_ norm: NormLayer, _ x: UnsafeMutablePointer<Float>, offset: Int, heads: Int,
                                role: ActivationRecord.Role, record: ActivationRecord, pass: ForwardPass) {
        let stride = shape.qkvStride, perToken = heads * norm.statisticsPerRow
        let statistics = record.keeps ? record.buffer(role, pass.tokens * perToken) : nil
        Parallel.forEachChunk(count: pass.tokens, minimumChunk: 16) { rows in
            for row in rows {
                let head = x + row * stride + offset
                norm.forward(head, rows: heads, into: head, bank: pass.bank, statistics: statistics.map { $0 + row * perToken })
            }
        }
    }

    /// Rotates Q and K (or, with `inverse`, their gradients) by each token's position.
    private func rotate(_ x: UnsafeMutablePointer<Float>, pass: ForwardPass, inverse: Bool) {
        guard let rotary, let table = pass.rotaryTables[rotary.theta] else { return }
        rotary.apply(x, stride: shape.qkvStride, offset: 0, heads: shape.heads, sequences: pass.sequences, table: table, inverse: inverse)
        rotary.apply(x, stride: shape.qkvStride, offset: shape.heads * shape.headDim, heads: shape.kvHeads,
                     sequences: pass.sequences, table: table, inverse: inverse)
    }

    var parameterCount: Int {
        qkv.parameterCount + output.parameterCount + (queryNorm?.parameterCount ?? 0) + (keyNorm?.parameterCount ?? 0)
    }
}
