import Foundation
import STKernels
import Testing

/// The modern layers' hot loops that run in C (`st_activate`, `st_gated`, `st_rms_norm_row`, `st_rope`, and their
/// backwards) against naive `Double` twins at awkward sizes, through the active instruction-set path (`scripts/test.sh`
/// reruns this suite with `SBERT_ISA=avx2` and `portable`; `Tests/CKernelTests` checks every path's table directly).
/// The backwards are also checked by finite differences in ``ModernLayerKernelTests`` and
/// ``BackwardFiniteDifferenceTests``.
@Suite struct VectorizedLayerKernelTests {
    typealias Random = KernelReferenceTests

    static let counts = [1, 7, 16, 17, 33, 1000, 9000]

    /// `f′` in `Double`, by central differences of ``Activation/referenceValue(_:)`` (h = 1e-5).
    static func referenceDerivative(_ activation: Activation, _ x: Double) -> Double {
        (activation.referenceValue(x + 1e-5) - activation.referenceValue(x - 1e-5)) / 2e-5
    }

    @Test(arguments: [Activation.gelu, .geluTanh, .silu]) func activationsMatchTheirTwin(_ activation: Activation) {
        for count in Self.counts {
            var x = Random.random(count, seed: 101, scale: 10)
            for i in stride(from: 0, to: count, by: 4) { x[i] *= 1e-4 }
            var y = x
            activation.apply(&y, count: count)
            var dx = [Float](repeating: 0.5, count: count)
            let dy = Random.random(count, seed: 102)
            activation.backward(dInput: &dx, dOutput: dy, input: x, count: count)
            for i in 0..<count {
                let v = Double(x[i])
                #expect(abs(Double(y[i]) - activation.referenceValue(v)) <= 1e-6 * (abs(v) + 1e-3), "\(activation) at \(v)")
                let want = 0.5 + Double(dy[i]) * Self.referenceDerivative(activation, v)
                #expect(abs(Double(dx[i]) - want) <= 1e-5 * (1 + abs(want)), "\(activation)′ at \(v)")
            }
        }
    }

    @Test(arguments: [Activation.gelu, .geluTanh, .silu, .relu]) func gatedUnitsMatchTheirTwin(_ activation: Activation) {
        for (rows, width) in [(1, 1), (3, 17), (2, 64), (5, 1000)] {
            let x = Random.random(rows * 2 * width, seed: 103, scale: 6), dy = Random.random(rows * width, seed: 104)
            var y = [Float](repeating: 0, count: rows * width)
            GatedActivation.forward(output: &y, input: x, rows: rows, width: width, activation: activation)
            var dx = [Float](repeating: 0.25, count: x.count)
            GatedActivation.backward(dInput: &dx, dOutput: dy, input: x, rows: rows, width: width, activation: activation)
            var worst = 0.0
            for row in 0..<rows {
                for c in 0..<width {
                    let a = Double(x[row * 2 * width + c]), g = Double(x[row * 2 * width + width + c])
                    let d = Double(dy[row * width + c])
                    let wantY = activation.referenceValue(a) * g
                    let wantA = 0.25 + d * g * Self.referenceDerivative(activation, a)
                    let wantG = 0.25 + d * activation.referenceValue(a)
                    worst = max(worst, abs(Double(y[row * width + c]) - wantY) / (1 + abs(wantY)),
                                abs(Double(dx[row * 2 * width + c]) - wantA) / (1 + abs(wantA)),
                                abs(Double(dx[row * 2 * width + width + c]) - wantG) / (1 + abs(wantG)))
                }
            }
            #expect(worst <= 2e-5, "\(activation), \(rows) × \(width): worst \(worst)")
        }
    }

    @Test func rmsNormAtAwkwardWidths() {
        for channels in [1, 15, 16, 17, 100, 1024, 1025] {
            for offset: Float in [0, 1] {
                let rows = 5
                let x = Random.random(rows * channels, seed: 105, scale: 3), weight = Random.random(channels, seed: 106)
                var fast = [Float](repeating: 0, count: x.count), slow = fast
                RMSNorm.forward(output: &fast, input: x, weight: weight, weightOffset: offset, rows: rows, channels: channels,
                                epsilon: 1e-6)
                RMSNorm.forwardReference(output: &slow, input: x, weight: weight, weightOffset: offset, rows: rows,
                                         channels: channels, epsilon: 1e-6)
                #expect(Random.maxDifference(fast, slow) <= 5e-6, "RMSNorm, \(channels) channels, offset \(offset)")
                // In place (output aliasing input), as the Q/K norms run.
                var inPlace = x
                inPlace.withUnsafeMutableBufferPointer { buffer in
                    RMSNorm.forward(output: buffer.baseAddress!, input: buffer.baseAddress!, weight: weight, weightOffset: offset,
                                    rows: rows, channels: channels, epsilon: 1e-6)
                }
                #expect(inPlace == fast, "RMSNorm in place, \(channels) channels")
            }
        }
    }

    @Test func rotaryAtRealHeadSizes() {
        for (headDim, heads) in [(2, 1), (30, 3), (64, 12), (128, 16), (256, 4)] {
            let rotary = RotaryEmbedding(headDim: headDim, theta: 1_000_000)
            let stride = heads * headDim + 5, offset = 3
            let sequences = [0..<40, 40..<41, 41..<300]
            let x = Random.random(300 * stride, seed: 107, scale: 2)
            let table = rotary.table(length: 260)
            for inverse in [false, true] {
                var fast = x, slow = x
                rotary.apply(&fast, stride: stride, offset: offset, heads: heads, sequences: sequences, table: table, inverse: inverse)
                slow.withUnsafeMutableBufferPointer { buffer in
                    rotary.applyReference(buffer.baseAddress!, stride: stride, offset: offset, heads: heads, sequences: sequences,
                                          inverse: inverse)
                }
                // The table's cos/sin are rounded to Float; the twin keeps them in Double.
                #expect(Random.maxDifference(fast, slow) <= 2e-6 * 4, "RoPE head_dim \(headDim), inverse \(inverse)")
            }
        }
    }
}
