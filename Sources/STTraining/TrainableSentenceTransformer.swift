import Foundation
import SentenceTransformers
import STKernels
import STModels
import STTokenizers

/// A Sentence Transformer that can be trained: the Transformer module (any architecture of ``Architectures``), Pooling, optional Dense modules and
/// Normalize, with a forward pass that keeps its activations and a backward pass from the gradient of the sentence
/// embeddings to every parameter.
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
    let encoder: TrainableEncoder
    let tokenizer: Tokenizer
    let doLowerCase: Bool
    let pooling: PoolingLayer
    let denseLayers: [DenseLayer]
    let normalize: Bool
    let manifest: [ModuleDescription]
    let similarityFunction: SimilarityFunction

    /// A Dense module's parameters and settings.
    struct DenseLayer {
        let path: String
        let configuration: Dense.Configuration
        let weightOffset: Int
        let biasOffset: Int?
        let activation: Activation
    }

    /// Loads a Sentence Transformers directory whose Transformer module is any architecture of ``Architectures``; `maxSeqLength` overrides the saved
    /// `max_seq_length` (as setting `model.max_seq_length` does in Python).
    public init(directory: URL, maxSeqLength: Int? = nil) throws {
        let model = try SentenceTransformer(directory: directory)
        guard let transformer = model.transformer, !(model.pipeline.modules.first is Router) else {
            throw TrainingError.unsupported("training needs a Transformer as the first module (this model starts with \(model.inputModule.summary))")
        }
        sourceDirectory = directory
        let manifestURL = directory.appendingPathComponent("modules.json")
        if FileManager.default.fileExists(atPath: manifestURL.path) {
            manifest = try JSONDecoder().decode([ModuleDescription].self, from: Data(contentsOf: manifestURL))
        } else {
            manifest = [ModuleDescription(idx: 0, name: "0", path: "", type: "sentence_transformers.models.Transformer")]
        }
        guard let first = manifest.first, first.path.isEmpty else {
            throw TrainingError.unsupported("training expects the Transformer module at the model root (modules.json: \(manifestURL.path))")
        }
        var builder = ParameterSet.Builder()
        let loaded = try TrainableEncoder.load(directory: directory, builder: &builder)
        var dense: [DenseLayer] = []
        var poolingLayer: PoolingLayer?
        var normalize = false
        for (description, module) in zip(manifest.dropFirst(), model.modules) {
            if let pool = module as? Pooling {
                poolingLayer = PoolingLayer(configuration: pool.configuration)
            } else if let layer = module as? Dense {
                let file = "\(description.path)/model.safetensors"
                let weightOffset = builder.add(file: file, key: "linear.weight", tensor: layer.linear.weight)
                let biasOffset = layer.linear.bias.map { builder.add(file: file, key: "linear.bias", tensor: $0) }
                dense.append(DenseLayer(path: description.path, configuration: layer.configuration, weightOffset: weightOffset,
                                        biasOffset: biasOffset, activation: layer.activation))
            } else if module is Normalize {
                normalize = true
            }
        }
        parameters = ParameterSet(builder)
        encoder = TrainableEncoder(loaded, parameters: parameters)
        pooling = poolingLayer ?? PoolingLayer(configuration: PoolingConfiguration(embeddingDimension: encoder.hidden, poolingModes: [.mean]))
        denseLayers = dense
        self.normalize = normalize
        let length = maxSeqLength ?? model.maxSeqLength
        guard length > 0, length <= encoder.maxSequenceLength else {
            throw TrainingError.invalidArgument("max_seq_length \(length) must be in 1...\(encoder.maxSequenceLength)")
        }
        self.maxSeqLength = length
        var tokenizer = transformer.tokenizer
        if var truncation = tokenizer.truncation {
            truncation.maxLength = length
            tokenizer.truncation = truncation
        }
        self.tokenizer = tokenizer
        doLowerCase = transformer.doLowerCase
        similarityFunction = model.similarityFunction
    }

    /// The dimension of the sentence embeddings.
    public var embeddingDimension: Int {
        denseLayers.last?.configuration.outFeatures ?? encoder.hidden * pooling.configuration.poolingModes.count
    }

    /// Tokenizes texts into one packed batch.
    /// - Throws: ``ModelError/invalidInput(_:)`` when the tokenizer gives an id outside 32 bits.
    public func tokenize(_ texts: [String]) throws -> TokenBatch {
        var batch = TokenBatch()
        for text in texts {
            let encoding = try tokenizer.encode(doLowerCase ? text.lowercased() : text)
            try batch.append(inputIDs: encoding.ids, tokenTypeIDs: encoding.typeIDs)
        }
        return batch
    }

    /// A forward pass over one column of texts: sentence embeddings `[N, D]` and what backward needs.
    public final class Pass: @unchecked Sendable {
        /// Sentence embeddings, row-major `[count, dimension]`.
        public internal(set) var embeddings: [Float] = []
        public let count: Int
        public let dimension: Int
        let encoder: TrainableEncoder.Activations
        var poolingCache = PoolingLayer.Cache()
        /// The inputs of each Dense layer, then the pre-activations, `[N, in]` / `[N, out]`.
        var denseInputs: [[Float]] = []
        var densePreActivations: [[Float]] = []
        /// The embeddings before normalization and their norms.
        var unnormalized: [Float] = []

        init(encoder: TrainableEncoder.Activations, count: Int, dimension: Int) {
            self.encoder = encoder
            self.count = count
            self.dimension = dimension
        }

        /// The number of real tokens the encoder saw.
        public var tokenCount: Int { encoder.batch.tokenCount }
    }

    /// Runs the model on `texts`; a non-nil `random` switches dropout on (train mode).
    public func forward(_ texts: [String], random: inout TrainingRandom?) throws -> Pass {
        try forward(tokenize(texts), random: &random)
    }

    /// Runs the model on an already tokenized batch.
    public func forward(_ batch: TokenBatch, random: inout TrainingRandom?) throws -> Pass {
        let activations = try encoder.forward(batch, random: &random)
        let n = batch.sequences.count
        let c = encoder.hidden
        let pass = Pass(encoder: activations, count: n, dimension: embeddingDimension)
        var current = [Float](repeating: 0, count: n * c * pooling.configuration.poolingModes.count)
        current.withUnsafeMutableBufferPointer { out in
            guard let y = out.baseAddress else { return }
            pass.poolingCache = pooling.forward(tokens: activations.lastHiddenState, sequences: batch.sequences,
                                                dimension: c, into: y)
        }
        let w = parameters.values
        for layer in denseLayers {
            let config = layer.configuration
            var output = [Float](repeating: 0, count: n * config.outFeatures)
            current.withUnsafeBufferPointer { x in
                output.withUnsafeMutableBufferPointer { y in
                    guard let x = x.baseAddress, let y = y.baseAddress else { return }
                    LinearMap.forward(output: y, input: x, weight: w + layer.weightOffset, bias: layer.biasOffset.map { w + $0 },
                                      rows: n, inFeatures: config.inFeatures, outFeatures: config.outFeatures)
                }
            }
            pass.denseInputs.append(current)
            pass.densePreActivations.append(output)
            for i in output.indices { output[i] = layer.activation.value(output[i]) }
            current = output
        }
        if normalize {
            pass.unnormalized = current
            let d = pass.dimension
            for row in 0..<n {
                var squares: Float = 0
                for k in 0..<d { squares += current[row * d + k] * current[row * d + k] }
                let norm = max(squares.squareRoot(), 1e-12)
                for k in 0..<d { current[row * d + k] /= norm }
            }
        }
        pass.embeddings = current
        return pass
    }

    /// Accumulates every parameter's gradient from `dEmbeddings` `[N, D]`, the gradient of the loss with respect to
    /// ``Pass/embeddings``.
    public func backward(_ pass: Pass, dEmbeddings: [Float]) {
        precondition(dEmbeddings.count == pass.count * pass.dimension, "backward: gradient shape does not match the pass")
        let n = pass.count
        var gradient = dEmbeddings
        if normalize {
            // y = x/‖x‖: dx = (dy − y·(y·dy)) / ‖x‖
            let d = pass.dimension
            for row in 0..<n {
                var squares: Float = 0, dot: Float = 0
                for k in 0..<d { squares += pass.unnormalized[row * d + k] * pass.unnormalized[row * d + k] }
                let norm = max(squares.squareRoot(), 1e-12)
                for k in 0..<d { dot += pass.embeddings[row * d + k] * gradient[row * d + k] }
                for k in 0..<d { gradient[row * d + k] = (gradient[row * d + k] - pass.embeddings[row * d + k] * dot) / norm }
            }
        }
        let w = parameters.values, g = parameters.gradients
        for (index, layer) in denseLayers.enumerated().reversed() {
            let config = layer.configuration
            let pre = pass.densePreActivations[index]
            var dPre = [Float](repeating: 0, count: pre.count)
            for i in pre.indices { dPre[i] = gradient[i] * layer.activation.derivative(pre[i]) }
            var dInput = [Float](repeating: 0, count: n * config.inFeatures)
            pass.denseInputs[index].withUnsafeBufferPointer { x in
                dPre.withUnsafeBufferPointer { dy in
                    dInput.withUnsafeMutableBufferPointer { dx in
                        guard let x = x.baseAddress, let dy = dy.baseAddress, let dx = dx.baseAddress else { return }
                        LinearMap.backward(dInput: dx, dWeight: g + layer.weightOffset, dBias: layer.biasOffset.map { g + $0 },
                                           dOutput: dy, input: x, weight: w + layer.weightOffset,
                                           rows: n, inFeatures: config.inFeatures, outFeatures: config.outFeatures)
                    }
                }
            }
            gradient = dInput
        }
        let tokens = pass.encoder.batch.tokenCount
        let dTokens = FloatBuffer(tokens * encoder.hidden)
        gradient.withUnsafeBufferPointer { dPooled in
            guard let dPooled = dPooled.baseAddress else { return }
            pooling.backward(dTokens: dTokens.pointer, dPooled: dPooled, cache: pass.poolingCache,
                             sequences: pass.encoder.batch.sequences, dimension: encoder.hidden)
        }
        encoder.backward(pass.encoder, dOutput: dTokens.pointer)
    }
}

extension TrainableSentenceTransformer {
    /// The name the model card gives the base model: the hub id when the source is a hub cache snapshot, else the
    /// directory name.
    var baseModelName: String {
        let components = sourceDirectory.resolvingSymlinksInPath().pathComponents
        if let index = components.lastIndex(where: { $0.hasPrefix("models--") }) {
            return components[index].dropFirst("models--".count).replacingOccurrences(of: "--", with: "/")
        }
        return sourceDirectory.lastPathComponent
    }
}
