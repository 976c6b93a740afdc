import Foundation
import Synchronization
import SentenceTransformers
import STKernels

/// The parts of `sbert bench` that measure the machine rather than the model: the CPU's fp32 peak on the active
/// kernel path, the projection GEMM's rate and share of that peak, and the Python reference run beside ours.
enum KernelBench {
    /// The CPU's model name (`/proc/cpuinfo`), for the report: every figure is tied to the CPU it was measured on.
    static func cpuModel() -> String {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return "unknown" }
        for line in text.split(separator: "\n") where line.hasPrefix("model name") || line.hasPrefix("Model name") {
            if let colon = line.firstIndex(of: ":") { return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces) }
        }
        return "unknown"
    }

    /// The fp32 multiply-add peak of the active path on all workers (register-only FMA chains), and the rate of a
    /// MiniLM feed-forward projection (256 tokens × 384 → 1536) with the given arithmetic.
    static func measure(compute: ComputePrecision) -> [String: Any] {
        guard let kernels = InstructionSet.active.kernels, let probe = kernels.pointee.fma_peak_probe else { return [:] }
        let workers = Parallel.workerCount
        let iterations = 2_000_000
        _ = probe(iterations / 10)
        let start = DispatchTime.now()
        let flops = Mutex(0.0)
        Parallel.forEachChunk(count: workers, minimumChunk: 1) { range in
            var done = 0.0
            for _ in range { done += probe(iterations) }
            flops.withLock { $0 += done }
        }
        let peak = flops.withLock { $0 } / Timing.seconds(since: start) / 1e9

        let rows = 256, inFeatures = 384, outFeatures = 1536
        var generator = SystemRandomNumberGenerator()
        let weight = (0..<(inFeatures * outFeatures)).map { _ in Float.random(in: -0.1...0.1, using: &generator) }
        let input = (0..<(rows * inFeatures)).map { _ in Float.random(in: -1...1, using: &generator) }
        let bias = [Float](repeating: 0.01, count: outFeatures)
        var output = [Float](repeating: 0, count: rows * outFeatures)
        let multiply: (UnsafePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>) -> Void
        if compute == .int8, InstructionSet.active.hasFastInt8 {
            let matrix = QuantizedMatrix(weight: weight, outFeatures: outFeatures, inFeatures: inFeatures)
            multiply = { matrix.multiply(input: $0, rows: rows, bias: $1, output: $2) }
        } else if InstructionSet.active.packsProjections {
            let matrix = PackedMatrix(weight: weight, outFeatures: outFeatures, inFeatures: inFeatures)
            multiply = { matrix.multiply(input: $0, rows: rows, bias: $1, output: $2) }
        } else {
            multiply = { x, b, y in
                Gemm.multiplyParallel(transposeB: true, m: rows, n: outFeatures, k: inFeatures, a: x, lda: inFeatures,
                                      b: weight, ldb: inFeatures, c: y, ldc: outFeatures)
                VectorMath.addBias(y, bias: b, rows: rows, columns: outFeatures)
            }
        }
        let repeats = 200
        let rate: Double = input.withUnsafeBufferPointer { x in
            bias.withUnsafeBufferPointer { b in
                output.withUnsafeMutableBufferPointer { y in
                    multiply(x.baseAddress!, b.baseAddress!, y.baseAddress!)
                    let start = DispatchTime.now()
                    for _ in 0..<repeats { multiply(x.baseAddress!, b.baseAddress!, y.baseAddress!) }
                    return 2.0 * Double(rows * inFeatures * outFeatures * repeats) / Timing.seconds(since: start) / 1e9
                }
            }
        }
        return ["fp32_peak_gflops": peak, "projection_gops": rate, "share_of_fp32_peak": rate / peak,
                "shape": "\(rows)×\(inFeatures)→\(outFeatures)", "workers": workers]
    }

    /// The environment that makes the reference's processes see only the active kernel path's instructions: the
    /// CPUID mask `library` (scripts/cpuid-mask.c) preloaded with `SBERT_CPUID_MASK` naming the path. `nil` when no
    /// library is given, the active path is the CPU's best (the reference then uses whatever it finds, as a user's
    /// would), or the path has no mask (portable, ARM).
    static func cpuidMask(library: String?) -> (path: InstructionSet, environment: [String: String])? {
        let path = InstructionSet.active
        guard let library, path != InstructionSet.best, [.avx2, .avx2VNNI, .avx512, .avx512VNNI].contains(path) else { return nil }
        let preload = [URL(fileURLWithPath: library).standardizedFileURL.path] + (ProcessInfo.processInfo.environment["LD_PRELOAD"].map { [$0] } ?? [])
        return (path, ["LD_PRELOAD": preload.joined(separator: ":"), "SBERT_CPUID_MASK": path.rawValue])
    }

    /// Sentences/s of ONNX Runtime (fp32 and int8 graphs, with `onnx`: they are the exported all-MiniLM-L6-v2) and
    /// PyTorch (sentence-transformers loading `model`) on `short`, batch 32, from the environment
    /// `../shared/bench/ort/setup.sh` made, run now so that both sides see the same machine state.
    ///
    /// - Throws: ``CLIError`` when the environment or its scripts are missing or a run fails.
    static func pythonReference(venv: String, short: String, model: URL, onnx: Bool = true,
                                environment extra: [String: String] = [:]) throws -> [String: Any] {
        let python = URL(fileURLWithPath: venv).appendingPathComponent("bin/python")
        let scripts = URL(fileURLWithPath: "../shared/bench/ort")
        guard FileManager.default.isExecutableFile(atPath: python.path) else {
            throw CLIError("--reference-venv \(venv): no bin/python there (make it with bash ../shared/bench/ort/setup.sh \(venv))")
        }
        let tokenizer = model.appendingPathComponent("tokenizer.json").path
        let onnxRuns: [(String, [String])] = !onnx ? [] : [
            ("onnx_fp32", [scripts.appendingPathComponent("rate_ort.py").path, "\(venv)/onnx/model.onnx", tokenizer, short, "32"]),
            ("onnx_int8", [scripts.appendingPathComponent("rate_ort.py").path, "\(venv)/onnx/model_int8.onnx", tokenizer, short, "32"]),
        ]
        let runs = onnxRuns + [("torch", [scripts.appendingPathComponent("rate_torch.py").path, model.path, short, "32"])]
        var result: [String: Any] = [:]
        for (name, arguments) in runs {
            let process = Process()
            process.executableURL = python
            process.arguments = arguments
            // The reference's own BLAS picks its kernels for this CPU, as ours does (see scripts/bench.sh).
            var environment = ProcessInfo.processInfo.environment
            environment["HF_HUB_OFFLINE"] = "1"
            process.environment = environment.merging(extra) { $1 }
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = FileHandle.nullDevice
            try process.run()
            let output = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            let text = String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard process.terminationStatus == 0, let rate = Double(text.split(separator: "\n").last ?? "") else {
                throw CLIError("the reference run \(name) failed (exit \(process.terminationStatus)): \(text.suffix(300))")
            }
            result[name] = rate
        }
        return result
    }
}
