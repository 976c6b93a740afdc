import Foundation
import SentenceTransformers
import STTensor

/// What a ``Trainer`` optimizes: a model with its loss. A bi-encoder with a ``SentenceLoss`` and a cross-encoder
/// with a ``CrossEncoderLoss`` are the two; the trainer's loop, optimizer, schedule and checkpoints are the same.
protocol TrainingObjective: AnyObject {
    /// Every trained parameter set: the model's, then the loss's own (SoftmaxLoss's classifier).
    var parameterSets: [ParameterSet] { get }
    var lossName: String { get }
    var lossParameters: [String: String] { get }
    var baseModelName: String { get }
    var maxSeqLength: Int { get }
    /// The Python class the model loads as (`"SentenceTransformer"`, `"CrossEncoder"`), for the model card.
    var modelClass: String { get }
    /// Forward, loss and backward of one batch, gradients scaled by `scale`; returns the scaled loss.
    func accumulateGradients(_ examples: [TrainingExample], scale: Double, random: inout TrainingRandom?) throws -> Double
    /// Writes the model in the format Python loads (``ModelSaver``).
    func save(to directory: URL, card: String, merge: Bool) throws
    /// Replaces the model's parameter values by those of the model saved in `directory`.
    func loadParameters(from directory: URL) throws
    /// Whether the run evaluates (the objective's evaluator takes its kind of model).
    var hasEvaluator: Bool { get }
    /// Checks that the evaluator can score this model, before any training.
    func validateEvaluator() throws
    /// Runs the evaluator on the model saved in `directory`: its metrics and the key of its primary one.
    func evaluate(savedAt directory: URL) throws -> (metrics: [String: Double], primary: String)
}

extension TrainingObjective {
    /// Copies the values of `saved` (a reload of a checkpoint) into the model's parameters.
    func copyValues(from saved: ParameterSet, into parameters: ParameterSet, path: URL) throws {
        guard saved.count == parameters.count else {
            throw TrainingError.invalidCheckpoint(path: path.path, reason: "its model has a different number of parameters")
        }
        parameters.values.update(from: saved.values, count: parameters.count)
    }
}

/// The columns of a batch, each one text per example.
func textColumns(_ examples: [TrainingExample]) throws -> [[String]] {
    let count = examples.first?.texts.count ?? 0
    guard examples.allSatisfy({ $0.texts.count == count }) else {
        throw TrainingError.invalidInput("every example of a batch must have the same number of texts")
    }
    return (0..<count).map { c in examples.map { $0.texts[c] } }
}

/// A bi-encoder and a ``SentenceLoss`` over its sentence embeddings (with GradCache for cached losses).
final class SentenceObjective: TrainingObjective {
    let model: TrainableSentenceTransformer
    let loss: any SentenceLoss
    let evaluator: (any SentenceEvaluator)?

    init(model: TrainableSentenceTransformer, loss: any SentenceLoss, evaluator: (any SentenceEvaluator)?) {
        self.model = model
        self.loss = loss
        self.evaluator = evaluator
    }

    var parameterSets: [ParameterSet] { [model.parameters] + (loss.trainableParameters.map { [$0] } ?? []) }
    var lossName: String { loss.name }
    var lossParameters: [String: String] { loss.parameters }
    var baseModelName: String { model.baseModelName }
    var maxSeqLength: Int { model.maxSeqLength }
    var modelClass: String { "SentenceTransformer" }

    func accumulateGradients(_ examples: [TrainingExample], scale: Double, random: inout TrainingRandom?) throws -> Double {
        let columns = try textColumns(examples)
        let labels = examples.compactMap(\.label)
        let labelVectors = examples.compactMap(\.labelVector).flatMap { $0 }
        let d = model.embeddingDimension
        if let chunk = loss.miniBatchSize {
            // GradCache: embed every chunk without keeping activations, then re-run each chunk with the same dropout
            // draws and back-propagate its slice of the embeddings' gradients.
            var starts: [[TrainingRandom?]] = []
            var embeddings: [[Float]] = []
            for column in columns {
                var columnEmbeddings: [Float] = []
                var columnStarts: [TrainingRandom?] = []
                for start in stride(from: 0, to: column.count, by: chunk) {
                    columnStarts.append(random)
                    let pass = try model.forward(Array(column[start..<min(start + chunk, column.count)]), random: &random)
                    columnEmbeddings += pass.embeddings
                }
                starts.append(columnStarts)
                embeddings.append(columnEmbeddings)
            }
            let output = try loss.compute(LossInput(columns: embeddings, dimension: d, labels: labels, labelVectors: labelVectors))
            for (c, column) in columns.enumerated() {
                for (k, start) in stride(from: 0, to: column.count, by: chunk).enumerated() {
                    var replay = starts[c][k]
                    let end = min(start + chunk, column.count)
                    let pass = try model.forward(Array(column[start..<end]), random: &replay)
                    model.backward(pass, dEmbeddings: output.gradients[c][(start * d)..<(end * d)].map { $0 * Float(scale) })
                }
            }
            return output.loss * scale
        }
        var passes: [TrainableSentenceTransformer.Pass] = []
        for column in columns { passes.append(try model.forward(column, random: &random)) }
        let output = try loss.compute(LossInput(columns: passes.map(\.embeddings), dimension: d, labels: labels, labelVectors: labelVectors))
        for (pass, gradient) in zip(passes, output.gradients) {
            model.backward(pass, dEmbeddings: scale == 1 ? gradient : gradient.map { $0 * Float(scale) })
        }
        return output.loss * scale
    }

    func save(to directory: URL, card: String, merge: Bool) throws {
        try ModelSaver.save(source: model.sourceDirectory, parameters: model.parameters, untrained: model.frozen,
                            maxSeqLength: model.maxSeqLength, to: directory, card: card, merge: merge)
    }

    func loadParameters(from directory: URL) throws {
        let saved = try TrainableSentenceTransformer(directory: directory, maxSeqLength: model.maxSeqLength)
        try copyValues(from: saved.parameters, into: model.parameters, path: directory)
    }

    var hasEvaluator: Bool { evaluator != nil }

    func validateEvaluator() throws {}

    func evaluate(savedAt directory: URL) throws -> (metrics: [String: Double], primary: String) {
        guard let evaluator else { return ([:], "") }
        let saved = try SentenceTransformer(directory: directory)
        return (try evaluator.evaluate(saved), evaluator.primaryMetric(for: saved))
    }
}

/// A cross-encoder and a ``CrossEncoderLoss`` over its logits: each of the loss's pair groups is one forward pass.
final class CrossEncoderObjective: TrainingObjective {
    let model: TrainableCrossEncoder
    let loss: any CrossEncoderLoss
    let evaluator: (any CrossEncoderEvaluator)?

    init(model: TrainableCrossEncoder, loss: any CrossEncoderLoss, evaluator: (any CrossEncoderEvaluator)?) {
        self.model = model
        self.loss = loss
        self.evaluator = evaluator
    }

    var parameterSets: [ParameterSet] { [model.parameters] }
    var lossName: String { loss.name }
    var lossParameters: [String: String] { loss.parameters }
    var baseModelName: String { ModelSaver.baseModelName(of: model.sourceDirectory) }
    var maxSeqLength: Int { model.maxSeqLength }
    var modelClass: String { "CrossEncoder" }

    func accumulateGradients(_ examples: [TrainingExample], scale: Double, random: inout TrainingRandom?) throws -> Double {
        let groups = try loss.pairGroups(examples: examples)
        func input(_ logits: [[Float]]) -> LossInput {
            LossInput(columns: logits, dimension: model.numLabels, labels: examples.compactMap(\.label),
                      labelVectors: examples.compactMap(\.labelVector).flatMap { $0 }, listLengths: examples.compactMap(\.candidates?.count))
        }
        func scaled(_ gradient: some Collection<Float>) -> [Float] { scale == 1 ? Array(gradient) : gradient.map { $0 * Float(scale) } }
        if let chunk = loss.cachedMiniBatchSize {
            // GradCache: score every chunk of the flattened pairs without keeping activations, then re-run each chunk
            // with the same dropout draws and back-propagate its slice of the logits' gradients.
            let pairs = groups.flatMap { $0 }
            let width = model.numLabels
            var starts: [TrainingRandom?] = []
            var logits: [Float] = []
            for start in stride(from: 0, to: pairs.count, by: chunk) {
                starts.append(random)
                logits += try model.forward(Array(pairs[start..<min(start + chunk, pairs.count)]), random: &random).logits
            }
            var offset = 0
            let output = try loss.compute(input(groups.map { group in
                defer { offset += group.count * width }
                return Array(logits[offset..<(offset + group.count * width)])
            }))
            let dLogits = output.gradients.flatMap { $0 }
            for (k, start) in stride(from: 0, to: pairs.count, by: chunk).enumerated() {
                var replay = starts[k]
                let end = min(start + chunk, pairs.count)
                let pass = try model.forward(Array(pairs[start..<end]), random: &replay)
                try model.backward(pass, dLogits: scaled(dLogits[(start * width)..<(end * width)]))
            }
            return output.loss * scale
        }
        let passes = try groups.map { try model.forward($0, random: &random) }
        let output = try loss.compute(input(passes.map(\.logits)))
        for (pass, gradient) in zip(passes, output.gradients) { try model.backward(pass, dLogits: scaled(gradient)) }
        return output.loss * scale
    }

    func save(to directory: URL, card: String, merge: Bool) throws {
        try ModelSaver.save(source: model.configDirectory, parameters: model.parameters, untrained: model.frozen,
                            maxSeqLength: model.maxSeqLength, to: directory, card: card, merge: merge)
    }

    func loadParameters(from directory: URL) throws {
        let saved = try TrainableCrossEncoder(directory: directory, maxSeqLength: model.maxSeqLength)
        try copyValues(from: saved.parameters, into: model.parameters, path: directory)
    }

    var hasEvaluator: Bool { evaluator != nil }

    func validateEvaluator() throws { try evaluator?.validate(for: model.model) }

    func evaluate(savedAt directory: URL) throws -> (metrics: [String: Double], primary: String) {
        guard let evaluator else { return ([:], "") }
        let saved = try CrossEncoder(directory: directory, maxSeqLength: model.maxSeqLength)
        return (try evaluator.evaluate(saved), evaluator.primaryMetric(for: saved))
    }
}
