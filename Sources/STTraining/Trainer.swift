import Foundation
import SentenceTransformers

/// Fine-tunes a ``TrainableSentenceTransformer`` with a ``SentenceLoss`` or a ``TrainableCrossEncoder`` with a
/// ``CrossEncoderLoss``, the way `SentenceTransformerTrainer` and `CrossEncoderTrainer` do:
/// seeded batches, AdamW with the HF parameter groups, a warm-up/decay schedule, gradient clipping and accumulation,
/// periodic evaluation and logging, atomic checkpoints that a killed run resumes from exactly, and the final model
/// saved in the Sentence Transformers format.
///
/// ```swift
/// let model = try TrainableSentenceTransformer(directory: base, maxSeqLength: 128)
/// var arguments = TrainingArguments(outputDirectory: "out")
/// arguments.perDeviceTrainBatchSize = 16
/// arguments.learningRate = 2e-5
/// arguments.warmupRatio = 0.1
/// let trainer = Trainer(model: model, loss: CoSENTLoss(), datasets: [stsTrain], arguments: arguments)
/// try trainer.train()
/// ```
public final class Trainer: @unchecked Sendable {
    let objective: any TrainingObjective
    public let datasets: [any TrainingDataSource]
    public let arguments: TrainingArguments
    /// Names of the datasets for the model card.
    public var datasetNames: [String] = []
    /// Called after every optimizer step with the state (for progress bars).
    public var onStep: (@Sendable (TrainerState, _ totalSteps: Int, _ lastLoss: Double, _ learningRate: Double) -> Void)?
    /// Called with each log line and evaluation.
    public var onLog: (@Sendable (String) -> Void)?
    public private(set) var state: TrainerState
    let optimizers: [AdamW]
    let sampler: BatchSampler

    public convenience init(model: TrainableSentenceTransformer, loss: any SentenceLoss, datasets: [any TrainingDataSource],
                            arguments: TrainingArguments, evaluator: (any SentenceEvaluator)? = nil) {
        self.init(objective: SentenceObjective(model: model, loss: loss, evaluator: evaluator), datasets: datasets, arguments: arguments)
    }

    /// A cross-encoder run (`CrossEncoderTrainer`): each example's text columns are turned into pairs by the loss.
    public convenience init(model: TrainableCrossEncoder, loss: any CrossEncoderLoss, datasets: [any TrainingDataSource],
                            arguments: TrainingArguments, evaluator: (any CrossEncoderEvaluator)? = nil) {
        self.init(objective: CrossEncoderObjective(model: model, loss: loss, evaluator: evaluator), datasets: datasets, arguments: arguments)
    }

    init(objective: any TrainingObjective, datasets: [any TrainingDataSource], arguments: TrainingArguments) {
        self.objective = objective
        self.datasets = datasets
        self.arguments = arguments
        state = TrainerState(seed: arguments.seed)
        optimizers = objective.parameterSets.map {
            AdamW(parameters: $0, beta1: arguments.adamBeta1, beta2: arguments.adamBeta2, epsilon: arguments.adamEpsilon,
                  weightDecay: arguments.weightDecay)
        }
        sampler = BatchSampler(batchSize: arguments.perDeviceTrainBatchSize, sampling: arguments.batchSampler,
                               multiDataset: arguments.multiDatasetBatchSampler, seed: arguments.seed)
    }

    var outputURL: URL { URL(fileURLWithPath: arguments.outputDirectory) }

    /// Optimizer steps of one epoch.
    func stepsPerEpoch() throws -> Int {
        let batches = try sampler.plan(epoch: 0, datasets: datasets).count
        return (batches + arguments.gradientAccumulationSteps - 1) / max(1, arguments.gradientAccumulationSteps)
    }

    /// The number of optimizer steps the run takes.
    public func totalSteps() throws -> Int {
        if let maxSteps = arguments.maxSteps { return maxSteps }
        return try stepsPerEpoch() * arguments.numTrainEpochs
    }

    /// Trains to the end; with `resume`, first restores the newest checkpoint in the output directory (if any).
    /// Returns the final evaluation (empty without an evaluator).
    @discardableResult
    public func train(resume: Bool = false) throws -> [String: Double] {
        guard !datasets.isEmpty, datasets.allSatisfy({ $0.count > 0 }) else {
            throw TrainingError.invalidArgument("no training data")
        }
        try objective.validateEvaluator()
        let total = try totalSteps()
        let schedule = LearningRateSchedule(
            kind: arguments.lrSchedulerType, peak: arguments.learningRate,
            warmupSteps: LearningRateSchedule.warmupSteps(ratio: arguments.warmupRatio, totalSteps: total), totalSteps: total)
        if resume, let checkpoint = try latestCheckpoint() { try restore(from: checkpoint) }
        let accumulation = max(1, arguments.gradientAccumulationSteps)
        var plan = try sampler.plan(epoch: state.epoch, datasets: datasets)
        var stepLoss = 0.0
        var micro = 0
        var maxEpochs = arguments.maxSteps == nil ? arguments.numTrainEpochs : Int.max
        if plan.isEmpty { maxEpochs = 0 }
        zeroGradients()
        while state.globalStep < total, state.epoch < maxEpochs {
            if state.batchInEpoch >= plan.count {
                state.epoch += 1
                state.batchInEpoch = 0
                guard state.epoch < maxEpochs else { break }
                plan = try sampler.plan(epoch: state.epoch, datasets: datasets)
                continue
            }
            let batch = plan[state.batchInEpoch]
            let examples = try batch.rows.map { try datasets[batch.dataset].example(at: $0) }
            state.batchInEpoch += 1
            stepLoss += try accumulateGradients(examples, scale: 1 / Double(accumulation))
            micro += 1
            let epochEnds = state.batchInEpoch >= plan.count
            guard micro == accumulation || epochEnds else { continue }
            let learningRate = schedule.learningRate(atStep: state.globalStep)
            let norm = clipGradients()
            // A NaN or infinite step would poison every weight it touches: stop before it, with what is saved intact.
            guard stepLoss.isFinite, norm.isFinite else {
                throw TrainingError.invalidInput("step \(state.globalStep + 1): the loss is \(stepLoss) and the gradient norm \(norm); "
                    + "stopped before updating the weights, and nothing more is saved (labels or inputs out of the loss's range are the usual cause)")
            }
            for optimizer in optimizers { optimizer.step(learningRate: learningRate) }
            zeroGradients()
            state.globalStep += 1
            state.pendingLoss += stepLoss
            state.pendingSteps += 1
            onStep?(state, total, stepLoss, learningRate)
            stepLoss = 0
            micro = 0
            if state.globalStep % max(1, arguments.loggingSteps) == 0 || state.globalStep == total {
                let mean = state.pendingLoss / Double(max(1, state.pendingSteps))
                state.lossLog.append(.init(step: state.globalStep, loss: mean, learningRate: learningRate))
                state.pendingLoss = 0
                state.pendingSteps = 0
                onLog?("step \(state.globalStep)/\(total): loss \(String(format: "%.4f", mean)), lr \(String(format: "%.3g", learningRate))")
            }
            if let every = arguments.evalSteps, state.globalStep % every == 0, state.globalStep < total {
                try evaluate()
            }
            if let every = arguments.saveSteps, state.globalStep % every == 0, state.globalStep < total {
                try saveCheckpoint()
            }
        }
        let final = try evaluate()
        if arguments.loadBestModelAtEnd, let best = state.bestStep, best != state.globalStep {
            try objective.loadParameters(from: outputURL.appendingPathComponent("best-model"))
        }
        try objective.save(to: outputURL, card: card().markdown, merge: true)
        return final
    }

    /// Forward, loss and backward of one batch (what one micro-step does); gradients accumulate into the parameter
    /// sets, scaled by `scale`. Returns the scaled loss.
    public func accumulateGradients(_ examples: [TrainingExample], scale: Double = 1) throws -> Double {
        var random: TrainingRandom? = arguments.dropout ? state.random : nil
        defer { if let random { state.random = random } }
        return try objective.accumulateGradients(examples, scale: scale, random: &random)
    }

    private func zeroGradients() { for optimizer in optimizers { optimizer.parameters.zeroGradients() } }

    /// `clip_grad_norm_` over every trained parameter together; returns the norm before clipping.
    private func clipGradients() -> Double {
        let sets = optimizers.map(\.parameters)
        guard arguments.maxGradNorm > 0 else { return sets.reduce(0.0) { $0 + $1.squaredGradientNorm() }.squareRoot() }
        return ParameterSet.clipGradients(of: sets, maxNorm: arguments.maxGradNorm)
    }

    // MARK: Saving, evaluating, checkpoints

    /// The model card of the model as trained so far.
    func card() -> ModelCard {
        let arguments = self.arguments
        return ModelCard(
            modelClass: objective.modelClass, baseModel: objective.baseModelName, datasets: datasetNames, loss: objective.lossName,
            lossParameters: objective.lossParameters,
            hyperparameters: [
                "num_train_epochs": "\(arguments.numTrainEpochs)", "max_steps": arguments.maxSteps.map(String.init) ?? "-",
                "per_device_train_batch_size": "\(arguments.perDeviceTrainBatchSize)", "learning_rate": "\(arguments.learningRate)",
                "weight_decay": "\(arguments.weightDecay)", "warmup_ratio": "\(arguments.warmupRatio)",
                "lr_scheduler_type": arguments.lrSchedulerType.rawValue, "max_grad_norm": "\(arguments.maxGradNorm)",
                "gradient_accumulation_steps": "\(arguments.gradientAccumulationSteps)", "seed": "\(arguments.seed)",
                "batch_sampler": arguments.batchSampler.rawValue, "max_seq_length": "\(objective.maxSeqLength)",
                "adam_epsilon": "\(arguments.adamEpsilon)", "global_step": "\(state.globalStep)",
            ],
            evaluation: state.evaluations.last?.metrics ?? [:],
            trainingLog: state.lossLog.map { ($0.step, $0.loss) })
    }

    /// Saves the model in the Sentence Transformers format.
    public func save(to directory: URL) throws {
        try objective.save(to: directory, card: card().markdown, merge: false)
    }

    /// Runs the evaluator on the model as saved (so the numbers are those of the files a user gets).
    @discardableResult
    public func evaluate() throws -> [String: Double] {
        guard objective.hasEvaluator else { return [:] }
        let scratch = outputURL.appendingPathComponent(".eval-model")
        try save(to: scratch)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let (metrics, primary) = try objective.evaluate(savedAt: scratch)
        state.evaluations.append(.init(step: state.globalStep, metrics: metrics))
        if let value = metrics[primary], value > (state.bestMetric ?? -.infinity) {
            state.bestMetric = value
            state.bestStep = state.globalStep
            if arguments.loadBestModelAtEnd {
                let best = outputURL.appendingPathComponent("best-model")
                let staging = outputURL.appendingPathComponent(".best-model.partial")
                try? FileManager.default.removeItem(at: staging)
                try FileManager.default.copyItem(at: scratch, to: staging)
                try ModelDirectory.replace(best, with: staging)
            }
        }
        let summary = metrics.sorted { $0.key < $1.key }.map { "\($0.key) \(String(format: "%.5f", $0.value))" }
        onLog?("eval at step \(state.globalStep): \(summary.joined(separator: ", "))")
        return metrics
    }

    /// Writes `checkpoint-<step>`: the model, `optimizer.bin` and `trainer_state.json`, assembled under a temporary
    /// name and renamed into place, so a kill at any moment leaves only complete checkpoints.
    public func saveCheckpoint() throws {
        let name = "checkpoint-\(state.globalStep)"
        let staging = outputURL.appendingPathComponent(".\(name).partial")
        try? FileManager.default.removeItem(at: staging)
        try objective.save(to: staging, card: card().markdown, merge: false)
        try OptimizerState.write(optimizers, includeValues: optimizers.indices.map { $0 > 0 },
                                 to: staging.appendingPathComponent("optimizer.bin"))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(state).write(to: staging.appendingPathComponent("trainer_state.json"), options: .atomic)
        try ModelDirectory.replace(outputURL.appendingPathComponent(name), with: staging)
        onLog?("saved \(name)")
        if let limit = arguments.saveTotalLimit {
            for old in try checkpoints().dropLast(max(1, limit)) { try? FileManager.default.removeItem(at: old.url) }
        }
    }

    /// Complete checkpoints in the output directory, oldest first.
    func checkpoints() throws -> [(step: Int, url: URL)] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: outputURL.path)) ?? []
        return names.compactMap { name -> (Int, URL)? in
            guard name.hasPrefix("checkpoint-"), let step = Int(name.dropFirst("checkpoint-".count)) else { return nil }
            return (step, outputURL.appendingPathComponent(name))
        }.sorted { $0.0 < $1.0 }
    }

    func latestCheckpoint() throws -> URL? { try checkpoints().last?.url }

    /// Restores weights, optimizer moments and the trainer state from a checkpoint directory.
    func restore(from checkpoint: URL) throws {
        let stateURL = checkpoint.appendingPathComponent("trainer_state.json")
        guard let data = try? Data(contentsOf: stateURL), let restored = try? JSONDecoder().decode(TrainerState.self, from: data) else {
            throw TrainingError.invalidCheckpoint(path: checkpoint.path, reason: "missing or unreadable trainer_state.json")
        }
        try objective.loadParameters(from: checkpoint)
        try OptimizerState.read(into: optimizers, from: checkpoint.appendingPathComponent("optimizer.bin"))
        state = restored
        onLog?("resumed from \(checkpoint.lastPathComponent) at step \(state.globalStep)")
    }
}
