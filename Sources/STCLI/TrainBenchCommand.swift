import ArgumentParser
import Foundation
import SentenceTransformers
import STTraining

/// `sbert bench-train`: training throughput and peak memory beside PyTorch's (`train_baseline.json`).
struct TrainBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-train",
        abstract: "Measure training steps/s, examples/s and peak RSS for MNRL (batch 32) and CoSENT (batch 16); prints JSON.",
        discussion: """
            The setup of the Python reference (train_baseline.json): all-MiniLM-L6-v2, max_seq_length 128, AdamW \
            lr 2e-5, weight decay 0.01, constant schedule, 10 untimed then 60 timed steps of the full trainer step \
            (tokenization, forward, backward, clipping, AdamW). MNRL trains on the STS-B train pairs with gold score \
            >= 4, CoSENT on all STS-B train pairs. Each loss runs in a fresh process so that its peak RSS is its own.
            """
    )

    enum Section: String, ExpressibleByArgument, CaseIterable { case all, mnrl, cosent }

    @OptionGroup var modelOptions: ModelOptions
    @Option(help: "STS-B train (TAB-separated, as distributed).")
    var stsTrain: String = "Tests/Fixtures/data/stsbenchmark/sts-train.csv"
    @Option(help: "The Python reference's figures; skipped when absent.")
    var baseline: String = "../shared/bench/train_baseline.json"
    @Option(help: "all, mnrl or cosent.")
    var section: Section = .all
    @Option var warmupSteps: Int = 10
    @Option var timedSteps: Int = 60

    func validate() throws {
        if modelOptions.compute != .float32 { throw ValidationError("--compute \(modelOptions.compute.rawValue) is not used here: training computes in fp32") }
    }

    func run() throws {
        if section != .all {
            let result = try measure(section)
            let data = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
            return
        }
        var report: [String: Any] = ["model": modelOptions.model, "threads": ProcessInfo.processInfo.activeProcessorCount]
        let reference = (try? Data(contentsOf: URL(fileURLWithPath: baseline)))
            .flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }
        for part in [Section.mnrl, .cosent] {
            // A fresh process per loss, as the reference measured each in its own Python process.
            let process = Process()
            process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            process.arguments = ["bench-train", "--section", part.rawValue, "--model", modelOptions.model, "--revision", modelOptions.revision,
                                 "--sts-train", stsTrain, "--warmup-steps", "\(warmupSteps)", "--timed-steps", "\(timedSteps)"]
            let pipe = Pipe()
            process.standardOutput = pipe
            try process.run()
            let output = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            guard process.terminationStatus == 0,
                  var result = try JSONSerialization.jsonObject(with: output) as? [String: Any] else {
                throw CLIError("bench-train --section \(part.rawValue) failed")
            }
            let key = part == .mnrl ? "throughput_mnrl" : "throughput_cosent"
            if let python = (reference?[key] as? [String: Any])?["trainer"] as? [String: Any] {
                let pythonExamples = python["examples_per_s"] as? Double ?? 0
                let pythonRSS = python["peak_rss_mib"] as? Double ?? 0
                result["pytorch_trainer"] = ["examples_per_s": pythonExamples, "peak_rss_mib": pythonRSS,
                                             "padded_tokens_per_s": python["padded_tokens_per_s"] ?? 0,
                                             "real_tokens_per_s": python["real_tokens_per_s"] ?? 0]
                if let ours = result["examples_per_s"] as? Double, pythonExamples > 0 {
                    result["throughput_ratio"] = ours / pythonExamples
                }
                if let ours = result["peak_rss_mib"] as? Double, pythonRSS > 0 { result["memory_ratio"] = ours / pythonRSS }
            }
            report[key] = result
        }
        let data = try JSONSerialization.data(withJSONObject: report, options: [.prettyPrinted, .sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }

    private func measure(_ section: Section) throws -> [String: Any] {
        let directory = try modelOptions.directory()
        let model = try TrainableSentenceTransformer(directory: directory, maxSeqLength: 128)
        let pairs = try STSBenchmark.load(URL(fileURLWithPath: stsTrain))
        let mnrl = section == .mnrl
        let examples = mnrl
            ? pairs.filter { $0.score >= 4 }.map { TrainingExample(texts: [$0.first, $0.second]) }
            : pairs.map { TrainingExample(texts: [$0.first, $0.second], label: Float($0.score / 5)) }
        var arguments = TrainingArguments(outputDirectory: FileManager.default.temporaryDirectory.path)
        arguments.perDeviceTrainBatchSize = mnrl ? 32 : 16
        arguments.learningRate = 2e-5
        arguments.weightDecay = 0.01
        arguments.lrSchedulerType = .constant
        arguments.batchSampler = mnrl ? .noDuplicates : .batchSampler
        let loss: any SentenceLoss = mnrl ? MultipleNegativesRankingLoss() : CoSENTLoss()
        let data = InMemoryDataset(examples)
        let trainer = Trainer(model: model, loss: loss, datasets: [data], arguments: arguments)
        let sampler = BatchSampler(batchSize: arguments.perDeviceTrainBatchSize, sampling: arguments.batchSampler, seed: 42)
        var plan = try sampler.plan(epoch: 0, datasets: [data])
        let optimizer = AdamW(parameters: model.parameters, weightDecay: 0.01)
        var stepTimes: [Double] = []
        var realTokens = 0
        var sentences = 0
        var processed = 0
        for step in 0..<(warmupSteps + timedSteps) {
            if plan.isEmpty { plan = try sampler.plan(epoch: step, datasets: [data]) }
            let batch = plan.removeFirst()
            let rows = batch.rows.map { examples[$0] }
            let start = DispatchTime.now().uptimeNanoseconds
            model.parameters.zeroGradients()
            _ = try trainer.accumulateGradients(rows)
            model.parameters.clipGradients(maxNorm: 1)
            optimizer.step(learningRate: 2e-5)
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            if step >= warmupSteps {
                stepTimes.append(seconds)
                processed += rows.count
                sentences += rows.count * 2
                realTokens += try rows.flatMap(\.texts).reduce(0) { $0 + (try model.tokenize([$1])).tokenCount }
            }
        }
        let total = stepTimes.reduce(0, +)
        let sorted = stepTimes.sorted()
        return [
            "loss": loss.name, "batch_size": arguments.perDeviceTrainBatchSize, "max_seq_length": 128,
            "dataset_rows": examples.count, "timed_steps": timedSteps,
            "steps_per_s": Double(timedSteps) / total, "examples_per_s": Double(processed) / total,
            "sentences_per_s": Double(sentences) / total, "real_tokens_per_s": Double(realTokens) / total,
            "padding": "none: sequences are packed, every computed position is a real token",
            "step_ms_median": sorted[sorted.count / 2] * 1000, "peak_rss_mib": ResourceUsage.peakResidentMiB(),
        ]
    }
}
