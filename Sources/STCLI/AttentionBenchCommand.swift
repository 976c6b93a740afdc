import ArgumentParser
import Foundation
import STKernels

/// `sbert bench-attention`: causal and sliding-window attention computed block by block (only the keys each block of
/// queries sees) against the same kernels over the whole `L × L` score matrix (one block: what every mask cost before
/// blocking), alternated in one run on a synthetic shape.
struct AttentionBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-attention",
        abstract: "Benchmark blocked against full-matrix attention for a mask on a synthetic shape; prints a table.",
        discussion: "Both variants run the same kernels and give the same numbers; the full-matrix one is a single query block (AttentionShape.queryBlock = length), the layout every mask used before sliding windows skipped masked blocks."
    )

    @Option(help: "Tokens per sequence.")
    var length: Int = 2048
    @Option(help: "Sequences in the batch.")
    var sequences: Int = 1
    @Option(help: "Query heads.")
    var heads: Int = 12
    @Option(help: "Key/value heads (grouped-query attention when fewer than --heads).")
    var kvHeads: Int?
    @Option(help: "Channels per head.")
    var headDim: Int = 64
    @Option(help: "Mask: window:RADIUS, causal-window:SIZE, causal or bidirectional.")
    var mask: String = "window:64"
    @Option(help: "Alternating rounds (each times both variants).")
    var rounds: Int = 5
    @Flag(help: "Also time the training forward and backward.")
    var training = false

    func validate() throws {
        guard length > 0, sequences > 0, heads > 0, headDim > 0, rounds > 0 else {
            throw ValidationError("--length, --sequences, --heads, --head-dim and --rounds must be positive")
        }
        guard heads % (kvHeads ?? heads) == 0, (kvHeads ?? heads) > 0 else {
            throw ValidationError("--kv-heads must be positive and divide --heads")
        }
        _ = try parsedMask()
    }

    func parsedMask() throws -> AttentionMask {
        let parts = mask.split(separator: ":", maxSplits: 1).map(String.init)
        switch (parts.first ?? "", parts.count > 1 ? Int(parts[1]) : nil) {
        case ("bidirectional", nil): return .bidirectional
        case ("causal", nil): return .causal
        case ("window", let radius?) where radius >= 0: return .window(radius: radius)
        case ("causal-window", let size?) where size > 0: return .causalWindow(size: size)
        default: throw ValidationError("--mask \(mask): expected window:RADIUS, causal-window:SIZE, causal or bidirectional")
        }
    }

    func run() throws {
        try InstructionSet.validateEnvironment()
        let blocked = AttentionShape(heads: heads, kvHeads: kvHeads, headDim: headDim, mask: try parsedMask())
        var full = blocked
        full.queryBlock = length
        let tokens = length * sequences
        let ranges = (0..<sequences).map { ($0 * length)..<(($0 + 1) * length) }
        var generator = SystemRandomNumberGenerator()
        let qkv = (0..<(tokens * blocked.qkvStride)).map { _ in Float.random(in: -1...1, using: &generator) }
        let dOutput = (0..<(tokens * blocked.outputStride)).map { _ in Float.random(in: -1...1, using: &generator) }
        var output = [Float](repeating: 0, count: tokens * blocked.outputStride)
        var dQKV = [Float](repeating: 0, count: qkv.count)

        func inference(_ shape: AttentionShape) -> Double {
            let start = DispatchTime.now()
            Attention.forward(output: &output, qkv: qkv, sequences: ranges, shape: shape)
            return Timing.seconds(since: start) * 1000
        }
        func trainingStep(_ shape: AttentionShape) -> Double {
            let total = Attention.probabilityLayout(sequences: ranges, shape: shape).total
            var probabilities = [Float](repeating: 0, count: total)
            let start = DispatchTime.now()
            Attention.forwardTraining(output: &output, probabilities: &probabilities, dropoutMask: nil, qkv: qkv,
                                      sequences: ranges, shape: shape)
            Attention.backward(dQKV: &dQKV, dOutput: dOutput, qkv: qkv, probabilities: probabilities, dropoutMask: nil,
                               sequences: ranges, shape: shape)
            return Timing.seconds(since: start) * 1000
        }
        _ = inference(blocked)
        _ = inference(full)
        var times: [String: [Double]] = [:]
        for _ in 0..<rounds {
            times["inference blocked", default: []].append(inference(blocked))
            times["inference full", default: []].append(inference(full))
            if training {
                times["training blocked", default: []].append(trainingStep(blocked))
                times["training full", default: []].append(trainingStep(full))
            }
        }
        print("CPU: \(KernelBench.cpuModel()); kernels: \(InstructionSet.active.rawValue); workers: \(Parallel.workerCount)")
        print("shape: \(sequences) × \(length) tokens, \(heads) heads (\(blocked.kvHeads) kv), head_dim \(headDim), mask \(mask), query block \(blocked.queryBlock)")
        print("")
        print("| variant | ms per call, each round | median |")
        print("|---|---|---|")
        for name in ["inference full", "inference blocked", "training full", "training blocked"] {
            guard let values = times[name] else { continue }
            let sorted = values.sorted()
            print("| \(name) | \(values.map { String(format: "%.2f", $0) }.joined(separator: ", ")) | \(String(format: "%.2f", sorted[sorted.count / 2])) |")
        }
    }
}
