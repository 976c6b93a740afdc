extension LayerNorm {
    /// ``forward(output:input:weight:bias:rows:channels:epsilon:)`` that also keeps the per-row statistics
    /// ``backward(dInput:dWeight:dBias:dOutput:input:weight:mean:reciprocalStd:rows:channels:)`` reads.
    ///
    /// Shapes: `input`, `output` `[rows, channels]` (must not alias: backward needs the input); `mean`,
    /// `reciprocalStd` `[rows]`.
    public static func forwardTraining(
        output: UnsafeMutablePointer<Float>, mean: UnsafeMutablePointer<Float>, reciprocalStd: UnsafeMutablePointer<Float>,
        input: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
        rows: Int, channels: Int, epsilon: Float
    ) {
        precondition(channels > 0, "LayerNorm: no channels")
        Parallel.forEachChunk(count: rows, minimumChunk: 16) { range in
            for row in range {
                (mean[row], reciprocalStd[row]) = normalizeRow(input + row * channels, into: output + row * channels,
                                                               weight: weight, bias: bias, channels: channels, epsilon: epsilon)
            }
        }
    }

    /// Accumulates the gradients of a layer normalization: with `x̂ = (x − mean)·rstd` and `g = dy·weight`,
    /// `dx += rstd·(g − mean(g) − x̂·mean(g·x̂))`, `dWeight += Σ_rows dy·x̂`, `dBias += Σ_rows dy`.
    ///
    /// Rows are split across workers, each summing its own partial `dWeight`/`dBias`; the partials are added in
    /// worker order, so the result does not depend on scheduling.
    public static func backward(
        dInput: UnsafeMutablePointer<Float>, dWeight: UnsafeMutablePointer<Float>, dBias: UnsafeMutablePointer<Float>?,
        dOutput: UnsafePointer<Float>, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        mean: UnsafePointer<Float>, reciprocalStd: UnsafePointer<Float>, rows: Int, channels: Int
    ) {
        let chunks = min(Parallel.workerCount, max(1, rows / 16))
        let partials = UnsafeMutablePointer<Float>.allocate(capacity: chunks * 2 * channels)
        partials.initialize(repeating: 0, count: chunks * 2 * channels)
        defer { partials.deallocate() }
        Parallel.forEachChunk(count: chunks, minimumChunk: 1) { chunkRange in
            for chunk in chunkRange {
                let start = chunk * rows / chunks
                let end = (chunk + 1) * rows / chunks
                let partialWeight = partials + chunk * 2 * channels
                let partialBias = partialWeight + channels
                let normalized = UnsafeMutablePointer<Float>.allocate(capacity: channels)
                defer { normalized.deallocate() }
                for row in start..<end {
                    let x = input + row * channels
                    let dy = dOutput + row * channels
                    let dx = dInput + row * channels
                    let rowMean = mean[row]
                    let rstd = reciprocalStd[row]
                    var meanGradient: Float = 0       // term 1: mean(g)
                    var meanGradientDotX: Float = 0   // term 2: mean(g·x̂)
                    for c in 0..<channels {
                        let xHat = (x[c] - rowMean) * rstd
                        normalized[c] = xHat
                        let g = dy[c] * weight[c]
                        meanGradient += g
                        meanGradientDotX += g * xHat
                        partialWeight[c] += dy[c] * xHat
                        partialBias[c] += dy[c]
                    }
                    meanGradient /= Float(channels)
                    meanGradientDotX /= Float(channels)
                    for c in 0..<channels {
                        let g = dy[c] * weight[c]
                        dx[c] += rstd * (g - meanGradient - normalized[c] * meanGradientDotX)
                    }
                }
            }
        }
        for chunk in 0..<chunks {
            VectorMath.add(partials + chunk * 2 * channels, into: dWeight, count: channels)
            if let dBias { VectorMath.add(partials + chunk * 2 * channels + channels, into: dBias, count: channels) }
        }
    }
}
