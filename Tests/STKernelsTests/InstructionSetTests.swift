import CSTKernels
import Foundation
import STKernels
import Testing

/// The kernel dispatch: names, errors, and every path this CPU runs against the naive twins, called through each
/// path's own table (the rest of the suite runs the active path; `scripts/test.sh` runs it again under
/// `SBERT_ISA=avx2` and `portable`, and `scripts/test-kernels-c.sh` covers the NEON paths under qemu).
@Suite struct InstructionSetTests {
    static let paths = InstructionSet.supported

    @Test func namesAreTheKernelTablesNames() throws {
        for path in InstructionSet.allCases {
            let code = st_isa_from_name(path.rawValue)
            #expect(code >= 0, "\(path) is not a name the C dispatch knows")
            #expect(st_isa_name(code).map { String(cString: $0) } == path.rawValue)
            if let kernels = path.kernels { #expect(String(cString: kernels.pointee.name) == path.rawValue) }
        }
        #expect(InstructionSet.best.isSupported)
        #expect(InstructionSet.portable.isSupported)
        #expect(InstructionSet.supported.first == InstructionSet.best)
    }

    @Test func environmentErrorsNameThePathAndWhatRuns() throws {
        #expect(throws: InstructionSetError.unknown(name: "avx1024")) {
            try InstructionSet.validateEnvironment(["SBERT_ISA": "avx1024"])
        }
        try InstructionSet.validateEnvironment(["SBERT_ISA": ""])
        try InstructionSet.validateEnvironment([:])
        try InstructionSet.validateEnvironment(["SBERT_ISA": "portable"])
        #if arch(x86_64)
        let foreign = InstructionSet.neon
        #else
        let foreign = InstructionSet.avx2
        #endif
        #expect(throws: InstructionSetError.unsupported(foreign)) { try InstructionSet.validateEnvironment(["SBERT_ISA": foreign.rawValue]) }
        let message = InstructionSetError.unsupported(foreign).description
        #expect(message.contains(foreign.rawValue) && message.contains("portable"))
    }

    /// The packed fp32 GEMM of every path against Double arithmetic, at sizes that leave partial row blocks (4, 6, 8)
    /// and partial panels, over a sub-range of panels, with bias and accumulation.
    @Test(arguments: paths) func packedGemmOfEveryPath(path: InstructionSet) throws {
        let kernels = try #require(path.kernels)
        let gemm = try #require(kernels.pointee.packed_gemm_f32)
        for (rows, k, n) in [(1, 1, 1), (5, 7, 17), (7, 33, 50), (13, 64, 48), (9, 129, 33)] {
            let x = KernelReferenceTests.random(rows * k, seed: 31, scale: 1)
            let w = KernelReferenceTests.random(n * k, seed: 32, scale: 0.5)
            let bias = KernelReferenceTests.random(n, seed: 33)
            let panels = (n + 15) / 16
            var packed = [Float](repeating: 0, count: panels * 16 * k)
            st_pack_weights_f32(w, n, k, k, &packed)
            for accumulate in [false, true] {
                var fast = KernelReferenceTests.random(rows * n, seed: 34)
                var slow = fast
                gemm(x, rows, k, k, packed, n, 0, panels, bias, &fast, n, accumulate ? 1 : 0)
                Gemm.multiplyReference(transposeB: true, m: rows, n: n, k: k, a: x, lda: k, b: w, ldb: k,
                                       beta: accumulate ? 1 : 0, c: &slow, ldc: n)
                for row in 0..<rows { for j in 0..<n { slow[row * n + j] += bias[j] } }
                #expect(KernelReferenceTests.maxDifference(fast, slow) <= 2e-6 * Float(k + 1), "\(path) rows \(rows) k \(k) n \(n)")
            }
        }
    }

    /// Activation quantization writes the same bytes on every path, and every fast int8 GEMM gives the exact integer
    /// sums: equal to the portable integer kernel up to the float epilogue's rounding, including activations at 0 and
    /// 255 against weights at ±127, where vpmaddubsw's 16-bit pair sums would saturate without sign folding, and
    /// (gemm_u8s7, where the path has it) against weights at ±63, the largest that kernel takes.
    @Test(arguments: paths) func int8OfEveryPath(path: InstructionSet) throws {
        let kernels = try #require(path.kernels)
        let portable = try #require(InstructionSet.portable.kernels)
        let cases = [(1, 4, 16, false), (3, 33, 31, true), (6, 129, 47, false), (13, 384, 40, true), (5, 67, 33, true)]
        for (rows, k, n, extreme) in cases {
            for (limit, kernel) in [(127, kernels.pointee.gemm_u8s8), (63, kernels.pointee.gemm_u8s7)] {
                var x = KernelReferenceTests.random(rows * k, seed: 41, scale: 2)
                var w = KernelReferenceTests.random(n * k, seed: 42, scale: 0.3)
                if extreme {
                    x = (0..<(rows * k)).map { (($0 / 2) % 2 == 0) ? 2 : -2 }
                    w = (0..<(n * k)).map { (($0 / 3) % 2 == 0) ? 0.3 : -0.3 }
                }
                let kPadded = st_int8_padded_k(k)
                let panels = (n + 15) / 16
                var packed = [Int8](repeating: 0, count: panels * 16 * kPadded)
                var scales = [Float](repeating: 0, count: panels * 16), sums = [Int32](repeating: 0, count: panels * 16)
                st_pack_weights_s8(w, n, k, limit, &packed, &scales, &sums)
                var q = [UInt8](repeating: 0, count: rows * kPadded), q0 = q
                var xScales = [Float](repeating: 0, count: rows), xScales0 = xScales
                var zeros = [Int32](repeating: 0, count: rows), zeros0 = zeros
                kernels.pointee.quantize_rows_u8(x, rows, k, k, &q, &xScales, &zeros)
                portable.pointee.quantize_rows_u8(x, rows, k, k, &q0, &xScales0, &zeros0)
                #expect(q == q0 && xScales == xScales0 && zeros == zeros0, "\(path): quantized bytes differ from portable")
                guard let gemm = kernel else { continue }
                var fast = [Float](repeating: 0, count: rows * n), slow = fast
                gemm(q, rows, kPadded, packed, n, 0, panels, scales, sums, xScales, zeros, nil, &fast, n, 0)
                st_gemm_u8s8_reference(q0, rows, kPadded, packed, n, 0, panels, scales, sums, xScales0, zeros0, nil, &slow, n, 0)
                let scale = max(1, slow.map { abs($0) }.max() ?? 1)
                #expect(KernelReferenceTests.maxDifference(fast, slow) <= 1e-6 * scale, "\(path) ±\(limit) rows \(rows) k \(k) n \(n) extreme \(extreme)")
            }
        }
    }

    /// The element-wise kernels of every path against Double arithmetic.
    @Test(arguments: paths) func elementwiseOfEveryPath(path: InstructionSet) throws {
        let kernels = try #require(path.kernels).pointee
        let gelu = try #require(kernels.gelu), maximum = try #require(kernels.max)
        let expShiftedSum = try #require(kernels.exp_shifted_sum)
        for count in [0, 1, 7, 16, 17, 100] {
            let x = KernelReferenceTests.random(count, seed: 51, scale: 6)
            var y = x
            gelu(&y, count)
            for i in 0..<count {
                let expected = Double(x[i]) * 0.5 * erfc(-Double(x[i]) / 2.0.squareRoot())
                #expect(abs(Double(y[i]) - expected) <= 1e-6 * abs(Double(x[i])) + 1e-30, "\(path) gelu(\(x[i]))")
            }
            let largest: Float = maximum(x, count)
            #expect(largest == (x.max() ?? -.infinity), "\(path) max")
            y = x
            let shift: Float = largest.isFinite ? largest : 0
            let total: Float = expShiftedSum(&y, count, shift)
            var expected = 0.0
            for value in x { expected += exp(Double(value - shift)) }
            #expect(abs(Double(total) - expected) <= 1e-6 * (expected + 1), "\(path) exp sum")
        }
    }

    /// Where a path has no fast int8 instructions, an int8 projection runs fp32 on the dequantized weights: the
    /// dequantized matrix is scale · round(w / scale) per output row (scale = max|w| / 127, or / 63 where the path
    /// packs 7-bit weights).
    @Test func dequantizedWeightsAreTheInt8Weights() {
        let (out, k) = (19, 37)
        let w = KernelReferenceTests.random(out * k, seed: 61, scale: 0.7)
        let matrix = QuantizedMatrix(weight: w, outFeatures: out, inFeatures: k)
        let dequantized = matrix.dequantizedWeights()
        for j in 0..<out {
            let row = w[(j * k)..<((j + 1) * k)]
            let scale = (row.map { abs($0) }.max() ?? 0) / Float(matrix.weightLimit)
            for i in 0..<k {
                let expected = scale * (w[j * k + i] / scale).rounded(.toNearestOrEven)
                #expect(abs(dequantized[j * k + i] - expected) <= 1e-7, "[\(j), \(i)]")
            }
        }
    }
}
