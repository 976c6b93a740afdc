import Foundation
import SentenceTransformers
import STModels
import STTensor

/// A cross-encoder (reranker) that can be trained: the inference ``CrossEncoder`` (Transformer + classification head)
/// loaded once with its weights in one ``ParameterSet``, its forward pass keeping activations and its backward pass
/// from the gradient of the logits to every parameter.
///
/// ```swift
/// let model = try TrainableCrossEncoder(directory: rerankerURL)
/// var random: TrainingRandom? = nil                        // no dropout
/// let pass = try model.forward([("query", "a relevant text"), ("query", "another text")], random: &random)
/// let output = try CrossEncoderLosses.BinaryCrossEntropyLoss().compute(LossInput(columns: [pass.logits], dimension: 1, labels: [1, 0]))
/// try model.backward(pass, dLogits: output.gradients[0])   // accumulates into model.parameters.gradients
/// ```
public final class TrainableCrossEncoder: Sendable {
    /// The directory the model was loaded from (the base model's name in the model card).
    public let sourceDirectory: URL
    /// Where saving copies the tokenizer and configs from: `sourceDirectory`, or the converted copy of a model that
    /// had no classification head.
    let configDirectory: URL
    public let parameters: ParameterSet
    /// The model as inference runs it, its weights in ``parameters``.
    public let model: CrossEncoder
    /// Tensors of the checkpoint that are not trained, saved back unchanged.
    let frozen: [String: Tensor]
    /// The converted copy, removed with the model.
    private let scratch: URL?

    /// Loads the cross-encoder in `directory`; `maxSeqLength` overrides the tokens a pair is truncated to.
    ///
    /// A model without a classification head (a bi-encoder, or a bare `BertModel`) gets a new one of `numLabels`
    /// logits, as Python's `CrossEncoder(name, num_labels=…)` creates it (``CrossEncoderConversion``; weights drawn
    /// from `seed`). A model with a head keeps it; `numLabels`, when given, must then equal its size.
    /// - Throws: ``SentenceTransformerError`` or ``ModelError`` for a model that does not load;
    ///   ``TrainingError/invalidArgument(_:)`` for a `numLabels` the model's head does not have.
    public init(directory: URL, maxSeqLength: Int? = nil, numLabels: Int? = nil, seed: UInt64 = 42) throws {
        var scratch: URL?
        var loaded = directory
        if try CrossEncoderConversion.lacksHead(directory) {
            let converted = FileManager.default.temporaryDirectory.appendingPathComponent("sbert-cross-encoder-\(UUID().uuidString)")
            try CrossEncoderConversion.convert(directory, to: converted, numLabels: numLabels ?? 1, seed: seed)
            scratch = converted
            loaded = converted
        }
        let collector = TrainingWeights.ParameterCollector()
        do {
            model = try CrossEncoder(directory: loaded, maxSeqLength: maxSeqLength, weights: TrainingWeights(collector: collector))
            if let numLabels, numLabels != model.numLabels {
                throw TrainingError.invalidArgument("\(directory.path) has a classification head of \(model.numLabels) labels, not \(numLabels)")
            }
        } catch {
            if let scratch { try? FileManager.default.removeItem(at: scratch) }
            throw error
        }
        sourceDirectory = directory
        configDirectory = loaded
        self.scratch = scratch
        parameters = ParameterSet(collector.builder)
        frozen = try collector.untrainedTensors(of: TrainableSentenceTransformer.transformerFile, parameters: parameters)
    }

    deinit {
        if let scratch { try? FileManager.default.removeItem(at: scratch) }
    }

    /// The number of logits per pair.
    public var numLabels: Int { model.numLabels }
    /// Pairs are truncated (longest first) to this many tokens.
    public var maxSeqLength: Int { model.transformer.maxSeqLength }

    /// Tokenizes pairs into one packed batch, as ``CrossEncoder/predict(_:batchSize:activation:applySoftmax:)`` does.
    /// - Throws: ``TokenizerError`` or ``ModelError/invalidInput(_:)`` for text the model cannot take.
    public func tokenize(_ pairs: [(String, String)]) throws -> TokenBatch {
        var batch = TokenBatch()
        for (a, b) in pairs {
            let encoding = try model.tokenize(a, b)
            try batch.append(inputIDs: encoding.ids, tokenTypeIDs: encoding.typeIDs)
        }
        return batch
    }

    /// A forward pass over pairs: logits `[count, numLabels]` and what backward needs.
    public struct Pass {
        /// Logits, row-major `[count, numLabels]`.
        public let logits: [Float]
        public let count: Int
        let tape: CrossEncoder.Tape

        init(logits: [Float], count: Int, tape: CrossEncoder.Tape) {
            self.logits = logits
            self.count = count
            self.tape = tape
        }
    }

    var bank: ParameterBank { ParameterBank(values: parameters.values, gradients: parameters.gradients) }

    /// Runs the model on `pairs`; a non-nil `random` switches dropout on (train mode).
    /// - Throws: as ``forward(_:random:)-(TokenBatch,_)``.
    public func forward(_ pairs: [(String, String)], random: inout TrainingRandom?) throws -> Pass {
        try forward(tokenize(pairs), random: &random)
    }

    /// Runs the model on an already tokenized batch.
    /// - Throws: ``TrainingError/invalidInput(_:)`` for ids the model cannot take.
    public func forward(_ batch: TokenBatch, random: inout TrainingRandom?) throws -> Pass {
        let source = random.map(RandomDropoutSource.init)
        defer { if let source { random = source.random } }
        let rates = (model.transformer.encoder as? TransformerModel)?.dropoutRates ?? DropoutRates()
        let context = TrainingContext(bank: bank, dropout: source.map { Dropout(rates: rates, source: $0) })
        do {
            let (logits, tape) = try model.forward(batch, context: context)
            return Pass(logits: logits, count: batch.sequences.count, tape: tape)
        } catch let error as ModelError {
            if case .invalidInput(let message) = error { throw TrainingError.invalidInput(message) }
            throw error
        }
    }

    /// Accumulates every parameter's gradient from `dLogits` `[count, numLabels]`, the gradient of the loss with
    /// respect to ``Pass/logits``.
    /// - Throws: ``TrainingError/invalidInput(_:)`` when `dLogits` does not have the logits' shape.
    public func backward(_ pass: Pass, dLogits: [Float]) throws {
        guard dLogits.count == pass.logits.count else {
            throw TrainingError.invalidInput("backward: \(dLogits.count) logit gradients for \(pass.logits.count) logits")
        }
        try model.backward(dLogits: dLogits, tape: pass.tape, context: TrainingContext(bank: bank, dropout: nil))
    }
}
