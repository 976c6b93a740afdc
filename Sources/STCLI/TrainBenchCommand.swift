import ArgumentParser
import Foundation
import SentenceTransformers
import STTraining

/// `sbert bench-train`: training throughput and peak memory, beside PyTorch's measured in the same run.
struct TrainBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-train",
        abstract: "Measure training steps/s, examples/s and peak RSS of bi-encoders and rerankers; prints JSON.",
        discussion: """
            Sections: mnrl (--model, MultipleNegativesRankingLoss, batch 32, the STS-B train pairs with gold score \
            >= 4), cosent (--model, CoSENTLoss, batch 16, every pair with score / 5), ce-bce (--reranker, \
            BinaryCrossEntropyLoss, batch 16, every pair with score / 5), ce-mnrl (--reranker, \
            MultipleNegativesRankingLoss with 4 in-batch negatives, batch 16, the pairs with score >= 4). \
            max_seq_length 128, AdamW lr 2e-5, weight decay 0.01, constant schedule, dropout on; --warmup-steps \
            untimed then --timed-steps timed steps of the whole trainer step (tokenization, forward, backward, \
            clipping, AdamW) over consecutive rows in file order. Each section runs in a fresh process so that its \
            peak RSS is its own. --reference-venv measures PyTorch on the same batches in the same run \
            (scripts/bench-train-reference.py); --baseline shows earlier PyTorch figures with the machine they were \
            measured on.
            """
    )

    enum Section: String, ExpressibleByArgument, CaseIterable {
        case all, mnrl, cosent, ceBCE = "ce-bce", ceMNRL = "ce-mnrl"

        var batchSize: Int { self == .mnrl ? 32 : 16 }
        var isCrossEncoder: Bool { self == .ceBCE || self == .ceMNRL }
        /// Positive pairs only (gold score ≥ 4), for the in-batch-negative losses.
        var positivesOnly: Bool { self == .mnrl || self == .ceMNRL }
        /// The key of this section in the report and in train_baseline.json.
        var key: String { "throughput_" + rawValue.replacingOccurrences(of: "-", with: "_") }
    }

    static let defaultReranker = ".models/cross-encoder-stsb-MiniLM-L6"

    @OptionGroup var modelOptions: ModelOptions
    @Option(help: "The cross-encoder of the ce-* sections, a model directory (default .models/cross-encoder-stsb-MiniLM-L6).")
    var reranker: String?
    @Option(help: "STS-B train (TAB-separated, as distributed).")
    var stsTrain: String = "Tests/Fixtures/data/stsbenchmark/sts-train.csv"
    @Option(help: "A Python environment with torch and sentence-transformers: PyTorch is measured on the same batches in this run.")
    var referenceVenv: String?
    @Option(help: "Earlier PyTorch figures (e.g. ../shared/bench/train_baseline.json), shown with the machine they were measured on.")
    var baseline: String?
    @Option(help: "all, mnrl, cosent, ce-bce or ce-mnrl.")
    var section: Section = .all
    @Option var warmupSteps: Int = 10
    @Option var timedSteps: Int = 60

    func validate() throws {
        if modelOptions.compute != .float32 { throw ValidationError("--compute \(modelOptions.compute.rawValue) is not used here: training computes in fp32") }
        if warmupSteps < 0 || timedSteps < 1 { throw ValidationError("--warmup-steps must not be negative and --timed-steps must be at least 1") }
        if section != .all, referenceVenv != nil || baseline != nil {
            throw ValidationError("\(referenceVenv != nil ? "--reference-venv" : "--baseline") is not used here: it compares the whole run (without --section)")
        }
        if reranker != nil, section == .mnrl || section == .cosent {
            throw ValidationError("--reranker is not used here: --section \(section.rawValue) trains --model")
        }
        if section.isCrossEncoder, modelOptions.model != ModelLocator.defaultModel {
            throw ValidationError("--model is not used here: --section \(section.rawValue) trains --reranker")
        }
    }

    func run() throws {
        if section != .all {
            let data = try JSONSerialization.data(withJSONObject: try measure(section), options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
            return
        }
        let reranker = self.reranker ?? Self.defaultReranker
        var report: [String: Any] = ["model": modelOptions.model, "reranker": reranker, "threads": ProcessInfo.processInfo.activeProcessorCount,
                                     "cpu": KernelBench.cpuModel()]
        var earlier: [String: Any]?
        if let baseline {
            guard let data = FileManager.default.contents(atPath: baseline),
                  let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw CLIError("--baseline \(baseline): not a readable train_baseline.json")
            }
            earlier = object
            let machine = object["machine"] as? [String: Any]
            report["baseline"] = ["source": baseline, "measured_on": "\(machine?["cpu_model"] ?? "an unnamed CPU"), \(machine?["cpu_count"] ?? "?") CPUs",
                                  "note": "earlier figures, not measured in this run"]
        }
        for part in Section.allCases where part != .all {
            // A fresh process per section, ours and the reference's, so that each peak RSS is its own.
            var result = try Self.runJSON(URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath(),
                                          ["bench-train", "--section", part.rawValue, "--sts-train", stsTrain, "--warmup-steps", "\(warmupSteps)",
                                           "--timed-steps", "\(timedSteps)"]
                                            + (part.isCrossEncoder ? ["--reranker", reranker]
                                                                   : ["--model", modelOptions.model, "--revision", modelOptions.revision]),
                                          what: "bench-train --section \(part.rawValue)")
            if let referenceVenv {
                let python = URL(fileURLWithPath: referenceVenv).appendingPathComponent("bin/python")
                guard FileManager.default.isExecutableFile(atPath: python.path) else {
                    throw CLIError("--reference-venv \(referenceVenv): no bin/python there (make it with bash ../shared/bench/ort/setup.sh \(referenceVenv))")
                }
                let script = "scripts/bench-train-reference.py"
                guard FileManager.default.fileExists(atPath: script) else { throw CLIError("--reference-venv: run from the repository root (\(script) not found)") }
                let model = part.isCrossEncoder ? reranker : try modelOptions.directory().path
                let pytorch = try Self.runJSON(python, [script, part.rawValue, model, stsTrain, "\(warmupSteps)", "\(timedSteps)"],
                                               what: "the PyTorch reference of \(part.rawValue)")
                result["pytorch"] = pytorch
                Self.addRatios(to: &result, against: pytorch, suffix: "")
            }
            if let reference = (earlier?[part.key] as? [String: Any])?["trainer"] as? [String: Any] {
                result["earlier_pytorch_trainer"] = reference
                Self.addRatios(to: &result, against: reference, suffix: "_vs_earlier")
            }
            report[part.key] = result
        }
        let data = try JSONSerialization.data(withJSONObject: report, options: [.prettyPrinted, .sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }

    static func addRatios(to result: inout [String: Any], against reference: [String: Any], suffix: String) {
        if let ours = result["examples_per_s"] as? Double, let theirs = reference["examples_per_s"] as? Double, theirs > 0 {
            result["throughput_ratio" + suffix] = ours / theirs
        }
        if let ours = result["peak_rss_mib"] as? Double, let theirs = reference["peak_rss_mib"] as? Double, theirs > 0 {
            result["memory_ratio" + suffix] = ours / theirs
        }
    }

    /// Runs `executable` and parses the last line of its standard output as a JSON object.
    static func runJSON(_ executable: URL, _ arguments: [String], what: String) throws -> [String: Any] {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["HF_HUB_OFFLINE"] = "1"
        process.environment = environment
        // Standard error goes to a file, read only on failure, so that no pipe can fill and stall the child.
        let errorFile = FileManager.default.temporaryDirectory.appendingPathComponent("sbert-bench-train-\(UUID().uuidString).err")
        guard FileManager.default.createFile(atPath: errorFile.path, contents: nil), let errors = try? FileHandle(forWritingTo: errorFile) else {
            throw CLIError("cannot create \(errorFile.path)")
        }
        defer {
            try? errors.close()
            try? FileManager.default.removeItem(at: errorFile)
        }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = errors
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard process.terminationStatus == 0, let line = text.split(separator: "\n").last,
              let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            let message = (try? String(contentsOf: errorFile, encoding: .utf8)) ?? ""
            throw CLIError("\(what) failed (exit \(process.terminationStatus)): \(message.suffix(400))")
        }
        return object
    }

    private func measure(_ section: Section) throws -> [String: Any] {
        let pairs = try STSBenchmark.load(URL(fileURLWithPath: stsTrain))
        let rows = section.positivesOnly ? pairs.filter { $0.score >= 4 } : pairs
        let batchSize = section.batchSize
        guard rows.count > batchSize else { throw CLIError("\(stsTrain): \(rows.count) rows, fewer than a batch of \(batchSize) and one more") }
        var arguments = TrainingArguments(outputDirectory: FileManager.default.temporaryDirectory.path)
        arguments.perDeviceTrainBatchSize = batchSize
        arguments.learningRate = 2e-5
        arguments.weightDecay = 0.01
        arguments.lrSchedulerType = .constant
        let examples = rows.map { TrainingExample(texts: [$0.first, $0.second], label: section.positivesOnly ? nil : Float($0.score / 5)) }
        let trainer: Trainer, parameters: ParameterSet, lossName: String
        if section.isCrossEncoder {
            let model = try TrainableCrossEncoder(directory: URL(fileURLWithPath: reranker ?? Self.defaultReranker), maxSeqLength: 128)
            let loss: any CrossEncoderLoss = section == .ceBCE ? CrossEncoderLosses.BinaryCrossEntropyLoss()
                                                               : CrossEncoderLosses.MultipleNegativesRankingLoss(numNegatives: 4)
            trainer = Trainer(model: model, loss: loss, datasets: [], arguments: arguments)
            (parameters, lossName) = (model.parameters, loss.name)
        } else {
            let model = try TrainableSentenceTransformer(directory: try modelOptions.directory(), maxSeqLength: 128)
            let loss: any SentenceLoss = section == .mnrl ? MultipleNegativesRankingLoss() : CoSENTLoss()
            trainer = Trainer(model: model, loss: loss, datasets: [], arguments: arguments)
            (parameters, lossName) = (model.parameters, loss.name)
        }
        let optimizer = AdamW(parameters: parameters, weightDecay: 0.01)
        var stepTimes: [Double] = []
        var processed = 0
        for step in 0..<(warmupSteps + timedSteps) {
            // Consecutive rows in file order, the batches the PyTorch reference takes.
            let first = (step * batchSize) % (rows.count - batchSize)
            let batch = Array(examples[first..<(first + batchSize)])
            let start = DispatchTime.now().uptimeNanoseconds
            parameters.zeroGradients()
            _ = try trainer.accumulateGradients(batch)
            parameters.clipGradients(maxNorm: 1)
            optimizer.step(learningRate: 2e-5)
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            if step >= warmupSteps {
                stepTimes.append(seconds)
                processed += batch.count
            }
        }
        let total = stepTimes.reduce(0, +)
        let sorted = stepTimes.sorted()
        return [
            "loss": lossName, "batch_size": batchSize, "max_seq_length": 128, "dataset_rows": rows.count, "timed_steps": timedSteps,
            "steps_per_s": Double(timedSteps) / total, "examples_per_s": Double(processed) / total,
            "padding": "none: sequences are packed, every computed position is a real token",
            "step_ms_median": sorted[sorted.count / 2] * 1000, "peak_rss_mib": ResourceUsage.peakResidentMiB(),
        ]
    }
}
