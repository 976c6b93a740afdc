extension Attention {
    /// ``forward(output:qkv:sequences:shape:scoreBias:)`` that keeps the softmax probabilities `P` (laid out by
    /// ``probabilityLayout(sequences:shape:)``: per sequence and head, its ``AttentionBlocks``, masked keys exactly 0)
    /// and applies an optional dropout `mask` of the same layout to them: `output = (P ∘ mask)·V`, the mask holding 0
    /// for a dropped weight and `1/(1 − p)` for a kept one. Causal and sliding-window masks compute and keep only each
    /// block's keys.
    public static func forwardTraining(
        output: UnsafeMutablePointer<Float>, probabilities: UnsafeMutablePointer<Float>, dropoutMask: UnsafePointer<Float>?,
        qkv: UnsafePointer<Float>, sequences: [Range<Int>], shape: AttentionShape, scoreBias: ScoreBias? = nil
    ) {
        _ = Gemm.singleThreadedBLAS
        let headDim = shape.headDim, qkvStride = shape.qkvStride, outputStride = shape.outputStride
        let layout = probabilityLayout(sequences: sequences, shape: shape)
        let largestBlock = layout.blocks.map(\.largestBlock).max() ?? 0
        guard largestBlock > 0 else { return }
        Parallel.forEachChunk(count: sequences.count * shape.heads, minimumChunk: 1) { pairs in
            let dropped = UnsafeMutablePointer<Float>.allocate(capacity: largestBlock)
            defer { dropped.deallocate() }
            for pair in pairs {
                let index = pair % sequences.count
                let sequence = sequences[index]
                let head = pair / sequences.count
                let length = sequence.count
                guard length > 0 else { continue }
                if let scoreBias {
                    precondition(length <= scoreBias.stride, "Attention: score bias smaller than the sequence")
                }
                let rows = qkv + sequence.lowerBound * qkvStride
                let tiling = layout.blocks[index]
                let headBase = layout.offsets[index] + head * tiling.size
                for block in tiling.blocks {
                    let first = block.queries.lowerBound, count = block.queries.count
                    let firstKey = block.keys.lowerBound, width = block.keys.count
                    let p = probabilities + headBase + block.offset
                    Gemm.multiply(transposeB: true, m: count, n: width, k: headDim, alpha: shape.scale,
                                  a: rows + first * qkvStride + shape.queryOffset(head), lda: qkvStride,
                                  b: rows + firstKey * qkvStride + shape.keyOffset(head), ldb: qkvStride, c: p, ldc: width)
                    for i in block.queries {
                        let row = p + (i - first) * width
                        if let scoreBias { VectorMath.add(scoreBias.row(head: head, query: i) + firstKey, into: row, count: width) }
                        let visible = shape.mask.keys(of: i, length: length)
                        softmax(row, keys: (visible.lowerBound - firstKey)..<(visible.upperBound - firstKey), length: width)
                    }
                    var weights = UnsafePointer(p)
                    if let dropoutMask {
                        let mask = dropoutMask + headBase + block.offset
                        for e in 0..<(count * width) { dropped[e] = p[e] * mask[e] }
                        weights = UnsafePointer(dropped)
                    }
                    Gemm.multiply(m: count, n: headDim, k: width, a: weights, lda: width,
                                  b: rows + firstKey * qkvStride + shape.valueOffset(head), ldb: qkvStride,
                                  c: output + (sequence.lowerBound + first) * outputStride + shape.queryOffset(head),
                                  ldc: outputStride)
                }
            }
        }
    }

    /// Accumulates `dQKV` `[tokens, shape.qkvStride]` from `dOutput` `[tokens, shape.outputStride]`, given what
    /// ``forwardTraining(output:probabilities:dropoutMask:qkv:sequences:shape:scoreBias:)`` kept. Per block of queries
    /// and its keys, with `P′ = P ∘ mask`: `dV = P′ᵀ·dO`, `dP = (dO·Vᵀ) ∘ mask`, `dS = P ∘ (dP − rowsum(dP ∘ P))`,
    /// `dQ = s·dS·K`, `dK = s·dSᵀ·Q` (masked keys have `P = 0`, so they get no gradient; keys outside a block are
    /// never touched). A key/value head sums the gradients of every query head of its group. When `dScores` is given
    /// (probability layout), `dS` is also written there: the gradient of an additive score bias, which the caller
    /// reduces into its own parameters (MPNet's relative position buckets).
    public static func backward(
        dQKV: UnsafeMutablePointer<Float>, dOutput: UnsafePointer<Float>,
        qkv: UnsafePointer<Float>, probabilities: UnsafePointer<Float>, dropoutMask: UnsafePointer<Float>?,
        sequences: [Range<Int>], shape: AttentionShape, dScores scoreGradients: UnsafeMutablePointer<Float>? = nil
    ) {
        _ = Gemm.singleThreadedBLAS
        let headDim = shape.headDim, qkvStride = shape.qkvStride, outputStride = shape.outputStride
        let layout = probabilityLayout(sequences: sequences, shape: shape)
        let largestBlock = layout.blocks.map(\.largestBlock).max() ?? 0
        guard largestBlock > 0 else { return }
        // One task per (sequence, key/value head): its query heads write disjoint columns of dQ, and only it writes
        // the rows of its dK and dV.
        Parallel.forEachChunk(count: sequences.count * shape.kvHeads, minimumChunk: 1) { pairs in
            let dropped = UnsafeMutablePointer<Float>.allocate(capacity: largestBlock)
            let dScores = UnsafeMutablePointer<Float>.allocate(capacity: largestBlock)
            defer {
                dropped.deallocate()
                dScores.deallocate()
            }
            for pair in pairs {
                let index = pair % sequences.count
                let sequence = sequences[index]
                guard !sequence.isEmpty else { continue }
                let tiling = layout.blocks[index]
                let kvHead = pair / sequences.count
                for head in (kvHead * shape.groupSize)..<((kvHead + 1) * shape.groupSize) {
                    let headBase = layout.offsets[index] + head * tiling.size
                    for block in tiling.blocks {
                        let first = block.queries.lowerBound, count = block.queries.count
                        let firstKey = block.keys.lowerBound, width = block.keys.count
                        let queryRows = qkv + (sequence.lowerBound + first) * qkvStride
                        let keyRows = qkv + (sequence.lowerBound + firstKey) * qkvStride
                        let dQueryRows = dQKV + (sequence.lowerBound + first) * qkvStride
                        let dKeyRows = dQKV + (sequence.lowerBound + firstKey) * qkvStride
                        let dO = dOutput + (sequence.lowerBound + first) * outputStride + shape.queryOffset(head)
                        let p = probabilities + headBase + block.offset
                        let elements = count * width
                        var weights = p
                        if let dropoutMask {
                            let mask = dropoutMask + headBase + block.offset
                            for e in 0..<elements { dropped[e] = p[e] * mask[e] }
                            weights = UnsafePointer(dropped)
                        }
                        // dV += P′ᵀ·dO
                        Gemm.multiply(transposeA: true, m: width, n: headDim, k: count, a: weights, lda: width,
                                      b: dO, ldb: outputStride, beta: 1, c: dKeyRows + shape.valueOffset(head), ldc: qkvStride)
                        // dP′ = dO·Vᵀ
                        Gemm.multiply(transposeB: true, m: count, n: width, k: headDim, a: dO, lda: outputStride,
                                      b: keyRows + shape.valueOffset(head), ldb: qkvStride, c: dScores, ldc: width)
                        if let dropoutMask {
                            let mask = dropoutMask + headBase + block.offset
                            for e in 0..<elements { dScores[e] *= mask[e] }
                        }
                        // Softmax backward, row by row.
                        for r in 0..<count {
                            let pRow = p + r * width
                            let dRow = dScores + r * width
                            let dot = VectorMath.dot(pRow, dRow, count: width)
                            for j in 0..<width { dRow[j] = pRow[j] * (dRow[j] - dot) }
                        }
                        scoreGradients?.advanced(by: headBase + block.offset).update(from: dScores, count: elements)
                        // dQ += s·dS·K, dK += s·dSᵀ·Q
                        Gemm.multiply(m: count, n: headDim, k: width, alpha: shape.scale, a: dScores, lda: width,
                                      b: keyRows + shape.keyOffset(head), ldb: qkvStride, beta: 1,
                                      c: dQueryRows + shape.queryOffset(head), ldc: qkvStride)
                        Gemm.multiply(transposeA: true, m: width, n: headDim, k: count, alpha: shape.scale, a: dScores,
                                      lda: width, b: queryRows + shape.queryOffset(head), ldb: qkvStride, beta: 1,
                                      c: dKeyRows + shape.keyOffset(head), ldc: qkvStride)
                    }
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
