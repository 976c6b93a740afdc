/// The settings of a training run, named after the HF/sentence-transformers `TrainingArguments` they mirror; defaults
/// are those of `SentenceTransformerTrainingArguments` unless noted.
public struct TrainingArguments: Sendable, Codable, Equatable {
    public var outputDirectory: String
    public var numTrainEpochs: Int = 1
    /// Stop after this many optimizer steps (overrides the epochs), as `max_steps`.
    public var maxSteps: Int? = nil
    public var perDeviceTrainBatchSize: Int = 8
    public var learningRate: Double = 5e-5
    public var weightDecay: Double = 0
    public var adamBeta1: Double = 0.9
    public var adamBeta2: Double = 0.999
    public var adamEpsilon: Double = 1e-8
    public var maxGradNorm: Double = 1
    public var warmupRatio: Double = 0
    public var lrSchedulerType: LearningRateSchedule.Kind = .linear
    public var gradientAccumulationSteps: Int = 1
    public var seed: UInt64 = 42
    public var batchSampler: BatchSampling = .batchSampler
    public var multiDatasetBatchSampler: MultiDatasetSampling = .proportional
    /// Log the mean loss every this many steps.
    public var loggingSteps: Int = 500
    /// Evaluate every this many steps (nil: only at the end).
    public var evalSteps: Int? = nil
    /// Write a checkpoint every this many steps (nil: none).
    public var saveSteps: Int? = nil
    /// Keep at most this many checkpoints (the oldest are deleted).
    public var saveTotalLimit: Int? = nil
    /// Save the best model by the evaluator's primary metric as the final model.
    public var loadBestModelAtEnd: Bool = false
    /// Dropout on (`model.train()`); off gives deterministic gradients.
    public var dropout: Bool = true

    public init(outputDirectory: String) { self.outputDirectory = outputDirectory }
}
