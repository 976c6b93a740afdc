import Foundation
import SentenceTransformers
import STTestSupport
import STTraining
import Testing

/// The Python library's reference fine-tuning run, reproduced (`../shared/bench/train_baseline.md`): all-MiniLM-L6-v2,
/// CoSENTLoss on STS-B train, 1 epoch, batch 16, lr 2e-5 with 10% warm-up then linear decay, weight decay 0.01,
/// max_seq_length 128, seed 42. Python took STS-B test Spearman from 0.82032 to 0.82769.
@Suite struct FineTuneTests {
    static let pythonAfter = 0.82769

    struct Outcome: Sendable {
        var totalSteps = 0, steps = 0
        var spearman = 0.0
        var reloadDifference: Float = .infinity
    }

    /// The whole run with `SBERT_FULL_TESTS=1` (`scripts/test-release.sh`), held to Python's result. CI runs 30 steps
    /// (`max_steps`, so warm-up and decay span those; 90 took 4 minutes on a two-core Xeon): the same trainer, loss,
    /// schedule, save and reload, held to a model that stays within a point of the base on STS-B test and reloads
    /// exactly. The gradients themselves are GradientParityTests' (against PyTorch).
    @Test func coSENTOnSTSBenchmarkReproducesPython() async throws {
        // The run blocks for a minute and more: off the cooperative pool, expectations back here.
        let maxSteps = TestScale.full ? nil : 30
        let outcome = try await onDedicatedThread { try Self.fineTune(maxSteps: maxSteps) }
        #expect(outcome.totalSteps == maxSteps ?? 360)
        if TestScale.full {
            #expect(abs(outcome.spearman - Self.pythonAfter) <= 0.005, "Spearman \(outcome.spearman) is not within 0.5 points of Python's \(Self.pythonAfter)")
            #expect(outcome.spearman > 0.8203, "fine-tuning did not improve on the base model's 0.82032")
        } else {
            #expect(abs(outcome.spearman - 0.82032) <= 0.01, "Spearman \(outcome.spearman) after \(outcome.steps) steps is more than a point from the base model's 0.82032")
        }
        #expect(outcome.reloadDifference < 1e-6, "reloaded vectors differ by \(outcome.reloadDifference)")
    }

    static func fineTune(maxSteps: Int?) throws -> Outcome {
        var outcome = Outcome()
        let train = try FileDataset(url: TestResources.fixture("data/stsbenchmark/sts-train.csv"), columns: ["5", "6"],
                                    labelColumn: "4", hasHeader: false, labelScale: 0.2)
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("finetune-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        var arguments = TrainingArguments(outputDirectory: output.path)
        arguments.numTrainEpochs = 1
        arguments.perDeviceTrainBatchSize = 16
        arguments.learningRate = 2e-5
        arguments.warmupRatio = 0.1
        arguments.weightDecay = 0.01
        arguments.loggingSteps = 10
        arguments.maxSteps = maxSteps
        let model = try TrainableSentenceTransformer(directory: TestResources.model("all-MiniLM-L6-v2"), maxSeqLength: 128)
        let evaluator = EmbeddingSimilarityEvaluator(
            pairs: try STSBenchmark.load(TestResources.fixture("data/stsbenchmark/sts-test.csv")), name: "sts-test")
        let trainer = Trainer(model: model, loss: CoSENTLoss(), datasets: [train], arguments: arguments, evaluator: evaluator)
        outcome.totalSteps = try trainer.totalSteps()
        let start = Date()
        let metrics = try trainer.train()
        outcome.steps = trainer.state.globalStep
        outcome.spearman = metrics["sts-test_spearman_cosine"] ?? 0
        print("CoSENT fine-tune: STS-B test Spearman \(outcome.spearman) (Python \(pythonAfter)), \(outcome.steps) steps in \(Int(Date().timeIntervalSince(start))) s; losses \(trainer.state.lossLog.map { String(format: "%.3f", $0.loss) })")

        // The saved model reloads and gives the vectors the trained weights give.
        let texts = ["A man is playing a flute.", "Stocks rose on Friday."]
        var random: TrainingRandom? = nil
        let trained = try model.forward(texts, random: &random).embeddings
        let reloaded = try SentenceTransformer(directory: output).encode(texts).flatMap { $0 }
        outcome.reloadDifference = zip(trained, reloaded).map { abs($0 - $1) }.max() ?? .infinity
        return outcome
    }
}
