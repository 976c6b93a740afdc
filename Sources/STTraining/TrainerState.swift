import Foundation

/// Where a run is, written into every checkpoint (`trainer_state.json`) so that a resumed run continues exactly: the
/// step, the position in the epoch's batch plan, the dropout generator, the loss log and the best metric so far.
public struct TrainerState: Sendable, Codable, Equatable {
    public var globalStep = 0
    public var epoch = 0
    /// The next batch of the epoch's plan.
    public var batchInEpoch = 0
    public var random: TrainingRandom
    public var lossLog: [LogEntry] = []
    public var evaluations: [Evaluation] = []
    public var bestMetric: Double? = nil
    public var bestStep: Int? = nil
    /// Loss accumulated since the last log line.
    public var pendingLoss = 0.0
    public var pendingSteps = 0

    public struct LogEntry: Sendable, Codable, Equatable {
        public var step: Int
        public var loss: Double
        public var learningRate: Double
    }

    public struct Evaluation: Sendable, Codable, Equatable {
        public var step: Int
        public var metrics: [String: Double]
    }

    public init(seed: UInt64) { random = TrainingRandom(seed: seed &+ 0x5EED) }
}
