import CSTKernels
import Foundation
import STKernels
import Testing

/// Every kernel against its naive twin at awkward sizes (1, 7, 8, 9, 31, 64, 129).
@Suite struct KernelReferenceTests {
    static let sizes = [1, 7, 8, 9, 31, 64, 129]

    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static func random(_ count: Int, seed: UInt64, scale: Float = 1) -> [Float] {
        var generator = Generator(state: seed)
        return (0..<count).map { _ in Float.random(in: -scale...scale, using: &generator) }
    }

    static func maxDifference(_ a: [Float], _ b: [Float]) -> Float {
        zip(a, b).map { abs($0 - $1) }.max() ?? 0
    }

    /// `Gemm.multiply` and `multiplyParallel` (the kernel table's packed GEMM on Linux, Accelerate on Apple) against
    /// the naive twin, in every layout, for the alpha / beta cases the kernel treats apart.
    @Test(arguments: sizes) func gemmInEveryLayout(size: Int) {
        let (m, n, k) = (size, size + 3, max(1, size - 1))
        for transposeA in [false, true] {
            for transposeB in [false, true] {
                for (alpha, beta): (Float, Float) in [(0.5, 1), (1, 0), (1, 1), (2, 0.25)] {
                    for parallel in [false, true] {
                        let a = Self.random(m * k, seed: 1)
                        let b = Self.random(k * n, seed: 2)
                        var fast = Self.random(m * n, seed: 3)
                        var slow = fast
                        let lda = transposeA ? m : k
                        let ldb = transposeB ? k : n
                        if parallel {
                            Gemm.multiplyParallel(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                                                  a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: &fast, ldc: n)
                        } else {
                            Gemm.multiply(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                                          a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: &fast, ldc: n)
                        }
                        Gemm.multiplyReference(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                                               a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: &slow, ldc: n)
                        #expect(Self.maxDifference(fast, slow) <= 1e-5 * Float(k),
                                "m \(m) n \(n) k \(k) tA \(transposeA) tB \(transposeB) alpha \(alpha) beta \(beta) parallel \(parallel)")
                    }
                }
            }
        }
    }

    /// The packed-weight multiply against the naive GEMM: rows and output widths that leave partial row blocks (6) and
    /// partial or odd panels (16), with and without bias and accumulation.
    @Test(arguments: sizes) func packedMatrixMultiply(size: Int) {
        for (rows, out) in [(size, size + 3), (13, size), (size, 48)] {
            let k = max(1, size - 2)
            let x = Self.random(rows * k, seed: 11), w = Self.random(out * k, seed: 12), bias = Self.random(out, seed: 13)
            let packed = PackedMatrix(weight: w, outFeatures: out, inFeatures: k)
            for accumulate in [false, true] {
                var fast = Self.random(rows * out, seed: 14)
                var slow = fast
                packed.multiply(input: x, rows: rows, bias: bias, output: &fast, accumulate: accumulate)
                Gemm.multiplyReference(transposeB: true, m: rows, n: out, k: k, a: x, lda: k, b: w, ldb: k,
                                       beta: accumulate ? 1 : 0, c: &slow, ldc: out)
                for row in 0..<rows { for j in 0..<out { slow[row * out + j] += bias[j] } }
                #expect(Self.maxDifference(fast, slow) <= 1e-5 * Float(k), "rows \(rows) out \(out) k \(k) accumulate \(accumulate)")
            }
        }
    }

    /// The int8 kernel against the same quantization computed naively: exact int32 sums, so only the float epilogue
    /// may differ. Rows and widths leave partial row blocks, panels and k-groups of 4.
    @Test(arguments: sizes) func quantizedMatrixMultiply(size: Int) {
        for (rows, out) in [(size, size + 3), (13, size), (size, 48)] {
            let k = max(1, size - 2)
            let x = Self.random(rows * k, seed: 21, scale: 3), w = Self.random(out * k, seed: 22), bias = Self.random(out, seed: 23)
            let matrix = QuantizedMatrix(weight: w, outFeatures: out, inFeatures: k)
            var fast = [Float](repeating: 0, count: rows * out)
            var slow = fast
            matrix.multiply(input: x, rows: rows, bias: bias, output: &fast)
            matrix.multiplyReference(input: x, weight: w, rows: rows, bias: bias, output: &slow)
            let scale = max(1, slow.map { abs($0) }.max() ?? 1)
            #expect(Self.maxDifference(fast, slow) <= 1e-5 * scale, "rows \(rows) out \(out) k \(k)")
            // And the quantized product is close to the float one (the error is what int8 costs, not a bug).
            var exact = [Float](repeating: 0, count: rows * out)
            Gemm.multiplyReference(transposeB: true, m: rows, n: out, k: k, a: x, lda: k, b: w, ldb: k, c: &exact, ldc: out)
            for row in 0..<rows { for j in 0..<out { exact[row * out + j] += bias[j] } }
            #expect(Self.maxDifference(fast, exact) <= 0.05 * Float(k).squareRoot() + 0.05, "int8 error, rows \(rows) out \(out) k \(k)")
        }
    }

    @Test(arguments: sizes) func layerNorm(size: Int) {
        let rows = 3
        let input = Self.random(rows * size, seed: 4, scale: 10)
        let weight = Self.random(size, seed: 5)
        let bias = Self.random(size, seed: 6)
        var fast = [Float](repeating: 0, count: input.count)
        var slow = fast
        LayerNorm.forward(output: &fast, input: input, weight: weight, bias: bias, rows: rows, channels: size, epsilon: 1e-12)
        LayerNorm.forwardReference(output: &slow, input: input, weight: weight, bias: bias, rows: rows, channels: size, epsilon: 1e-12)
        #expect(Self.maxDifference(fast, slow) <= 1e-5, "channels \(size)")
    }

    @Test(arguments: sizes) func softmax(size: Int) {
        let rows = 2, stride = size + 2
        var fast = Self.random(rows * stride, seed: 7, scale: 30)
        var slow = fast
        Softmax.forward(&fast, rows: rows, columns: size, rowStride: stride)
        Softmax.forwardReference(&slow, rows: rows, columns: size, rowStride: stride)
        #expect(Self.maxDifference(fast, slow) <= 1e-6)
        for row in 0..<rows {
            let total = fast[(row * stride)..<(row * stride + size)].reduce(0, +)
            #expect(abs(total - 1) < 1e-5)
        }
    }

    @Test(arguments: Activation.allCases) func activations(activation: Activation) {
        var values = Self.random(129, seed: 8, scale: 6)
        let reference = values.map { Float(activation.referenceValue(Double($0))) }
        activation.apply(&values, count: values.count)
        #expect(Self.maxDifference(values, reference) <= 2e-6, "\(activation)")
    }

    @Test(arguments: [1, 7, 9, 33]) func attentionOverPackedSequences(length: Int) {
        let heads = 3, headDim = 5, hidden = heads * headDim
        let sequences = [0..<length, length..<(length + 4), (length + 4)..<(2 * length + 4)]
        let tokens = 2 * length + 4
        let qkv = Self.random(tokens * 3 * hidden, seed: 9, scale: 2)
        var fast = [Float](repeating: 0, count: tokens * hidden)
        var slow = fast
        Attention.forward(output: &fast, qkv: qkv, sequences: sequences, heads: heads, headDim: headDim)
        Attention.forwardReference(output: &slow, qkv: qkv, sequences: sequences, heads: heads, headDim: headDim)
        #expect(Self.maxDifference(fast, slow) <= 1e-5)
    }

    @Test func attentionIgnoresOtherSequences() {
        // A sequence alone and the same sequence packed beside another give the same rows.
        let heads = 2, headDim = 4, hidden = heads * headDim
        let alone = Self.random(5 * 3 * hidden, seed: 10)
        let packed = alone + Self.random(7 * 3 * hidden, seed: 11)
        var outputAlone = [Float](repeating: 0, count: 5 * hidden)
        var outputPacked = [Float](repeating: 0, count: 12 * hidden)
        Attention.forward(output: &outputAlone, qkv: alone, sequences: [0..<5], heads: heads, headDim: headDim)
        Attention.forward(output: &outputPacked, qkv: packed, sequences: [0..<5, 5..<12], heads: heads, headDim: headDim)
        #expect(Array(outputPacked[0..<(5 * hidden)]) == outputAlone)
    }

    @Test(arguments: sizes) func vectorReductions(size: Int) {
        let x = Self.random(size, seed: 12), y = Self.random(size, seed: 13)
        let dot = x.withUnsafeBufferPointer { xs in y.withUnsafeBufferPointer { ys in VectorMath.dot(xs.baseAddress!, ys.baseAddress!, count: size) } }
        let sum = x.withUnsafeBufferPointer { VectorMath.sum($0.baseAddress!, count: size) }
        var expectedDot = 0.0
        for (a, b) in zip(x, y) { expectedDot += Double(a) * Double(b) }
        let expectedSum = x.reduce(0.0) { $0 + Double($1) }
        #expect(abs(Double(dot) - expectedDot) < 1e-5)
        #expect(abs(Double(sum) - expectedSum) < 1e-5)
    }

    @Test func partitionCoversEveryIndexOnce() {
        for count in [0, 1, 5, 17, 1000] {
            let seen = UnsafeMutableBufferPointer<Int>.allocate(capacity: max(1, count))
            seen.initialize(repeating: 0)
            defer { seen.deallocate() }
            Parallel.forEachChunk(count: count, minimumChunk: 2) { range in for i in range { seen[i] += 1 } }
            #expect(seen.prefix(count).allSatisfy { $0 == 1 })
        }
    }
}

@Suite struct VectorExpTests {
    @Test func expAgreesWithLibmAcrossTheRange() {
        var generator = KernelReferenceTests.Generator(state: 42)
        let inputs = (0..<4099).map { _ in Float.random(in: -87...88.3, using: &generator) } + [0, -1e-8, 1e-8, 88.37, -87.3]
        var values = inputs
        _ = st_exp_shifted_sum(&values, values.count, 0)
        var worst: Double = 0
        for (x, y) in zip(inputs, values) {
            let expected = Foundation.exp(Double(x))
            worst = max(worst, abs(Double(y) - expected) / expected)
        }
        #expect(worst < 3e-7, "max relative error \(worst)")
        var moderate = (0..<37).map { Float($0) / 4 - 4 }
        let sum = st_exp_shifted_sum(&moderate, moderate.count, 0)
        let expectedSum = moderate.reduce(0.0) { $0 + Double($1) }
        #expect(abs(Double(sum) - expectedSum) / expectedSum < 1e-6)
        // Far below the range: tiny, never garbage; the shift is subtracted first.
        var extreme: [Float] = [-1000, -90, 0]
        _ = st_exp_shifted_sum(&extreme, 3, 0)
        #expect(extreme[0] >= 0 && extreme[0] < 1e-37 && extreme[1] < 1e-37 && extreme[2] == 1)
        var shifted: [Float] = [5, 6]
        _ = st_exp_shifted_sum(&shifted, 2, 6)
        #expect(abs(shifted[0] - Float(Foundation.exp(-1.0))) < 1e-7 && shifted[1] == 1)
    }

    @Test func maxAndScale() {
        for count in [0, 1, 15, 16, 17, 100] {
            let original: [Float] = (0..<count).map { index in Float((index * 37) % 101) - 50 }
            var values = original
            let expected = original.max() ?? -.infinity
            #expect(st_max(values, count) == expected)
            st_scale(&values, count, 2)
            let doubled: [Float] = original.map { $0 * 2 }
            #expect(values == doubled)
        }
    }
}
