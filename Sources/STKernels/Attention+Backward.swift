extension Attention {
    /// Where each sequence's attention probabilities start in a training buffer: sequence `s` holds `heads` blocks of
    /// `L_s × L_s` from `offsets[s]`; `total` is the buffer size.
    public static func probabilityLayout(sequences: [Range<Int>], heads: Int) -> (offsets: [Int], total: Int) {
        var offsets: [Int] = []
        offsets.reserveCapacity(sequences.count)
        var total = 0
        for sequence in sequences {
            offsets.append(total)
            total += heads * sequence.count * sequence.count
        }
        return (offsets, total)
    }

    /// ``forward(output:qkv:sequences:shape:scoreBias:)`` that keeps the softmax probabilities `P` (laid out by
    /// ``probabilityLayout(sequences:heads:)``, masked keys exactly 0) and applies an optional dropout `mask` of the
    /// same layout to them: `output = (P ∘ mask)·V`, the mask holding 0 for a dropped weight and `1/(1 − p)` for a
    /// kept one.
    public static func forwardTraining(
        output: UnsafeMutablePointer<Float>, probabilities: UnsafeMutablePointer<Float>, dropoutMask: UnsafePointer<Float>?,
        qkv: UnsafePointer<Float>, sequences: [Range<Int>], shape: AttentionShape, scoreBias: ScoreBias? = nil
    ) {
        _ = Gemm.singleThreadedBLAS
        let headDim = shape.headDim, qkvStride = shape.qkvStride, outputStride = shape.outputStride
        let longest = sequences.map(\.count).max() ?? 0
        guard longest > 0 else { return }
        let offsets = probabilityLayout(sequences: sequences, heads: shape.heads).offsets
        Parallel.forEachChunk(count: sequences.count * shape.heads, minimumChunk: 1) { pairs in
            let dropped = UnsafeMutablePointer<Float>.allocate(capacity: longest * longest)
            defer { dropped.deallocate() }
            for pair in pairs {
                let index = pair % sequences.count
                let sequence = sequences[index]
                let head = pair / sequences.count
                let length = sequence.count
                guard length > 0 else { continue }
                let rows = qkv + sequence.lowerBound * qkvStride
                let block = offsets[index] + head * length * length
                let p = probabilities + block
                Gemm.multiply(transposeB: true, m: length, n: length, k: headDim, alpha: shape.scale,
                              a: rows + shape.queryOffset(head), lda: qkvStride, b: rows + shape.keyOffset(head), ldb: qkvStride,
                              c: p, ldc: length)
                for i in 0..<length {
                    if let scoreBias {
                        precondition(length <= scoreBias.stride, "Attention: score bias smaller than the sequence")
                        VectorMath.add(scoreBias.row(head: head, query: i), into: p + i * length, count: length)
                    }
                    softmax(p + i * length, keys: shape.mask.keys(of: i, length: length), length: length)
                }
                var weights = UnsafePointer(p)
                if let dropoutMask {
                    let mask = dropoutMask + block
                    for i in 0..<(length * length) { dropped[i] = p[i] * mask[i] }
                    weights = UnsafePointer(dropped)
                }
                Gemm.multiply(m: length, n: headDim, k: length, a: weights, lda: length,
                              b: rows + shape.valueOffset(head), ldb: qkvStride,
                              c: output + sequence.lowerBound * outputStride + shape.queryOffset(head), ldc: outputStride)
            }
        }
    }

    /// Accumulates `dQKV` `[tokens, shape.qkvStride]` from `dOutput` `[tokens, shape.outputStride]`, given what
    /// ``forwardTraining(output:probabilities:dropoutMask:qkv:sequences:shape:scoreBias:)`` kept. With `P′ = P ∘ mask`:
    /// `dV = P′ᵀ·dO`, `dP = (dO·Vᵀ) ∘ mask`, `dS = P ∘ (dP − rowsum(dP ∘ P))`, `dQ = s·dS·K`, `dK = s·dSᵀ·Q`
    /// (masked keys have `P = 0`, so they get no gradient). A key/value head sums the gradients of every query head
    /// of its group. When `dScores` is given (probability layout), `dS` is also written there: the gradient of an
    /// additive score bias, which the caller reduces into its own parameters (MPNet's relative position buckets).
    public static func backward(
        dQKV: UnsafeMutablePointer<Float>, dOutput: UnsafePointer<Float>,
        qkv: UnsafePointer<Float>, probabilities: UnsafePointer<Float>, dropoutMask: UnsafePointer<Float>?,
        sequences: [Range<Int>], shape: AttentionShape, dScores scoreGradients: UnsafeMutablePointer<Float>? = nil
    ) {
        _ = Gemm.singleThreadedBLAS
        let headDim = shape.headDim, qkvStride = shape.qkvStride, outputStride = shape.outputStride
        let longest = sequences.map(\.count).max() ?? 0
        guard longest > 0 else { return }
        let offsets = probabilityLayout(sequences: sequences, heads: shape.heads).offsets
        // One task per (sequence, key/value head): its query heads write disjoint columns of dQ, and only it writes
        // the rows of its dK and dV.
        Parallel.forEachChunk(count: sequences.count * shape.kvHeads, minimumChunk: 1) { pairs in
            let dropped = UnsafeMutablePointer<Float>.allocate(capacity: longest * longest)
            let dScores = UnsafeMutablePointer<Float>.allocate(capacity: longest * longest)
            defer {
                dropped.deallocate()
                dScores.deallocate()
            }
            for pair in pairs {
                let index = pair % sequences.count
                let sequence = sequences[index]
                let length = sequence.count
                guard length > 0 else { continue }
                let rows = qkv + sequence.lowerBound * qkvStride
                let dRows = dQKV + sequence.lowerBound * qkvStride
                let kvHead = pair / sequences.count
                for head in (kvHead * shape.groupSize)..<((kvHead + 1) * shape.groupSize) {
                    let dO = dOutput + sequence.lowerBound * outputStride + shape.queryOffset(head)
                    let block = offsets[index] + head * length * length
                    let p = probabilities + block
                    var weights = p
                    if let dropoutMask {
                        let mask = dropoutMask + block
                        for i in 0..<(length * length) { dropped[i] = p[i] * mask[i] }
                        weights = UnsafePointer(dropped)
                    }
                    // dV += P′ᵀ·dO
                    Gemm.multiply(transposeA: true, m: length, n: headDim, k: length, a: weights, lda: length,
                                  b: dO, ldb: outputStride, beta: 1, c: dRows + shape.valueOffset(head), ldc: qkvStride)
                    // dP′ = dO·Vᵀ
                    Gemm.multiply(transposeB: true, m: length, n: length, k: headDim, a: dO, lda: outputStride,
                                  b: rows + shape.valueOffset(head), ldb: qkvStride, c: dScores, ldc: length)
                    if let dropoutMask {
                        let mask = dropoutMask + block
                        for i in 0..<(length * length) { dScores[i] *= mask[i] }
                    }
                    // Softmax backward, row by row.
                    for i in 0..<length {
                        let pRow = p + i * length
                        let dRow = dScores + i * length
                        let dot = VectorMath.dot(pRow, dRow, count: length)
                        for j in 0..<length { dRow[j] = pRow[j] * (dRow[j] - dot) }
                    }
                    scoreGradients?.advanced(by: block).update(from: dScores, count: length * length)
                    // dQ += s·dS·K, dK += s·dSᵀ·Q
                    Gemm.multiply(m: length, n: headDim, k: length, alpha: shape.scale, a: dScores, lda: length,
                                  b: rows + shape.keyOffset(head), ldb: qkvStride, beta: 1,
                                  c: dRows + shape.queryOffset(head), ldc: qkvStride)
                    Gemm.multiply(transposeA: true, m: length, n: headDim, k: length, alpha: shape.scale, a: dScores, lda: length,
                                  b: rows + shape.queryOffset(head), ldb: qkvStride, beta: 1,
                                  c: dRows + shape.keyOffset(head), ldc: qkvStride)
                }
            }
        }
    }

    /// Plain multi-head form of ``forwardTraining(output:probabilities:dropoutMask:qkv:sequences:shape:scoreBias:)``.
    public static func forwardTraining(
        output: UnsafeMutablePointer<Float>, probabilities: UnsafeMutablePointer<Float>, dropoutMask: UnsafePointer<Float>?,
        qkv: UnsafePointer<Float>, sequences: [Range<Int>], heads: Int, headDim: Int, scoreBias: ScoreBias? = nil
    ) {
        forwardTraining(output: output, probabilities: probabilities, dropoutMask: dropoutMask, qkv: qkv, sequences: sequences,
                        shape: AttentionShape(heads: heads, headDim: headDim), scoreBias: scoreBias)
    }

    /// Plain multi-head form of ``backward(dQKV:dOutput:qkv:probabilities:dropoutMask:sequences:shape:dScores:)``.
    public static func backward(
        dQKV: UnsafeMutablePointer<Float>, dOutput: UnsafePointer<Float>,
        qkv: UnsafePointer<Float>, probabilities: UnsafePointer<Float>, dropoutMask: UnsafePointer<Float>?,
        sequences: [Range<Int>], heads: Int, headDim: Int, dScores: UnsafeMutablePointer<Float>? = nil
    ) {
        backward(dQKV: dQKV, dOutput: dOutput, qkv: qkv, probabilities: probabilities, dropoutMask: dropoutMask,
                 sequences: sequences, shape: AttentionShape(heads: heads, headDim: headDim), dScores: dScores)
    }
}
