import Foundation
import STKernels
import Testing

/// Every backward kernel against central finite differences of its forward, through the objective `L = Σ r·y` with
/// a fixed random `r`, at awkward sizes. Differences are taken in `Float` with `h = 1e-2`, so the tolerance is
/// relative to the largest gradient (1e-2).
@Suite struct BackwardFiniteDifferenceTests {
    typealias Random = KernelReferenceTests

    /// Compares `analytic` (∂L/∂x) with central differences of `objective` at every index of `x`.
    static func check(_ x: [Float], analytic: [Float], objective: ([Float]) -> Double, label: String) {
        let h: Float = 1e-2
        var worst = 0.0
        let scale = max(1e-3, analytic.map { Double(abs($0)) }.max() ?? 0)
        for index in x.indices {
            var plus = x, minus = x
            plus[index] += h
            minus[index] -= h
            let numeric = (objective(plus) - objective(minus)) / Double(2 * h)
            worst = max(worst, abs(numeric - Double(analytic[index])) / scale)
        }
        #expect(worst < 1e-2, "\(label): worst error \(worst) of the largest gradient")
    }

    static func dot(_ a: [Float], _ b: [Float]) -> Double { zip(a, b).reduce(0.0) { $0 + Double($1.0) * Double($1.1) } }

    @Test(arguments: [(1, 7), (3, 9), (5, 31)]) func layerNorm(rows: Int, channels: Int) {
        let x = Random.random(rows * channels, seed: 11, scale: 2)
        let weight = Random.random(channels, seed: 12), bias = Random.random(channels, seed: 13)
        let r = Random.random(rows * channels, seed: 14)
        func forward(_ x: [Float], _ weight: [Float], _ bias: [Float]) -> [Float] {
            var y = [Float](repeating: 0, count: x.count)
            var mean = [Float](repeating: 0, count: rows), rstd = mean
            LayerNorm.forwardTraining(output: &y, mean: &mean, reciprocalStd: &rstd, input: x, weight: weight, bias: bias,
                                      rows: rows, channels: channels, epsilon: 1e-12)
            return y
        }
        var y = [Float](repeating: 0, count: x.count)
        var mean = [Float](repeating: 0, count: rows), rstd = mean
        LayerNorm.forwardTraining(output: &y, mean: &mean, reciprocalStd: &rstd, input: x, weight: weight, bias: bias,
                                  rows: rows, channels: channels, epsilon: 1e-12)
        var dx = [Float](repeating: 0, count: x.count), dWeight = [Float](repeating: 0, count: channels), dBias = dWeight
        LayerNorm.backward(dInput: &dx, dWeight: &dWeight, dBias: &dBias, dOutput: r, input: x, weight: weight,
                           mean: mean, reciprocalStd: rstd, rows: rows, channels: channels)
        Self.check(x, analytic: dx, objective: { Self.dot(forward($0, weight, bias), r) }, label: "LayerNorm dx")
        Self.check(weight, analytic: dWeight, objective: { Self.dot(forward(x, $0, bias), r) }, label: "LayerNorm dWeight")
        Self.check(bias, analytic: dBias, objective: { Self.dot(forward(x, weight, $0), r) }, label: "LayerNorm dBias")
    }

    @Test(arguments: Activation.allCases) func activation(_ activation: Activation) {
        let x = Random.random(129, seed: 21, scale: 4)
        let r = Random.random(129, seed: 22)
        var dx = [Float](repeating: 0, count: x.count)
        activation.backward(dInput: &dx, dOutput: r, input: x, count: x.count)
        Self.check(x, analytic: dx, objective: { input in
            var y = input
            activation.apply(&y, count: y.count)
            return Self.dot(y, r)
        }, label: "\(activation)")
    }

    @Test(arguments: [(1, 1, 1), (3, 5, 7), (9, 8, 2)]) func linear(rows: Int, inFeatures: Int, outFeatures: Int) {
        let x = Random.random(rows * inFeatures, seed: 31), weight = Random.random(outFeatures * inFeatures, seed: 32)
        let bias = Random.random(outFeatures, seed: 33), r = Random.random(rows * outFeatures, seed: 34)
        func forward(_ x: [Float], _ weight: [Float], _ bias: [Float]) -> [Float] {
            var y = [Float](repeating: 0, count: rows * outFeatures)
            LinearMap.forward(output: &y, input: x, weight: weight, bias: bias, rows: rows, inFeatures: inFeatures, outFeatures: outFeatures)
            return y
        }
        var dx = [Float](repeating: 0, count: x.count), dWeight = [Float](repeating: 0, count: weight.count)
        var dBias = [Float](repeating: 0, count: outFeatures)
        LinearMap.backward(dInput: &dx, dWeight: &dWeight, dBias: &dBias, dOutput: r, input: x, weight: weight,
                           rows: rows, inFeatures: inFeatures, outFeatures: outFeatures)
        Self.check(x, analytic: dx, objective: { Self.dot(forward($0, weight, bias), r) }, label: "Linear dx")
        Self.check(weight, analytic: dWeight, objective: { Self.dot(forward(x, $0, bias), r) }, label: "Linear dWeight")
        Self.check(bias, analytic: dBias, objective: { Self.dot(forward(x, weight, $0), r) }, label: "Linear dBias")
    }

    /// Attention over three packed sequences of lengths 1, 4 and 7, with and without a dropout mask.
    @Test(arguments: [false, true]) func attention(dropout: Bool) {
        let heads = 2, headDim = 3, hidden = heads * headDim
        let sequences = [0..<1, 1..<5, 5..<12]
        let tokens = 12
        let qkv = Random.random(tokens * 3 * hidden, seed: 41, scale: 1.5)
        let r = Random.random(tokens * hidden, seed: 42)
        let total = Attention.probabilityLayout(sequences: sequences, heads: heads).total
        let mask: [Float]? = dropout ? Random.random(total, seed: 43).map { $0 < -0.3 ? 0 : 1 / 0.65 } : nil
        func forward(_ qkv: [Float]) -> [Float] {
            var output = [Float](repeating: 0, count: tokens * hidden)
            var probabilities = [Float](repeating: 0, count: total)
            if let mask {
                Attention.forwardTraining(output: &output, probabilities: &probabilities, dropoutMask: mask, qkv: qkv,
                                          sequences: sequences, heads: heads, headDim: headDim)
            } else {
                Attention.forwardTraining(output: &output, probabilities: &probabilities, dropoutMask: nil, qkv: qkv,
                                          sequences: sequences, heads: heads, headDim: headDim)
            }
            return output
        }
        var output = [Float](repeating: 0, count: tokens * hidden)
        var probabilities = [Float](repeating: 0, count: total)
        var dQKV = [Float](repeating: 0, count: qkv.count)
        if let mask {
            Attention.forwardTraining(output: &output, probabilities: &probabilities, dropoutMask: mask, qkv: qkv,
                                      sequences: sequences, heads: heads, headDim: headDim)
            Attention.backward(dQKV: &dQKV, dOutput: r, qkv: qkv, probabilities: probabilities, dropoutMask: mask,
                               sequences: sequences, heads: heads, headDim: headDim)
        } else {
            Attention.forwardTraining(output: &output, probabilities: &probabilities, dropoutMask: nil, qkv: qkv,
                                      sequences: sequences, heads: heads, headDim: headDim)
            Attention.backward(dQKV: &dQKV, dOutput: r, qkv: qkv, probabilities: probabilities, dropoutMask: nil,
                               sequences: sequences, heads: heads, headDim: headDim)
            // Without dropout the training forward equals the inference forward.
            var reference = [Float](repeating: 0, count: tokens * hidden)
            Attention.forwardReference(output: &reference, qkv: qkv, sequences: sequences, heads: heads, headDim: headDim)
            #expect(Random.maxDifference(output, reference) < 1e-5)
        }
        Self.check(qkv, analytic: dQKV, objective: { Self.dot(forward($0), r) }, label: "Attention dQKV (dropout: \(dropout))")
    }
}
