import Foundation
import STKernels
import Testing

/// Causal and sliding-window attention computed block by block (``AttentionBlocks``: each block of queries against
/// only the keys it sees) at lengths around and beyond the window and the query block, with grouped-query heads: the
/// inference kernel against its `Double` twin, blocked against the full `L × L` computation (a single block), the
/// training forward equal to the inference one, and the backward against finite differences and against the full
/// computation's gradients. `scripts/test.sh` runs it on every instruction-set path the CPU has (`SBERT_ISA`).
@Suite struct BlockedAttentionTests {
    typealias Random = KernelReferenceTests
    typealias Differences = BackwardFiniteDifferenceTests

    static let masks: [AttentionMask] = [
        .causal, .window(radius: 0), .window(radius: 3), .window(radius: 16), .window(radius: 40),
        .causalWindow(size: 1), .causalWindow(size: 5), .causalWindow(size: 33), .bidirectional,
    ]

    @Test func blocksCoverEveryVisibleKeyOnce() {
        for mask in Self.masks {
            for length in [0, 1, 5, 31, 32, 33, 64, 65, 100] {
                for queryBlock in [1, 4, 7, 32] {
                    let tiling = AttentionBlocks(length: length, mask: mask, queryBlock: queryBlock)
                    var next = 0, offset = 0
                    for block in tiling.blocks {
                        #expect(block.queries.lowerBound == next && block.offset == offset)
                        for query in block.queries {
                            let keys = mask.keys(of: query, length: length)
                            #expect(block.keys.lowerBound <= keys.lowerBound && keys.upperBound <= block.keys.upperBound)
                        }
                        next = block.queries.upperBound
                        offset += block.queries.count * block.keys.count
                    }
                    #expect(next == length && tiling.size == offset, "\(mask), length \(length), block \(queryBlock)")
                    if mask == .bidirectional, length > 0 {
                        #expect(tiling.blocks.count == 1 && tiling.size == length * length)
                    }
                }
            }
        }
        // A window of radius 16 over 1,000 tokens in blocks of 32 keeps 32 × (32 + 32) floats a block, not 1,000².
        let tiling = AttentionBlocks(length: 1000, mask: .window(radius: 16), queryBlock: 32)
        #expect(tiling.widestKeys == 64 && tiling.size <= 1000 * 64)
    }

    /// Lengths 1, 31, 32, 33, 65 and 100 in one batch, 4 query heads over 4, 2 and 1 key/value heads.
    @Test(arguments: masks) func forwardMatchesTwinAndFullMatrix(_ mask: AttentionMask) {
        let sequences = [0..<1, 1..<32, 32..<64, 64..<97, 97..<162, 162..<262]
        let tokens = 262
        for kvHeads in [4, 2, 1] {
            for queryBlock in [AttentionShape.defaultQueryBlock, 7] {
                let shape = AttentionShape(heads: 4, kvHeads: kvHeads, headDim: 5, scale: 0.35, mask: mask, queryBlock: queryBlock)
                var full = shape
                full.queryBlock = tokens
                let qkv = Random.random(tokens * shape.qkvStride, seed: 91, scale: 1.5)
                var blocked = [Float](repeating: 0, count: tokens * shape.outputStride), whole = blocked, twin = blocked
                Attention.forward(output: &blocked, qkv: qkv, sequences: sequences, shape: shape)
                Attention.forward(output: &whole, qkv: qkv, sequences: sequences, shape: full)
                Attention.forwardReference(output: &twin, qkv: qkv, sequences: sequences, shape: shape)
                let label = "\(mask), \(kvHeads) kv heads, block \(queryBlock)"
                #expect(Random.maxDifference(blocked, twin) <= 1e-5, "\(label): against the twin")
                #expect(Random.maxDifference(blocked, whole) <= 1e-6, "\(label): against the full matrix")
                let total = Attention.probabilityLayout(sequences: sequences, shape: shape).total
                var training = [Float](repeating: 0, count: blocked.count)
                var probabilities = [Float](repeating: .nan, count: total)
                Attention.forwardTraining(output: &training, probabilities: &probabilities, dropoutMask: nil, qkv: qkv,
                                          sequences: sequences, shape: shape)
                #expect(Random.maxDifference(training, twin) <= 1e-5, "\(label): training forward")
                #expect(probabilities.allSatisfy { $0.isFinite && $0 >= 0 }, "\(label): every kept probability written")
            }
        }
    }

    /// The blocked backward against the full-matrix backward on the same inputs (with a dropout mask, laid out per
    /// variant), at lengths beyond the query block.
    @Test(arguments: masks) func backwardMatchesFullMatrix(_ mask: AttentionMask) {
        let sequences = [0..<33, 33..<40, 40..<110]
        let tokens = 110
        let shape = AttentionShape(heads: 4, kvHeads: 2, headDim: 6, scale: 0.3, mask: mask)
        var full = shape
        full.queryBlock = tokens
        let qkv = Random.random(tokens * shape.qkvStride, seed: 93, scale: 1.5)
        let dOutput = Random.random(tokens * shape.outputStride, seed: 94)
        // The dropout mask as a function of (sequence, head, query, key), so both layouts drop the same weights.
        func keep(_ s: Int, _ h: Int, _ i: Int, _ j: Int) -> Float { (s * 31 + h * 17 + i * 7 + j * 3) % 5 == 0 ? 0 : 1.25 }
        func gradients(_ shape: AttentionShape) -> (output: [Float], dQKV: [Float]) {
            let layout = Attention.probabilityLayout(sequences: sequences, shape: shape)
            var dropout = [Float](repeating: 0, count: layout.total)
            for (s, tiling) in layout.blocks.enumerated() {
                for h in 0..<shape.heads {
                    for block in tiling.blocks {
                        for i in block.queries {
                            for j in block.keys {
                                dropout[layout.offsets[s] + h * tiling.size + block.offset
                                    + (i - block.queries.lowerBound) * block.keys.count + j - block.keys.lowerBound] = keep(s, h, i, j)
                            }
                        }
                    }
                }
            }
            var output = [Float](repeating: 0, count: tokens * shape.outputStride)
            var probabilities = [Float](repeating: 0, count: layout.total)
            var dScores = [Float](repeating: 0, count: layout.total)
            Attention.forwardTraining(output: &output, probabilities: &probabilities, dropoutMask: dropout, qkv: qkv,
                                      sequences: sequences, shape: shape)
            var dQKV = [Float](repeating: 0, count: qkv.count)
            Attention.backward(dQKV: &dQKV, dOutput: dOutput, qkv: qkv, probabilities: probabilities, dropoutMask: dropout,
                               sequences: sequences, shape: shape, dScores: &dScores)
            return (output, dQKV)
        }
        let blocked = gradients(shape), whole = gradients(full)
        #expect(Random.maxDifference(blocked.output, whole.output) <= 1e-5, "\(mask): forward with dropout")
        let largest = whole.dQKV.map { abs($0) }.max() ?? 1
        #expect(Random.maxDifference(blocked.dQKV, whole.dQKV) <= 1e-5 * max(1, largest), "\(mask): dQKV")
    }

    /// Finite differences of the blocked backward with several blocks per sequence (query block 4) and grouped heads.
    @Test(arguments: masks) func backwardMatchesFiniteDifferences(_ mask: AttentionMask) {
        let shape = AttentionShape(heads: 4, kvHeads: 2, headDim: 3, scale: 0.4, mask: mask, queryBlock: 4)
        Self.checkGradients(shape: shape, sequences: [0..<3, 3..<16, 16..<21], seed: 95, label: "blocked attention dQKV (\(mask))")
    }

    /// The training forward's output against the objective `Σ r·output`, and ``Attention/backward`` against central
    /// finite differences of it, for random `qkv` (seed `seed`) over `sequences` (packed from row 0).
    static func checkGradients(shape: AttentionShape, sequences: [Range<Int>], seed: UInt64, label: String) {
        let tokens = sequences.last?.upperBound ?? 0
        let qkv = Random.random(tokens * shape.qkvStride, seed: seed, scale: 1.5)
        let r = Random.random(tokens * shape.outputStride, seed: seed + 1)
        let total = Attention.probabilityLayout(sequences: sequences, shape: shape).total
        var probabilities = [Float](repeating: 0, count: total)
        func forward(_ qkv: [Float]) -> [Float] {
            var output = [Float](repeating: 0, count: tokens * shape.outputStride)
            Attention.forwardTraining(output: &output, probabilities: &probabilities, dropoutMask: nil, qkv: qkv,
                                      sequences: sequences, shape: shape)
            return output
        }
        _ = forward(qkv)
        let kept = probabilities
        var dQKV = [Float](repeating: 0, count: qkv.count)
        Attention.backward(dQKV: &dQKV, dOutput: r, qkv: qkv, probabilities: kept, dropoutMask: nil,
                           sequences: sequences, shape: shape)
        Differences.check(qkv, analytic: dQKV, objective: { Differences.dot(forward($0), r) }, label: label)
    }
}
