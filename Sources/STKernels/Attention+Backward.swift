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

    /// ``forward(output:qkv:sequences:heads:headDim:scoreBias:)`` that keeps the softmax probabilities `P` (laid out
    /// by ``probabilityLayout(sequences:heads:)``) and applies an optional dropout `mask` of the same layout to them:
    /// `output = (P ∘ mask)·V`, the mask holding 0 for a dropped weight and `1/(1 − p)` for a kept one.
    public static func forwardTraining(
        output: UnsafeMutablePointer<Float>, probabilities: UnsafeMutablePointer<Float>, dropoutMask: UnsafePointer<Float>?,
        qkv: UnsafePointer<Float>, sequences: [Range<Int>], heads: Int, headDim: Int, scoreBias: ScoreBias? = nil
    ) {
        _ = Gemm.singleThreadedBLAS
        let hidden = heads * headDim
        let qkvStride = 3 * hidden
        let longest = sequences.map(\.count).max() ?? 0
        guard longest > 0 else { return }
        let offsets = probabilityLayout(sequences: sequences, heads: heads).offsets
        let scale = 1 / Float(headDim).squareRoot()
        Parallel.forEachChunk(count: sequences.count * heads, minimumChunk: 1) { pairs in
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
                Gemm.multiply(transposeB: true, m: length, n: length, k: headDim, alpha: scale,
                              a: rows + head * headDim, lda: qkvStride, b: rows + hidden + head * headDim, ldb: qkvStride,
                              c: p, ldc: length)
                if let scoreBias {
                    precondition(length <= scoreBias.stride, "Attention: score bias smaller than the sequence")
                    for i in 0..<length {
                        VectorMath.add(scoreBias.row(head: head, query: i), into: p + i * length, count: length)
                    }
                }
                Softmax.forward(p, rows: length, columns: length, rowStride: length)
                var weights = UnsafePointer(p)
                if let dropoutMask {
                    let mask = dropoutMask + block
                    for i in 0..<(length * length) { dropped[i] = p[i] * mask[i] }
                    weights = UnsafePointer(dropped)
                }
                Gemm.multiply(m: length, n: headDim, k: length, a: weights, lda: length,
                              b: rows + 2 * hidden + head * headDim, ldb: qkvStride,
                              c: output + sequence.lowerBound * hidden + head * headDim, ldc: hidden)
            }
        }
    }

    /// Accumulates `dQKV` from `dOutput` `[tokens, hidden]`, given what
    /// ``forwardTraining(output:probabilities:dropoutMask:qkv:sequences:heads:headDim:)`` kept. With `P′ = P ∘ mask`:
    /// `dV = P′ᵀ·dO`, `dP = (dO·Vᵀ) ∘ mask`, `dS = P ∘ (dP − rowsum(dP ∘ P))`, `dQ = s·dS·K`, `dK = s·dSᵀ·Q`.
    /// When `dScores` is given (probability layout), `dS` is also written there: the gradient of an additive score
    /// bias, which the caller reduces into its own parameters (MPNet's relative position buckets).
    public static func backward(
        dQKV: UnsafeMutablePointer<Float>, dOutput: UnsafePointer<Float>,
        qkv: UnsafePointer<Float>, probabilities: UnsafePointer<Float>, dropoutMask: UnsafePointer<Float>?,
        sequences: [Range<Int>], heads: Int, headDim: Int, dScores scoreGradients: UnsafeMutablePointer<Float>? = nil
    ) {
        _ = Gemm.singleThreadedBLAS
        let hidden = heads * headDim
        let qkvStride = 3 * hidden
        let longest = sequences.map(\.count).max() ?? 0
        guard longest > 0 else { return }
        let offsets = probabilityLayout(sequences: sequences, heads: heads).offsets
        let scale = 1 / Float(headDim).squareRoot()
        // Pairs of one head share no rows or columns of dQKV with another head's pairs, nor sequences with each other.
        Parallel.forEachChunk(count: sequences.count * heads, minimumChunk: 1) { pairs in
            let dropped = UnsafeMutablePointer<Float>.allocate(capacity: longest * longest)
            let dScores = UnsafeMutablePointer<Float>.allocate(capacity: longest * longest)
            defer {
                dropped.deallocate()
                dScores.deallocate()
            }
            for pair in pairs {
                let index = pair % sequences.count
                let sequence = sequences[index]
                let head = pair / sequences.count
                let length = sequence.count
                guard length > 0 else { continue }
                let rows = qkv + sequence.lowerBound * qkvStride
                let dRows = dQKV + sequence.lowerBound * qkvStride
                let dO = dOutput + sequence.lowerBound * hidden + head * headDim
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
                              b: dO, ldb: hidden, beta: 1, c: dRows + 2 * hidden + head * headDim, ldc: qkvStride)
                // dP′ = dO·Vᵀ
                Gemm.multiply(transposeB: true, m: length, n: length, k: headDim, a: dO, lda: hidden,
                              b: rows + 2 * hidden + head * headDim, ldb: qkvStride, c: dScores, ldc: length)
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
                Gemm.multiply(m: length, n: headDim, k: length, alpha: scale, a: dScores, lda: length,
                              b: rows + hidden + head * headDim, ldb: qkvStride, beta: 1,
                              c: dRows + head * headDim, ldc: qkvStride)
                Gemm.multiply(transposeA: true, m: length, n: headDim, k: length, alpha: scale, a: dScores, lda: length,
                              b: rows + head * headDim, ldb: qkvStride, beta: 1,
                              c: dRows + hidden + head * headDim, ldc: qkvStride)
            }
        }
    }
}
