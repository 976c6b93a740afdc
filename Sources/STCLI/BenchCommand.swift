import ArgumentParser
import Foundation
import SentenceTransformers
import STKernels
import STTokenizers

/// `sbert bench`: throughput, latency, load time and memory, printed as JSON beside the Python reference's figures.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure encoding speed and memory; prints JSON (build with -c release).",
        discussion: """
            Encodes the short-sentence corpus in batches of 32 and the passage corpus in batches of 16 (several runs, \
            best and median), times single-sentence calls, model load and peak RSS. Beside them only what this run \
            measures (--reference-venv: PyTorch and ONNX Runtime), unless --baseline names earlier figures, which are \
            then shown with the machine they were measured on. The corpora default to ../shared/bench beside the \
            package (found from the working directory or from this program's location; SBERT_BENCH_DIR overrides).
            """
    )

    @OptionGroup var modelOptions: ModelOptions

    @Option(name: .customLong("short"), help: "Short sentences, one per line (default: short.txt of the bench directory).")
    var shortPath: String?

    @Option(name: .customLong("long"), help: "Long passages, one per line (default: long.txt of the bench directory).")
    var longPath: String?

    @Option(help: "Figures the Python reference measured earlier (e.g. ../shared/bench/baseline.json), shown beside ours with the machine they were measured on; without it only this run's figures are shown.")
    var baseline: String?

    @Option(help: "Timed runs over short.txt (long.txt gets ceil(runs / 2)).")
    var runs: Int = 5

    @Option(help: "Single-sentence calls timed for the latency percentiles.")
    var latencyCalls: Int = 200

    @Option(name: .customLong("sts"), help: "STS-B test, for the accuracy of --compute int8 against fp32 (default: the package's Tests/Fixtures copy; skipped when absent).")
    var stsPath: String?

    @Option(help: "Comma-separated thread counts to measure short.txt with, each in a fresh process (e.g. 1,2).")
    var threads: String?

    @Option(help: "Comma-separated sequence lengths for a throughput table (e.g. 16,32,64,128,256,512).")
    var seqLen: String?

    @Option(help: "Comma-separated batch sizes for the sequence-length table (default 1,8,32).")
    var batchSizes: String?

    @Flag(help: "Measure only short.txt throughput (used by --threads for its child processes).")
    var shortOnly = false

    enum Format: String, ExpressibleByArgument, CaseIterable { case json, table }

    @Option(help: "json (every figure) or table (a Markdown comparison with the references).")
    var format: Format = .json

    @Option(help: "The kernel path (\(InstructionSet.allCases.map(\.rawValue).joined(separator: ", "))); default: SBERT_ISA, else the CPU's best.")
    var isa: String?

    @Option(help: "The Python reference's environment (made by ../shared/bench/ort/setup.sh): ONNX Runtime fp32 and int8 and PyTorch are then measured on short.txt, batch 32, in this same run.")
    var referenceVenv: String?

    @Option(help: "A library built from scripts/cpuid-mask.c (scripts/bench.sh passes it where the CPU offers CPUID faulting): when the kernel path is not the CPU's best, the reference's processes see a CPU with only that path's instructions, so that ONNX Runtime and PyTorch run the same instruction set as ours.")
    var referenceCpuidMask: String?

    static let latencySentence = "The old man walked slowly along the quiet beach at sunset."

    func validate() throws {
        guard runs > 0, latencyCalls > 0 else { throw ValidationError("--runs and --latency-calls must be positive") }
        if batchSizes != nil, seqLen == nil { throw ValidationError("--batch-sizes sets the columns of the --seq-len table") }
        if referenceCpuidMask != nil, referenceVenv == nil { throw ValidationError("--reference-cpuid-mask applies to the --reference-venv processes") }
        if stsPath != nil, modelOptions.compute == .float32 { throw ValidationError("--sts measures the accuracy of --compute int8 against fp32") }
    }

    func run() throws {
        if let isa {
            try InstructionSet.select(try InstructionSet.named(isa))
            setenv(InstructionSet.environmentVariable, isa, 1)  // the child processes below run the same path
        }
        try InstructionSet.validateEnvironment()
        let short = try shortPath ?? Self.benchFile("short.txt")
        let long = try longPath ?? Self.benchFile("long.txt")
        let shortTexts = try InputLines.read(path: short)
        let longTexts = try InputLines.read(path: long)
        let loadStart = DispatchTime.now()
        let model = try modelOptions.load()
        let loadSeconds = Timing.seconds(since: loadStart)
        let rssAfterLoad = ResourceUsage.peakResidentMiB()

        _ = try model.encode(Array(shortTexts.prefix(64)), batchSize: 32)  // warm-up: page in weights, start BLAS threads
        let shortResult = try Self.throughput(runs: runs) { _ = try model.encode(shortTexts, batchSize: 32) }
        let rssAfterShort = ResourceUsage.peakResidentMiB()
        if shortOnly {
            let figures = Self.figures(shortResult, items: shortTexts.count, tokens: 0)
            let data = try JSONSerialization.data(withJSONObject: ["short_bs32": figures, "threads": Parallel.workerCount,
                                                                   "kernels": InstructionSet.active.rawValue], options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
            return
        }
        let longResult = try Self.throughput(runs: (runs + 1) / 2) { _ = try model.encode(longTexts, batchSize: 16) }
        var latencies: [Double] = []
        for _ in 0..<10 { _ = try model.encode(Self.latencySentence) }
        for _ in 0..<latencyCalls {
            let start = DispatchTime.now()
            _ = try model.encode(Self.latencySentence)
            latencies.append(Timing.seconds(since: start) * 1000)
        }
        latencies.sort()
        let tokenizeStart = DispatchTime.now()
        let shortTokens = try shortTexts.reduce(0) { $0 + (try model.tokenize($1)).count }
        let tokenizeSeconds = Timing.seconds(since: tokenizeStart)
        let longTokens = try longTexts.reduce(0) { $0 + (try model.tokenize($1)).count }

        var report: [String: Any] = [
            "model": modelOptions.model,
            "environment": [
                "cores": ProcessInfo.processInfo.activeProcessorCount,
                "blas_threads": Gemm.blasThreadCount,
                "OPENBLAS_CORETYPE": ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] ?? NSNull(),
                "OPENBLAS_L2_SIZE": ProcessInfo.processInfo.environment["OPENBLAS_L2_SIZE"] ?? NSNull(),
            ] as [String: Any],
            "load_s": loadSeconds,
            "short_bs32": Self.figures(shortResult, items: shortTexts.count, tokens: shortTokens),
            "long_bs16": Self.figures(longResult, items: longTexts.count, tokens: longTokens),
            "latency_single": [
                "calls": latencyCalls,
                "p50_ms": Timing.percentile(latencies, 0.50),
                "p90_ms": Timing.percentile(latencies, 0.90),
                "p99_ms": Timing.percentile(latencies, 0.99),
                "min_ms": latencies.first ?? 0,
                "mean_ms": latencies.reduce(0, +) / Double(max(1, latencies.count)),
                "sentence": Self.latencySentence,
            ] as [String: Any],
            "tokenize_short_single_thread": [
                "sentences_per_s": Double(shortTexts.count) / tokenizeSeconds,
                "tokens_per_s": Double(shortTokens) / tokenizeSeconds,
            ],
            "peak_rss_after_load_mib": rssAfterLoad,
            "peak_rss_short_mib": rssAfterShort,
            "peak_rss_mib": ResourceUsage.peakResidentMiB(),
            "compute": modelOptions.compute.rawValue,
            "kernels": InstructionSet.active.rawValue,
            "projection_arithmetic": modelOptions.compute.arithmetic(),
            "cpu": KernelBench.cpuModel(),
            "gemm": KernelBench.measure(compute: modelOptions.compute),
            "threads": Parallel.workerCount,
            "start_to_first_embedding_ms": try Self.startLatency(model: modelOptions),
        ]
        if modelOptions.compute != .float32 {
            report["accuracy_vs_fp32"] = try accuracy(of: model, shortTexts: shortTexts)
        }
        if let threads {
            report["thread_scaling"] = try Self.threadScaling(threads, arguments: ["--model", modelOptions.model, "--compute",
                                                                                    modelOptions.compute.rawValue, "--short", short])
        }
        if let seqLen {
            report["sequence_length_table"] = try sequenceLengthTable(model: model, lengths: seqLen, texts: longTexts)
        }
        // baseline.json and the ONNX graphs of the reference environment are all-MiniLM-L6-v2's: beside another model
        // they would compare different models, so only PyTorch (which loads the model itself) runs then.
        let directory = try modelOptions.directory()
        let isReferenceModel = directory.resolvingSymlinksInPath().path.contains("all-MiniLM-L6-v2")
        if let baseline {
            guard let reference = Self.reference(path: baseline) else { throw CLIError("--baseline \(baseline): not a readable baseline.json of the Python reference") }
            guard isReferenceModel else { throw CLIError("--baseline: its figures are all-MiniLM-L6-v2's; beside \(modelOptions.model) they would compare different models") }
            report["reference"] = reference
            report["reference_source"] = baseline
            report["ratios"] = Self.ratios(report, reference)
        }
        if let referenceVenv {
            let mask = KernelBench.cpuidMask(library: referenceCpuidMask)
            let sameRun = try KernelBench.pythonReference(venv: referenceVenv, short: short, model: directory, onnx: isReferenceModel,
                                                          environment: mask?.environment ?? [:])
            report["same_run_reference"] = sameRun
            report["same_run_reference_kernels"] = mask?.path.rawValue ?? "the CPU's best"
            if let ours = (report["short_bs32"] as? [String: Any])?["items_per_s_best"] as? Double {
                report["same_run_ratios"] = sameRun.compactMapValues { value -> Double? in (value as? Double).map { ours / $0 } }
            }
        }
        if format == .table {
            print(Self.table(report))
            return
        }
        let data = try JSONSerialization.data(withJSONObject: report, options: [.prettyPrinted, .sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }

    /// The report as Markdown: our figures beside PyTorch's and ONNX Runtime's, then the sweeps.
    static func table(_ report: [String: Any]) -> String {
        func value(_ section: String, _ key: String) -> Double? { (report[section] as? [String: Any])?[key] as? Double }
        let reference = report["reference"] as? [String: Any] ?? [:]
        func ref(_ key: String) -> String { (reference[key] as? Double).map { String(format: "%.1f", $0) } ?? "–" }
        func ours(_ number: Double?, _ format: String = "%.1f") -> String { number.map { String(format: format, $0) } ?? "–" }
        let compute = report["compute"] as? String ?? "fp32"
        let kernels = report["kernels"] as? String ?? "?"
        var lines = ["CPU: \(report["cpu"] as? String ?? "unknown"); kernels: \(kernels); projections: \(report["projection_arithmetic"] as? String ?? compute)", ""]
        if let sameRun = report["same_run_reference"] as? [String: Any] {
            let theirs = report["same_run_reference_kernels"] as? String ?? "the CPU's best"
            lines += ["Reference kernels: \(theirs == kernels ? "\(kernels) (the reference's processes saw a CPU without wider instructions)" : theirs).", "",
                      "| short.txt, batch 32, this run (sentences/s) | ours (\(compute), \(kernels)) | PyTorch | ONNX fp32 | ONNX int8 |",
                      "|---|---|---|---|---|",
                      "| sentences/s | \(ours(value("short_bs32", "items_per_s_best"))) | \(ours(sameRun["torch"] as? Double)) | \(ours(sameRun["onnx_fp32"] as? Double)) | \(ours(sameRun["onnx_int8"] as? Double)) |"]
            if let ratios = report["same_run_ratios"] as? [String: Double] {
                lines.append("| ours ÷ reference | | \(ours(ratios["torch"], "%.2fx")) | \(ours(ratios["onnx_fp32"], "%.2fx")) | \(ours(ratios["onnx_int8"], "%.2fx")) |")
            }
            lines.append("")
        }
        if let gemm = report["gemm"] as? [String: Any] {
            lines += ["| fp32 peak (GFLOP/s, all threads) | projection GEMM \(gemm["shape"] as? String ?? "") | share of peak |", "|---|---|---|",
                      "| \(ours(gemm["fp32_peak_gflops"] as? Double)) | \(ours(gemm["projection_gops"] as? Double)) G\(compute == "int8" ? "OP" : "FLOP")/s | \(ours((gemm["share_of_fp32_peak"] as? Double).map { $0 * 100 }, "%.0f%%")) |", ""]
        }
        // Earlier figures only when --baseline named them, headed with where and on what machine they were measured.
        let earlier = !reference.isEmpty
        if earlier {
            lines += ["Earlier figures (not this run): \(report["reference_source"] as? String ?? "baseline"), measured on \(reference["machine"] as? String ?? "an unnamed machine").", ""]
        }
        func row(_ measure: String, _ mine: String, _ theirs: [String]) -> String {
            "| \(measure) | \(mine) |" + (earlier ? theirs.map { " \($0) |" }.joined() : "")
        }
        lines += [earlier ? "| measure | ours (\(compute)) | PyTorch (earlier) | ONNX fp32 (earlier) | ONNX int8 (earlier) |" : "| measure | ours (\(compute)) |",
                  earlier ? "|---|---|---|---|---|" : "|---|---|"]
        lines.append(row("short.txt, batch 32 (sentences/s)", ours(value("short_bs32", "items_per_s_best")), [ref("torch_short_items_per_s"), ref("onnx_fp32_short_items_per_s"), ref("onnx_int8_short_items_per_s")]))
        lines.append(row("long.txt, batch 16 (passages/s)", ours(value("long_bs16", "items_per_s_best")), [ref("torch_long_items_per_s"), ref("onnx_fp32_long_items_per_s"), ref("onnx_int8_long_items_per_s")]))
        lines.append(row("one sentence, p50 (ms)", ours(value("latency_single", "p50_ms"), "%.2f"), [ref("torch_latency_p50_ms"), ref("onnx_fp32_latency_p50_ms"), ref("onnx_int8_latency_p50_ms")]))
        lines.append(row("peak RSS (MiB)", ours(report["peak_rss_mib"] as? Double), [ref("torch_peak_rss_mib"), ref("onnx_fp32_peak_rss_mib"), "–"]))
        lines.append(row("start to first embedding (ms)", ours(report["start_to_first_embedding_ms"] as? Double), ["–", "–", "–"]))
        if let accuracy = report["accuracy_vs_fp32"] as? [String: Any] {
            lines.append(row("cosine to fp32, mean / min", "\(ours(accuracy["cosine_short_mean"] as? Double, "%.4f")) / \(ours(accuracy["cosine_short_min"] as? Double, "%.4f"))",
                             ["–", "–", "\((reference["onnx_int8_cosine_mean"] as? Double).map { String(format: "%.4f", $0) } ?? "–") / \((reference["onnx_int8_cosine_min"] as? Double).map { String(format: "%.4f", $0) } ?? "–")"]))
            lines.append(row("STS-B test Spearman Δ vs fp32", ours(accuracy["stsb_test_spearman_delta"] as? Double, "%+.4f"), ["–", "–", "–"]))
        }
        if let scaling = report["thread_scaling"] as? [String: Any], let runs = scaling["runs"] as? [[String: Any]] {
            lines += ["", "| threads | short.txt sentences/s |", "|---|---|"]
            lines += runs.map { "| \($0["threads"] ?? "") | \(ours($0["short_items_per_s"] as? Double)) |" }
        }
        if let rows = report["sequence_length_table"] as? [[String: Any]] {
            lines += ["", "| sequence length | batch | sequences/s | tokens/s |", "|---|---|---|---|"]
            lines += rows.map { "| \($0["seq_len"] ?? "") | \($0["batch"] ?? "") | \(ours($0["sequences_per_s"] as? Double)) | \(ours($0["tokens_per_s"] as? Double, "%.0f")) |" }
        }
        return lines.joined(separator: "\n")
    }

    /// Cosine of each short.txt embedding to the fp32 model's, and STS-B test Spearman of both.
    func accuracy(of model: SentenceTransformer, shortTexts: [String]) throws -> [String: Any] {
        var exactOptions = modelOptions
        exactOptions.compute = .float32
        let exact = try exactOptions.load()
        let quantized = try model.encode(shortTexts, batchSize: 32)
        let reference = try exact.encode(shortTexts, batchSize: 32)
        var cosines = zip(quantized, reference).map { a, b -> Double in
            let dot = zip(a, b).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            let na = a.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
            let nb = b.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
            return dot / max(na * nb, 1e-30)
        }
        cosines.sort()
        var result: [String: Any] = [
            "cosine_short_mean": cosines.reduce(0, +) / Double(max(1, cosines.count)),
            "cosine_short_min": cosines.first ?? 0,
            "cosine_short_p01": Timing.percentile(cosines, 0.01),
        ]
        if let sts = stsPath ?? Self.packageFile("Tests/Fixtures/data/stsbenchmark/sts-test.csv"), FileManager.default.fileExists(atPath: sts) {
            let evaluator = EmbeddingSimilarityEvaluator(pairs: try STSBenchmark.load(URL(fileURLWithPath: sts)))
            let ours = try evaluator.evaluate(model)["spearman_cosine"] ?? 0
            let theirs = try evaluator.evaluate(exact)["spearman_cosine"] ?? 0
            result["stsb_test_spearman"] = ours
            result["stsb_test_spearman_fp32"] = theirs
            result["stsb_test_spearman_delta"] = ours - theirs
        }
        return result
    }

    /// Wall time from launching `sbert encode` with one text to its exit (a fresh process each time; warm page cache).
    static func startLatency(model: ModelOptions) throws -> Double {
        var times: [Double] = []
        for _ in 0..<7 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            process.arguments = ["encode", "--model", model.model, "--compute", model.compute.rawValue, "hello world"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            let start = DispatchTime.now()
            try process.run()
            process.waitUntilExit()
            times.append(Timing.seconds(since: start) * 1000)
        }
        times.sort()
        return times[times.count / 2]
    }

    /// short.txt throughput with each thread count, each in a fresh process (`SBERT_NUM_THREADS`).
    static func threadScaling(_ list: String, arguments: [String]) throws -> [String: Any] {
        var rows: [[String: Any]] = []
        for count in list.split(separator: ",").compactMap({ Int($0.trimmingCharacters(in: .whitespaces)) }) where count > 0 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            process.arguments = ["bench", "--short-only"] + arguments
            process.environment = ProcessInfo.processInfo.environment.merging(["SBERT_NUM_THREADS": "\(count)"]) { $1 }
            let pipe = Pipe()
            process.standardOutput = pipe
            try process.run()
            let output = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            guard let json = try JSONSerialization.jsonObject(with: output) as? [String: Any],
                  let short = json["short_bs32"] as? [String: Any], let rate = short["items_per_s_best"] as? Double else {
                throw CLIError("bench --short-only with \(count) threads failed")
            }
            rows.append(["threads": count, "short_items_per_s": rate])
        }
        var result: [String: Any] = ["runs": rows]
        if let one = rows.first(where: { $0["threads"] as? Int == 1 })?["short_items_per_s"] as? Double {
            for row in rows {
                if let threads = row["threads"] as? Int, threads > 1, let rate = row["short_items_per_s"] as? Double {
                    result["speedup_\(threads)_vs_1"] = rate / one
                }
            }
        }
        return result
    }

    /// Sequences/s and tokens/s for inputs of exactly each length (token ids cut from long.txt) at each batch size.
    func sequenceLengthTable(model: SentenceTransformer, lengths: String, texts: [String]) throws -> [[String: Any]] {
        let pool = try texts.flatMap { try model.tokenize($0).ids.dropFirst().dropLast() }
        let batchList = (batchSizes ?? "1,8,32").split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        var rows: [[String: Any]] = []
        for length in lengths.split(separator: ",").compactMap({ Int($0.trimmingCharacters(in: .whitespaces)) }) where length > 2 {
            for batch in batchList where batch > 0 {
                let encodings = (0..<batch).map { index -> Encoding in
                    let start = (index * 997) % max(1, pool.count - length)
                    let ids = [101] + Array(pool[start..<(start + length - 2)]) + [102]
                    return Encoding(ids: ids, typeIDs: Array(repeating: 0, count: length), attentionMask: Array(repeating: 1, count: length))
                }
                _ = try model.embed(encodings: encodings)
                let target = max(1, 4096 / (batch * length))
                let start = DispatchTime.now()
                for _ in 0..<target { _ = try model.embed(encodings: encodings) }
                let elapsed = Timing.seconds(since: start)
                rows.append(["seq_len": length, "batch": batch, "sequences_per_s": Double(batch * target) / elapsed,
                             "tokens_per_s": Double(batch * length * target) / elapsed])
            }
        }
        return rows
    }

    struct Throughput { var runs: [Double] }

    static func throughput(runs: Int, _ body: () throws -> Void) throws -> Throughput {
        var times: [Double] = []
        for _ in 0..<runs {
            let start = DispatchTime.now()
            try body()
            times.append(Timing.seconds(since: start))
        }
        return Throughput(runs: times)
    }

    static func figures(_ result: Throughput, items: Int, tokens: Int) -> [String: Any] {
        let sorted = result.runs.sorted()
        let best = sorted.first ?? 1
        let median = sorted[sorted.count / 2]
        return [
            "runs_s": result.runs, "min_s": best, "median_s": median, "items": items, "tokens": tokens,
            "items_per_s_best": Double(items) / best, "items_per_s_median": Double(items) / median,
            "tokens_per_s_best": Double(tokens) / best,
        ]
    }

    /// The reference figures that matter, from baseline.json.
    static func reference(path: String) -> [String: Any]? {
        guard let data = FileManager.default.contents(atPath: path),
              let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        func number(_ keys: [String]) -> Double? {
            var node: Any? = json
            for key in keys { node = (node as? [String: Any])?[key] }
            return (node as? NSNumber)?.doubleValue
        }
        var reference: [String: Any] = [:]
        let entries: [(String, [String])] = [
            ("torch_short_items_per_s", ["torch", "short_bs32", "items_per_s_best"]),
            ("torch_long_items_per_s", ["torch", "long_bs16", "items_per_s_best"]),
            ("torch_latency_p50_ms", ["torch", "latency_single", "p50_ms"]),
            ("torch_peak_rss_mib", ["load", "torch_sentence_transformers", "second_run", "peak_rss_mib"]),
            ("onnx_fp32_short_items_per_s", ["onnx", "fp32", "short_bs32", "items_per_s_best"]),
            ("onnx_fp32_long_items_per_s", ["onnx", "fp32", "long_bs16", "items_per_s_best"]),
            ("onnx_fp32_latency_p50_ms", ["onnx", "fp32", "latency_single", "p50_ms"]),
            ("onnx_fp32_peak_rss_mib", ["load", "onnxruntime_fp32", "second_run", "peak_rss_mib"]),
            ("onnx_int8_short_items_per_s", ["onnx", "int8", "short_bs32", "items_per_s_best"]),
            ("onnx_int8_long_items_per_s", ["onnx", "int8", "long_bs16", "items_per_s_best"]),
            ("onnx_int8_latency_p50_ms", ["onnx", "int8", "latency_single", "p50_ms"]),
            ("onnx_int8_cosine_mean", ["onnx", "int8", "cosine_vs_torch_short", "mean"]),
            ("onnx_int8_cosine_min", ["onnx", "int8", "cosine_vs_torch_short", "min"]),
            ("rust_tokenizers_short_single_thread_sentences_per_s", ["tokenizers", "rayon_1_thread", "short_encode_batch", "items_per_s_best"]),
        ]
        for (name, keys) in entries { if let value = number(keys) { reference[name] = value } }
        guard !reference.isEmpty else { return nil }
        let machine = (json["machine"] as? [String: Any]) ?? [:]
        reference["machine"] = [machine["cpu_model"].map { "\($0)" }, machine["cpu_count"].map { "\($0) CPUs" }].compactMap { $0 }.joined(separator: ", ")
        return reference
    }

    /// A file of the bench corpora: in `SBERT_BENCH_DIR` when it is set, else `../shared/bench` from the working directory, else
    /// `../shared/bench` beside the package this program was built in.
    /// - Throws: ``CLIError`` naming the places searched.
    static func benchFile(_ name: String) throws -> String {
        var candidates: [String] = []
        if let directory = ProcessInfo.processInfo.environment["SBERT_BENCH_DIR"], !directory.isEmpty {
            candidates.append("\(directory)/\(name)")
        } else {
            candidates.append("../shared/bench/\(name)")
            if let root = packageRoot() { candidates.append(root.deletingLastPathComponent().appendingPathComponent("shared/bench/\(name)").path) }
        }
        if let found = candidates.first(where: { FileManager.default.isReadableFile(atPath: $0) }) { return found }
        throw CLIError("\(name) of the bench corpora not found (looked at \(candidates.joined(separator: ", "))): pass --\(name.replacingOccurrences(of: ".txt", with: "")) FILE or set SBERT_BENCH_DIR")
    }

    /// `relative` inside the package this program was built in, when it is there.
    static func packageFile(_ relative: String) -> String? {
        if FileManager.default.fileExists(atPath: relative) { return relative }
        return packageRoot().map { $0.appendingPathComponent(relative).path }.flatMap { FileManager.default.fileExists(atPath: $0) ? $0 : nil }
    }

    /// The package directory above this executable (`ROOT/.build/…/release/sbert`): the first ancestor holding a
    /// Package.swift.
    static func packageRoot() -> URL? {
        guard let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else { return nil }
        var directory = URL(fileURLWithPath: executable).deletingLastPathComponent()
        while directory.path != "/" {
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) { return directory }
            directory.deleteLastPathComponent()
        }
        return nil
    }

    /// Ours ÷ reference for throughput, reference ÷ ours for latency and memory: above 1 means we are better.
    static func ratios(_ report: [String: Any], _ reference: [String: Any]) -> [String: Double] {
        func ours(_ section: String, _ key: String) -> Double? { ((report[section] as? [String: Any])?[key] as? Double) }
        var ratios: [String: Double] = [:]
        let shortRate = ours("short_bs32", "items_per_s_best"), longRate = ours("long_bs16", "items_per_s_best")
        let p50 = ours("latency_single", "p50_ms"), rss = report["peak_rss_mib"] as? Double
        for engine in ["torch", "onnx_fp32", "onnx_int8"] {
            if let ours = shortRate, let theirs = reference["\(engine)_short_items_per_s"] as? Double { ratios["short_speedup_vs_\(engine)"] = ours / theirs }
            if let ours = longRate, let theirs = reference["\(engine)_long_items_per_s"] as? Double { ratios["long_speedup_vs_\(engine)"] = ours / theirs }
            if let ours = p50, let theirs = reference["\(engine)_latency_p50_ms"] as? Double { ratios["latency_p50_speedup_vs_\(engine)"] = theirs / ours }
            if let ours = rss, let theirs = reference["\(engine)_peak_rss_mib"] as? Double { ratios["memory_saving_vs_\(engine)"] = theirs / ours }
        }
        return ratios
    }
}
