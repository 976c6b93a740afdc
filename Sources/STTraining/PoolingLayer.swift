import SentenceTransformers

/// The `Pooling` module's forward/backward pair over packed token embeddings: the same numbers as
/// `SentenceTransformers.Pooling`, plus what backward needs (the arg-max token of max pooling).
///
/// Shapes: tokens `[T, D]` (all sequences packed), pooled `[N, modes·D]`.
struct PoolingLayer {
    let configuration: PoolingConfiguration

    /// Which token each max-pooled channel came from, `[N, D]`, per max block.
    struct Cache {
        var argmax: [Int32] = []
    }

    func forward(tokens x: UnsafePointer<Float>, sequences: [Range<Int>], dimension d: Int,
                 into y: UnsafeMutablePointer<Float>) -> Cache {
        let modes = configuration.poolingModes
        let width = d * modes.count
        var cache = Cache()
        if modes.contains(.max) { cache.argmax = [Int32](repeating: -1, count: sequences.count * d) }
        for (index, sequence) in sequences.enumerated() {
            for (block, mode) in modes.enumerated() {
                let out = y + index * width + block * d
                out.update(repeating: 0, count: d)
                forEachWeight(mode, sequence: sequence) { row, weight in
                    for c in 0..<d { out[c] += weight * x[row * d + c] }
                }
                if mode == .max {
                    for c in 0..<d {
                        var best = -Float.infinity, bestRow = -1
                        for row in sequence where x[row * d + c] > best || bestRow < 0 {
                            best = x[row * d + c]
                            bestRow = row
                        }
                        out[c] = best
                        cache.argmax[index * d + c] = Int32(bestRow)
                    }
                }
            }
        }
        return cache
    }

    /// Accumulates `dTokens` from `dPooled`.
    func backward(dTokens: UnsafeMutablePointer<Float>, dPooled: UnsafePointer<Float>, cache: Cache,
                  sequences: [Range<Int>], dimension d: Int) {
        let modes = configuration.poolingModes
        let width = d * modes.count
        for (index, sequence) in sequences.enumerated() {
            for (block, mode) in modes.enumerated() {
                let dOut = dPooled + index * width + block * d
                if mode == .max {
                    for c in 0..<d {
                        let row = Int(cache.argmax[index * d + c])
                        if row >= 0 { dTokens[row * d + c] += dOut[c] }
                    }
                    continue
                }
                forEachWeight(mode, sequence: sequence) { row, weight in
                    for c in 0..<d { dTokens[row * d + c] += weight * dOut[c] }
                }
            }
        }
    }

    /// The linear modes as weights on token rows (`y = Σ weight·x_row`). Training sees no prompts, so every token
    /// counts, as in `Pooling` with prompt length 0.
    private func forEachWeight(_ mode: PoolingMode, sequence: Range<Int>, _ body: (Int, Float) -> Void) {
        guard !sequence.isEmpty else { return }
        let count = Float(sequence.count)
        switch mode {
        case .cls: body(sequence.lowerBound, 1)
        case .lasttoken: body(sequence.upperBound - 1, 1)
        case .mean: for row in sequence { body(row, 1 / max(count, 1e-9)) }
        case .meanSqrtLenTokens: for row in sequence { body(row, 1 / max(count, 1e-9).squareRoot()) }
        case .weightedmean:
            let total = count * (count + 1) / 2
            for row in sequence { body(row, Float(row - sequence.lowerBound + 1) / max(total, 1e-9)) }
        case .max: break
        }
    }
}
