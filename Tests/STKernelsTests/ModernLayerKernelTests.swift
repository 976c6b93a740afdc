import Foundation
import STKernels
import Testing

/// The kernels of the modern architectures (RMSNorm, rotary positions, gated activations, grouped-query attention with
/// causal and sliding-window masks): each against its naive twin at awkward sizes, and each backward against central
/// finite differences (``BackwardFiniteDifferenceTests/check(_:analytic:objective:label:)``).
@Suite struct ModernLayerKernelTests {
    typealias Random = KernelReferenceTests
    typealias Differences = BackwardFiniteDifferenceTests

    @Test(arguments: [(1, 7, Float(0)), (5, 32, 0), (17, 33, 1)]) func rmsNormMatchesItsTwin(rows: Int, channels: Int, offset: Float) {
        let x = Random.random(rows * channels, seed: 51, scale: 3), weight = Random.random(channels, seed: 52)
        var fast = [Float](repeating: 0, count: x.count), slow = fast
        RMSNorm.forward(output: &fast, input: x, weight: weight, weightOffset: offset, rows: rows, channels: channels, epsilon: 1e-6)
        RMSNorm.forwardReference(output: &slow, input: x, weight: weight, weightOffset: offset, rows: rows, channels: channels, epsilon: 1e-6)
        #expect(Random.maxDifference(fast, slow) <= 2e-6)
    }

    @Test(arguments: [(1, 7, Float(0)), (3, 16, 1), (6, 31, 0)]) func rmsNormBackward(rows: Int, channels: Int, offset: Float) {
        let x = Random.random(rows * channels, seed: 53, scale: 2), weight = Random.random(channels, seed: 54)
        let r = Random.random(rows * channels, seed: 55)
        func forward(_ x: [Float], _ weight: [Float]) -> [Float] {
            var y = [Float](repeating: 0, count: x.count)
            RMSNorm.forward(output: &y, input: x, weight: weight, weightOffset: offset, rows: rows, channels: channels, epsilon: 1e-6)
            return y
        }
        var y = [Float](repeating: 0, count: x.count), rms = [Float](repeating: 0, count: rows)
        RMSNorm.forwardTraining(output: &y, reciprocalRMS: &rms, input: x, weight: weight, weightOffset: offset, rows: rows,
                                channels: channels, epsilon: 1e-6)
        #expect(Random.maxDifference(y, forward(x, weight)) == 0)
        var dx = [Float](repeating: 0, count: x.count), dWeight = [Float](repeating: 0, count: channels)
        RMSNorm.backward(dInput: &dx, dWeight: &dWeight, dOutput: r, input: x, weight: weight, weightOffset: offset,
                         reciprocalRMS: rms, rows: rows, channels: channels)
        Differences.check(x, analytic: dx, objective: { Differences.dot(forward($0, weight), r) }, label: "RMSNorm dx")
        Differences.check(weight, analytic: dWeight, objective: { Differences.dot(forward(x, $0), r) }, label: "RMSNorm dWeight")
    }

    /// Against the definition in `Double`, and its inverse undoes it; the backward (the inverse rotation) is the
    /// transpose of the forward, checked by finite differences.
    @Test func rotaryEmbedding() {
        let rotary = RotaryEmbedding(headDim: 8, theta: 10_000)
        let heads = 2, stride = 21, offset = 3
        let sequences = [0..<5, 5..<6, 6..<13]
        let x = Random.random(13 * stride, seed: 61, scale: 2)
        let table = rotary.table(length: 7)
        func forward(_ x: [Float]) -> [Float] {
            var y = x
            rotary.apply(&y, stride: stride, offset: offset, heads: heads, sequences: sequences, table: table)
            return y
        }
        let y = forward(x)
        var expected = x
        for sequence in sequences {
            for (position, row) in sequence.enumerated() {
                for head in 0..<heads {
                    for d in 0..<4 {
                        let angle = Double(position) / pow(10_000, Double(2 * d) / 8)
                        let a = Double(x[row * stride + offset + head * 8 + d]), b = Double(x[row * stride + offset + head * 8 + d + 4])
                        expected[row * stride + offset + head * 8 + d] = Float(a * cos(angle) - b * sin(angle))
                        expected[row * stride + offset + head * 8 + d + 4] = Float(b * cos(angle) + a * sin(angle))
                    }
                }
            }
        }
        #expect(Random.maxDifference(y, expected) <= 1e-5)
        var back = y
        rotary.apply(&back, stride: stride, offset: offset, heads: heads, sequences: sequences, table: table, inverse: true)
        #expect(Random.maxDifference(back, x) <= 1e-5)
        let r = Random.random(x.count, seed: 62)
        var dx = r
        rotary.apply(&dx, stride: stride, offset: offset, heads: heads, sequences: sequences, table: table, inverse: true)
        Differences.check(x, analytic: dx, objective: { Differences.dot(forward($0), r) }, label: "RoPE")
    }

    @Test(arguments: [Activation.gelu, .geluTanh, .silu]) func gatedActivation(_ activation: Activation) {
        let rows = 3, width = 11
        let x = Random.random(rows * 2 * width, seed: 71, scale: 3), r = Random.random(rows * width, seed: 72)
        func forward(_ x: [Float]) -> [Float] {
            var y = [Float](repeating: 0, count: rows * width)
            GatedActivation.forward(output: &y, input: x, rows: rows, width: width, activation: activation)
            return y
        }
        let y = forward(x)
        for row in 0..<rows {
            for c in 0..<width {
                let a = Double(x[row * 2 * width + c]), g = Double(x[row * 2 * width + width + c])
                #expect(abs(Double(y[row * width + c]) - activation.referenceValue(a) * g) <= 1e-5 * max(1, abs(g)))
            }
        }
        var dx = [Float](repeating: 0, count: x.count)
        GatedActivation.backward(dInput: &dx, dOutput: r, input: x, rows: rows, width: width, activation: activation)
        Differences.check(x, analytic: dx, objective: { Differences.dot(forward($0), r) }, label: "gated \(activation)")
    }

    static let masks: [AttentionMask] = [.bidirectional, .causal, .window(radius: 2), .causalWindow(size: 3)]

    /// Grouped-query attention (4 query heads over 2 and over 1 key/value heads, head_dim ≠ hidden / heads) with each
    /// mask and a non-default scale: the packed kernel against its twin, the training forward equal to it, and the
    /// backward against finite differences.
    @Test(arguments: masks) func groupedAttentionWithMask(_ mask: AttentionMask) {
        for kvHeads in [2, 1] {
            let shape = AttentionShape(heads: 4, kvHeads: kvHeads, headDim: 3, scale: 0.4, mask: mask)
            let sequences = [0..<1, 1..<6, 6..<14]
            let tokens = 14
            let qkv = Random.random(tokens * shape.qkvStride, seed: 81, scale: 1.5)
            var fast = [Float](repeating: 0, count: tokens * shape.outputStride), slow = fast
            Attention.forward(output: &fast, qkv: qkv, sequences: sequences, shape: shape)
            Attention.forwardReference(output: &slow, qkv: qkv, sequences: sequences, shape: shape)
            #expect(Random.maxDifference(fast, slow) <= 1e-5, "\(mask), \(kvHeads) kv heads: forward")
            let total = Attention.probabilityLayout(sequences: sequences, shape: shape).total
            var output = [Float](repeating: 0, count: tokens * shape.outputStride)
            var probabilities = [Float](repeating: 0, count: total)
            Attention.forwardTraining(output: &output, probabilities: &probabilities, dropoutMask: nil, qkv: qkv,
                                      sequences: sequences, shape: shape)
            #expect(Random.maxDifference(output, slow) <= 1e-5, "\(mask), \(kvHeads) kv heads: training forward")
            BlockedAttentionTests.checkGradients(shape: shape, sequences: sequences, seed: 81,
                                                 label: "attention dQKV (\(mask), \(kvHeads) kv heads)")
        }
    }

    @Test func maskRanges() {
        #expect(AttentionMask.window(radius: 8).keys(of: 0, length: 30) == 0..<9)
        #expect(AttentionMask.window(radius: 8).keys(of: 20, length: 30) == 12..<29)
        #expect(AttentionMask.causal.keys(of: 4, length: 30) == 0..<5)
        #expect(AttentionMask.causalWindow(size: 3).keys(of: 4, length: 30) == 2..<5)
        #expect(AttentionMask.bidirectional.keys(of: 4, length: 6) == 0..<6)
    }
}
