import Foundation
import STModels
import STKernels
import STTensor
import STTokenizers

/// A cross-encoder (reranker): reads a pair of texts together and scores how well they match, as
/// sentence-transformers' `CrossEncoder` does. Loads `…ForSequenceClassification` checkpoints (BERT, RoBERTa,
/// XLM-R, DistilBERT, MPNet heads).
///
/// ```swift
/// let reranker = try CrossEncoder(directory: URL(fileURLWithPath: "cross-encoder-stsb"))
/// let ranking = try reranker.rank(query: "How do you do that?", documents: ["How to do that?", "A cat sleeps."])
/// ```
public final class CrossEncoder: LoadableModel {
    public let directory: URL
    /// Tokenizer (pairs truncated longest-first to the maximum length) and encoder.
    public let transformer: Transformer
    public let head: SequenceClassificationHead
    /// Applied to the logits by ``predict(_:batchSize:activation:applySoftmax:)`` unless another is given.
    public let activation: CrossEncoderActivation
    /// Label names by logit index (`id2label`).
    public let labels: [String]

    struct HeadConfig: Decodable {
        var id2label: [String: String]?
        var numLabels: Int?
        var defaultActivation: String?
        var architectures: [String]?
        enum CodingKeys: String, CodingKey {
            case id2label, numLabels = "num_labels", defaultActivation = "sbert_ce_default_activation_function", architectures
        }
    }

    struct Settings: Decodable {
        var activationFn: String?
        enum CodingKeys: String, CodingKey { case activationFn = "activation_fn" }
    }

    /// The kernels' worker threads for this model's computations (``LoadOptions/threads``); `nil`: the process default.
    public let threads: Int?

    /// Loads the cross-encoder stored in `directory` with `options` (`variant` and `compute` apply to the encoder; the
    /// classification head stays float32). By name, and from async code: ``LoadableModel``.
    /// - Throws: ``SentenceTransformerError`` or ``ModelError`` for a missing, unsupported or inconsistent model.
    public convenience init(directory: URL, options: LoadOptions) throws {
        try options.validate()
        try self.init(parts: Parts(directory: directory, options: options, weights: InferenceWeightProvider()), threads: options.threads)
    }

    /// Loads a cross-encoder by directory path or model id: the shorthand of ``init(_:options:)``.
    public convenience init(_ modelNameOrPath: String, revision: String = "main") throws {
        try self.init(modelNameOrPath, options: LoadOptions(revision: revision))
    }

    /// Loads the cross-encoder stored in `directory`; `maxSeqLength` replaces the configured `max_seq_length` (at
    /// most the model's position embeddings); `weights` is what its weights are built on (inference; a trainer
    /// passes its parameter set's provider).
    /// - Throws: ``SentenceTransformerError`` or ``ModelError`` for a missing, unsupported or inconsistent model.
    public convenience init(directory: URL, maxSeqLength: Int? = nil, weights: any WeightSourceProvider = InferenceWeightProvider()) throws {
        let options = LoadOptions(maxSeqLength: maxSeqLength)
        try options.validate()
        try self.init(parts: Parts(directory: directory, options: options, weights: weights), threads: nil)
    }

    init(parts: Parts, threads: Int?) {
        directory = parts.directory
        transformer = parts.transformer
        head = parts.head
        activation = parts.activation
        labels = parts.labels
        self.threads = threads
    }

    /// What a directory holds, read before the model is made (on whichever thread loads it).
    struct Parts: Sendable {
        let directory: URL
        let transformer: Transformer
        let head: SequenceClassificationHead
        let activation: CrossEncoderActivation
        let labels: [String]

        init(directory: URL, options: LoadOptions, weights: any WeightSourceProvider) throws {
            self.directory = directory
            transformer = try Transformer(directory: directory, variant: options.variant, compute: options.compute,
                                          maxSeqLength: options.maxSeqLength, weights: weights)
            let configURL = directory.appendingPathComponent("config.json")
            let config = try JSONFile.decode(HeadConfig.self, from: configURL)
            if let architectures = config.architectures, !architectures.isEmpty,
               !architectures.contains(where: { $0.hasSuffix("ForSequenceClassification") }) {
                // Python would add a new, randomly initialized head, whose scores mean nothing until trained.
                throw SentenceTransformerError.invalidConfig(path: configURL.path, reason: "a \(architectures.joined(separator: ", ")) checkpoint "
                    + "has no classification head, so it is not a cross-encoder; load a …ForSequenceClassification model, or train one from "
                    + "it (sbert train --cross-encoder, TrainableCrossEncoder: a new head as Python's CrossEncoder creates it)")
            }
            var labels = [String](repeating: "", count: config.id2label?.count ?? config.numLabels ?? 1)
            for (key, name) in config.id2label ?? [:] {
                guard let index = Int(key), labels.indices.contains(index) else {
                    throw SentenceTransformerError.invalidConfig(path: configURL.path, reason: "id2label key '\(key)' is not an index below \(labels.count)")
                }
                labels[index] = name
            }
            self.labels = labels
            head = try SequenceClassificationHead(directory: directory, checkpoint: try ConfigFile.weights(in: directory, variant: options.variant),
                                                  hidden: transformer.encoder.hiddenSize, numLabels: labels.count, provider: weights)
            let settingsURL = directory.appendingPathComponent("config_sentence_transformers.json")
            let name = try JSONFile.decodeIfPresent(Settings.self, from: settingsURL)?.activationFn ?? config.defaultActivation
            if let name {
                guard let parsed = CrossEncoderActivation(className: name) else {
                    throw SentenceTransformerError.invalidConfig(path: settingsURL.path, reason: "unsupported activation_fn '\(name)'")
                }
                activation = parsed
            } else {
                activation = labels.count == 1 ? .sigmoid : .identity
            }
        }
    }

    /// The number of scores per pair.
    public var numLabels: Int { head.numLabels }

    /// Scores of each pair, `[pairs.count, numLabels]`: logits through `activation` (default: the model's), then a
    /// softmax over the labels when `applySoftmax` and there are several.
    public func predict(_ pairs: [(String, String)], batchSize: Int = 32, activation: CrossEncoderActivation? = nil,
                        applySoftmax: Bool = false) throws -> Embeddings {
        guard batchSize > 0 else { throw SentenceTransformerError.invalidArgument("batchSize must be positive, got \(batchSize)") }
        return try predict(encodings: try pairs.map { try tokenize($0.0, $0.1) }, batchSize: batchSize, activation: activation,
                           applySoftmax: applySoftmax)
    }

    /// Scores of inputs tokenized by the caller, `[encodings.count, numLabels]`, as
    /// ``predict(_:batchSize:activation:applySoftmax:)`` computes them: for a single text (sequence classification) or
    /// for a pair truncated another way than the model's tokenizer does.
    /// - Throws: ``SentenceTransformerError/invalidArgument(_:)`` for a batch size below 1, or an encoding whose ids
    ///   do not fit the model.
    public func predict(encodings: [Encoding], batchSize: Int = 32, activation: CrossEncoderActivation? = nil,
                        applySoftmax: Bool = false) throws -> Embeddings {
        guard batchSize > 0 else { throw SentenceTransformerError.invalidArgument("batchSize must be positive, got \(batchSize)") }
        let labelCount = numLabels
        var values = [Float](repeating: 0, count: encodings.count * labelCount)
        for batch in BatchedEncoding.batches(encodings, size: batchSize) {
            // The async API's cancellation point, as in every encoding loop (see ``BatchedEncoding``).
            try WorkerThreads.checkCancellation()
            var tokens = TokenBatch()
            for index in batch { try tokens.append(inputIDs: encodings[index].ids, tokenTypeIDs: encodings[index].typeIDs) }
            let logits = try Parallel.withWorkerCount(threads) {
                head.forward(try transformer.encoder.forward(tokens, outputHiddenStates: false), sequences: tokens.sequences)
            }
            for (position, index) in batch.enumerated() {
                values.replaceSubrange((index * labelCount)..<((index + 1) * labelCount),
                                       with: logits[(position * labelCount)..<((position + 1) * labelCount)])
            }
        }
        let function = activation ?? self.activation
        values = values.map(function.apply)
        if applySoftmax, labelCount > 1 {
            for row in 0..<encodings.count {
                let slice = values[(row * labelCount)..<((row + 1) * labelCount)]
                let maximum = slice.max() ?? 0
                let exps = slice.map { Foundation.exp($0 - maximum) }
                let total = exps.reduce(0, +)
                values.replaceSubrange((row * labelCount)..<((row + 1) * labelCount), with: exps.map { $0 / total })
            }
        }
        return Embeddings(uncheckedValues: values, dimension: labelCount)
    }

    /// The pair as the model reads it: `[CLS] a [SEP] b [SEP]` (or the model's template), truncated longest first.
    /// - Throws: ``TokenizerError`` when the tokenizer cannot process a text.
    public func tokenize(_ a: String, _ b: String) throws -> Encoding {
        try transformer.tokenizer.encode(a, pair: b)
    }

    /// One ranked document.
    public struct Ranked: Sendable, Equatable {
        /// The document's index in the input.
        public var corpusID: Int
        public var score: Float
        /// The document, when asked for.
        public var text: String?
    }

    /// Documents sorted by their score against `query`, best first (ties keep input order), as Python's
    /// `CrossEncoder.rank`. Needs a single-label model.
    public func rank(query: String, documents: [String], topK: Int? = nil, returnDocuments: Bool = false,
                     batchSize: Int = 32) throws -> [Ranked] {
        guard numLabels == 1 else {
            throw SentenceTransformerError.invalidArgument("rank needs a cross-encoder with one label; this one has \(numLabels)")
        }
        if let topK, topK <= 0 { throw SentenceTransformerError.invalidArgument("topK must be positive, got \(topK)") }
        let scores = try predict(documents.map { (query, $0) }, batchSize: batchSize).values
        let order = scores.indices.sorted { scores[$0] > scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }
        return order.prefix(topK ?? order.count).map { Ranked(corpusID: $0, score: scores[$0], text: returnDocuments ? documents[$0] : nil) }
    }
}
