import Foundation
import SentenceTransformers
import STKernels
import STTensor
import STModels
import STTokenizers

/// A Sentence Transformer that can be trained: the inference model (its ``ModulePipeline``: a Transformer of any
/// architecture of ``Architectures``, then Pooling, Dense, Normalize, …) loaded once with its weights in one
/// ``ParameterSet``, run by each module's training forward pass (``TrainableModule``), which keeps its activations,
/// and its backward pass from the gradient of the sentence embeddings to every parameter.
///
/// ```swift
/// let model = try TrainableSentenceTransformer(directory: modelURL, maxSeqLength: 128)
/// var random: TrainingRandom? = TrainingRandom(seed: 42)   // nil: no dropout
/// let pass = try model.forward(["A man is eating.", "A man eats."], random: &random)
/// // … a loss turns pass.embeddings into a value and dEmbeddings …
/// model.backward(pass, dEmbeddings: dEmbeddings)          // accumulates into model.parameters.gradients
/// ```
public final class TrainableSentenceTransformer: @unchecked Sendable {
    /// The directory the model was loaded from; saving copies its tokenizer and module configs.
    public let sourceDirectory: URL
    public let parameters: ParameterSet
    /// The longest tokenized text; longer texts are truncated (sentence-transformers' `max_seq_length`).
    public let maxSeqLength: Int
    /// The Transformer module (the pipeline's first) and the modules after it, as inference runs them.
    let transformer: Transformer
    let modules: [any TrainableModule]
    let similarityFunction: SimilarityFunction
    /// The file that holds the Transformer's tensors, relative to the model directory.
    static let transformerFile = "model.safetensors"
    /// Tensors of the Transformer's checkpoint that are not trained (BERT's pooler), saved back unchanged.
    let frozen: [String: Tensor]

    /// Loads a Sentence Transformers directory whose first module is a Transformer of any architecture of
    /// ``Architectures``; `maxSeqLength` overrides the saved `max_seq_length` (as setting `model.max_seq_length`
    /// does in Python).
    /// - Throws: ``TrainingError/unsupported(_:)`` for a model whose modules cannot all be trained (naming the
    ///   first), ``SentenceTransformerError`` or ``ModelError`` for a model that does not load.
    public init(directory: URL, maxSeqLength: Int? = nil) throws {
        let collector = TrainingWeights.ParameterCollector()
        let model = try SentenceTransformer(directory: directory, maxSeqLength: maxSeqLength, weights: TrainingWeights(collector: collector))
        guard let transformer = model.pipeline.modules.first as? Transformer else {
            throw TrainingError.unsupported("training needs a Transformer as the first module (this model starts with \(model.pipeline.modules.first?.summary ?? "nothing"))")
        }
        guard model.pipeline.descriptions.first?.path.isEmpty ?? true else {
            throw TrainingError.unsupported("training expects the Transformer module at the model root (modules.json: \(directory.appendingPathComponent("modules.json").path))")
        }
        do {
            modules = try model.pipeline.trainableModules()
        } catch SentenceTransformerError.invalidArgument(let message) {
            throw TrainingError.unsupported(message)
        }
        sourceDirectory = directory
        parameters = ParameterSet(collector.builder)
        self.transformer = transformer
        self.maxSeqLength = transformer.maxSeqLength
        similarityFunction = model.similarityFunction
        frozen = try collector.untrainedTensors(of: Self.transformerFile, parameters: parameters)
        embeddingDimension = model.embeddingDimension
    }

    /// The dimension of the sentence embeddings.
    public let embeddingDimension: Int

    /// Tokenizes texts into one packed batch, as the Transformer module does for inference.
    /// - Throws: ``ModelError/invalidInput(_:)`` when the tokenizer gives an id outside 32 bits.
    public func tokenize(_ texts: [String]) throws -> TokenBatch {
        var batch = TokenBatch()
        for text in texts {
            let encoding = try transformer.tokenize(text)
            try batch.append(inputIDs: encoding.ids, tokenTypeIDs: encoding.typeIDs)
        }
        return batch
    }

    /// A forward pass over one column of texts: sentence embeddings `[N, D]` and what backward needs.
    public final class Pass: @unchecked Sendable {
        /// Sentence embeddings, row-major `[count, dimension]`.
        public let embeddings: [Float]
        public let count: Int
        public let dimension: Int
        /// The Transformer's tape, then each later module's.
        let tapes: [any ModuleTape]
        /// The number of real tokens the encoder saw.
        public let tokenCount: Int

        init(embeddings: [Float], count: Int, dimension: Int, tapes: [any ModuleTape], tokenCount: Int) {
            self.embeddings = embeddings
            self.count = count
            self.dimension = dimension
            self.tapes = tapes
            self.tokenCount = tokenCount
        }
    }

    var bank: ParameterBank { ParameterBank(values: parameters.values, gradients: parameters.gradients) }

    /// Runs the model on `texts`; a non-nil `random` switches dropout on (train mode).
    public func forward(_ texts: [String], random: inout TrainingRandom?) throws -> Pass {
        try forward(tokenize(texts), random: &random)
    }

    /// Runs the model on an already tokenized batch.
    public func forward(_ batch: TokenBatch, random: inout TrainingRandom?) throws -> Pass {
        let source = random.map(RandomDropoutSource.init)
        defer { if let source { random = source.random } }
        let dropout = source.map { Dropout(rates: (transformer.encoder as? TransformerModel)?.dropoutRates ?? DropoutRates(), source: $0) }
        let context = TrainingContext(bank: bank, dropout: dropout)
        var features = Features(encodings: [])
        do {
            let first = try transformer.forward(batch, into: &features, context: context)
            let tapes = try ModulePipeline.forward(modules, &features, context: context)
            return Pass(embeddings: features.sentenceEmbeddings, count: batch.sequences.count, dimension: embeddingDimension,
                        tapes: [first] + tapes, tokenCount: batch.tokenCount)
        } catch let error as ModelError {
            if case .invalidInput(let message) = error { throw TrainingError.invalidInput(message) }
            throw error
        }
    }

    /// Accumulates every parameter's gradient from `dEmbeddings` `[N, D]`, the gradient of the loss with respect to
    /// ``Pass/embeddings``.
    public func backward(_ pass: Pass, dEmbeddings: [Float]) {
        precondition(dEmbeddings.count == pass.count * pass.dimension, "backward: gradient shape does not match the pass")
        let context = TrainingContext(bank: bank, dropout: nil)
        var gradients = FeatureGradients(sentenceEmbeddings: dEmbeddings)
        do {
            try ModulePipeline.backward(modules, tapes: Array(pass.tapes.dropFirst()), &gradients, context: context)
            try transformer.backward(&gradients, tape: pass.tapes[0], context: context)
        } catch {
            // The pass and the gradient come from this model's forward pass and a loss: a mismatch is a bug here.
            preconditionFailure("backward: \(error)")
        }
    }
}

extension TrainableSentenceTransformer {
    /// The name the model card gives the base model (``ModelSaver/baseModelName(of:)``).
    var baseModelName: String { ModelSaver.baseModelName(of: sourceDirectory) }
}
