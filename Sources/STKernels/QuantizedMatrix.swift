import CSTKernels

/// A weight matrix `W` `[outFeatures, inFeatures]` quantized to int8 per output channel and packed for the int8
/// kernels: `y = x·Wᵀ + b` with `x` quantized per row to u8 on each call (dynamic quantization), exact int32 sums
/// (VNNI, or `vpmaddubsw`/`sdot`/`usdot`, whichever the active ``InstructionSet`` has), and a float epilogue. A quarter
/// of the fp32 weights' bytes, so a whole small model's projections fit in the L3 cache. Where `vpmaddubsw` stands
/// in for VNNI (the `avx2` and `avx512` paths) the weights take 7 bits (±63), as ONNX Runtime's `reduce_range`:
/// the products then never saturate the instruction's 16-bit sums, and the kernel needs a quarter fewer operations.
///
/// ```swift
/// let int8 = QuantizedMatrix(weight: w, outFeatures: 1536, inFeatures: 384)
/// int8.multiply(input: x, rows: 12, bias: b, output: y)
/// ```
public final class QuantizedMatrix: @unchecked Sendable {
    public let outFeatures: Int
    public let inFeatures: Int
    let paddedInFeatures: Int
    let panelCount: Int
    let packed: UnsafeMutablePointer<Int8>
    let scales: UnsafeMutablePointer<Float>
    let sums: UnsafeMutablePointer<Int32>
    /// The weights' int8 range, ±127 or ±63: chosen by the path active at load (``InstructionSet/int8WeightLimit``),
    /// and multiplied by a kernel exact for it whatever the path is later.
    public let weightLimit: Int

    public init(weight: UnsafePointer<Float>, outFeatures: Int, inFeatures: Int) {
        self.outFeatures = outFeatures
        self.inFeatures = inFeatures
        weightLimit = InstructionSet.active.int8WeightLimit
        paddedInFeatures = st_int8_padded_k(inFeatures)
        panelCount = (outFeatures + Int(ST_PACKED_PANEL) - 1) / Int(ST_PACKED_PANEL)
        let columns = panelCount * Int(ST_PACKED_PANEL)
        packed = .allocate(capacity: max(1, columns * paddedInFeatures))
        scales = .allocate(capacity: max(1, columns))
        sums = .allocate(capacity: max(1, columns))
        st_pack_weights_s8(weight, outFeatures, inFeatures, weightLimit, packed, scales, sums)
    }

    deinit {
        packed.deallocate()
        scales.deallocate()
        sums.deallocate()
    }

    /// The dequantized weights `[outFeatures, inFeatures]`, `scale[j] · int8[j, k]`: what a path without fast int8
    /// instructions multiplies in fp32.
    public func dequantizedWeights() -> [Float] {
        [Float](unsafeUninitializedCapacity: outFeatures * inFeatures) { buffer, count in
            if let base = buffer.baseAddress { st_unpack_weights_s8(packed, scales, outFeatures, inFeatures, base) }
            count = outFeatures * inFeatures
        }
    }

    /// The bytes the quantized copy holds.
    public var byteCount: Int { panelCount * Int(ST_PACKED_PANEL) * (paddedInFeatures + 8) }

    /// `output[rows, out] = quantize(input)[rows, in] · Wᵀ + bias` (plus `output`'s content when `accumulate`).
    public func multiply(input: UnsafePointer<Float>, rows: Int, bias: UnsafePointer<Float>?,
                         output: UnsafeMutablePointer<Float>, accumulate: Bool = false) {
        guard rows > 0 else { return }
        let quantized = UnsafeMutablePointer<UInt8>.allocate(capacity: rows * paddedInFeatures)
        let rowScales = UnsafeMutablePointer<Float>.allocate(capacity: rows)
        let rowZeros = UnsafeMutablePointer<Int32>.allocate(capacity: rows)
        defer {
            quantized.deallocate()
            rowScales.deallocate()
            rowZeros.deallocate()
        }
        let k = inFeatures, kPadded = paddedInFeatures
        Parallel.forEachChunk(count: rows, minimumChunk: 64) { range in
            st_quantize_rows_u8(input + range.lowerBound * k, range.count, k, k, quantized + range.lowerBound * kPadded,
                                rowScales + range.lowerBound, rowZeros + range.lowerBound)
        }
        let pairs = (panelCount + 1) / 2
        let minimumPairs = max(1, 4096 / max(1, rows * kPadded / 16))
        let gemm = weightLimit <= 63 ? st_packed_gemm_u8s7 : st_packed_gemm_u8s8
        Parallel.forEachChunk(count: pairs, minimumChunk: min(pairs, minimumPairs)) { range in
            gemm(quantized, rows, kPadded, packed, outFeatures, range.lowerBound * 2, min(panelCount, range.upperBound * 2),
                 scales, sums, rowScales, rowZeros, bias, output, outFeatures, accumulate ? 1 : 0)
        }
    }

    /// Naive twin of ``multiply(input:rows:bias:output:accumulate:)``: the same quantization, dequantized sums in
    /// `Double`. The int32 sums are exact, so the kernel must match to float rounding.
    public func multiplyReference(input: UnsafePointer<Float>, weight: UnsafePointer<Float>, rows: Int,
                                  bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>) {
        let k = inFeatures
        for row in 0..<rows {
            let x = input + row * k
            var low: Float = 0, high: Float = 0
            for i in 0..<k { low = min(low, x[i]); high = max(high, x[i]) }
            let xScale: Float = high > low ? (high - low) / 255 : 1
            let zero = min(255, max(0, Int((-low * (1 / xScale)).rounded(.toNearestOrEven))))
            let q = (0..<k).map { min(255, max(0, Int((x[$0] * (1 / xScale)).rounded(.toNearestOrEven)) + zero)) }
            for j in 0..<outFeatures {
                let w = weight + j * k
                var largest: Float = 0
                for i in 0..<k { largest = max(largest, abs(w[i])) }
                let wScale: Float = largest > 0 ? largest / Float(weightLimit) : 1
                var sum = 0.0
                for i in 0..<k {
                    let qw = Double(min(weightLimit, max(-weightLimit, Int((w[i] / wScale).rounded(.toNearestOrEven)))))
                    sum += Double(q[i] - zero) * qw
                }
                output[row * outFeatures + j] = Float(Double(xScale) * Double(wScale) * sum + Double(bias?[j] ?? 0))
            }
        }
    }
}
