import Foundation
import STKernels
import STModels
import STTensor

/// The Transformer module of a model being trained: the same ``TransformerModel`` inference runs (built by the same
/// architecture definition, ``Architectures``), with its parameters copied into the model's ``ParameterSet`` so that
/// the forward pass keeps its activations and the backward pass accumulates every gradient (llm.c style, no autograd
/// tape). Tensors of the checkpoint that are not part of the encoder (BERT's pooler) are kept untrained and saved
/// back unchanged.
final class TrainableEncoder: @unchecked Sendable {
    let model: TransformerModel
    let parameters: ParameterSet
    /// Tensors of the checkpoint that are not trained (BERT's pooler) and are saved back unchanged.
    let frozen: [String: Tensor]

    static let file = "model.safetensors"

    typealias Activations = TransformerModel.TrainingPass

    /// The encoder layers and the checkpoint's untrained tensors, before the parameter set exists.
    struct Loaded {
        let model: TransformerModel
        let frozen: [String: Tensor]
    }

    /// Builds the encoder of `directory`, adding its parameters to `builder` (which may already hold other modules'
    /// parameters; the encoder's follow them).
    /// - Throws: ``TrainingError/unsupported(_:)`` for an architecture without training, ``ModelError`` for a bad checkpoint.
    static func load(directory: URL, builder: inout ParameterSet.Builder) throws -> Loaded {
        let collector = ParameterCollector(builder: builder)
        var root: WeightLoader?
        let model = try Architectures.build(directory: directory) { loader in
            root = loader
            return TrainingWeights(loader: loader, collector: collector)
        }
        builder = collector.builder
        var frozen: [String: Tensor] = [:]
        // The checkpoint the encoder was read from, not a second opening of the files.
        if let root {
            for name in root.checkpoint.tensorNames where name.hasPrefix("\(root.prefix)pooler.") {
                frozen[name] = try root.checkpoint.tensor(named: name)
            }
        }
        return Loaded(model: model, frozen: frozen)
    }

    init(_ loaded: Loaded, parameters: ParameterSet) {
        model = loaded.model
        frozen = loaded.frozen
        self.parameters = parameters
    }

    var hidden: Int { model.hiddenSize }
    var maxSequenceLength: Int { model.maxPositionEmbeddings }
    var bank: ParameterBank { ParameterBank(values: parameters.values, gradients: parameters.gradients) }

    /// Runs the encoder; with a `random` generator, dropout is applied at the architecture's rates.
    func forward(_ batch: TokenBatch, random: inout TrainingRandom?) throws -> Activations {
        do {
            guard let generator = random else { return try model.forwardTraining(batch, bank: bank, dropout: nil) }
            let source = RandomDropoutSource(generator)
            defer { random = source.random }
            return try model.forwardTraining(batch, bank: bank, dropout: Dropout(rates: model.dropoutRates, source: source))
        } catch let error as ModelError {
            if case .invalidInput(let message) = error { throw TrainingError.invalidInput(message) }
            throw error
        }
    }

    /// Accumulates every parameter's gradient from `dOutput` `[T, C]`, the gradient of the last hidden state.
    func backward(_ cache: Activations, dOutput: UnsafePointer<Float>) {
        model.backward(cache, dOutput: dOutput, bank: bank)
    }
}

/// The training generator as the layers' dropout source.
private final class RandomDropoutSource: DropoutSource {
    var random: TrainingRandom

    init(_ random: TrainingRandom) { self.random = random }

    func fillDropoutMask(_ mask: UnsafeMutablePointer<Float>, count: Int, probability: Float) {
        random.fillDropoutMask(mask, count: count, probability: probability)
    }
}

/// Collects the parameters an architecture asks for while it is built.
private final class ParameterCollector {
    var builder: ParameterSet.Builder

    init(builder: ParameterSet.Builder) { self.builder = builder }
}

/// The training ``WeightSource``: every tensor is copied into the parameter set under its verbatim key, and layers
/// get its offset. Fused projections (`[Q; K; V]`, `[gate; up]`) are laid out weight after weight, then bias after
/// bias, so each fused weight and bias is one contiguous block.
private struct TrainingWeights: WeightSource {
    let loader: WeightLoader
    let collector: ParameterCollector

    func scoped(_ component: String) -> TrainingWeights { TrainingWeights(loader: loader.scoped(component), collector: collector) }

    private func add(_ name: String, shape: [Int]) throws -> Int {
        collector.builder.add(file: TrainableEncoder.file, key: "\(loader.prefix)\(name)", tensor: try loader.tensor(name, shape: shape))
    }

    func parameter(_ name: String, shape: [Int]) throws -> Parameter {
        Parameter(.slot(try add(name, shape: shape)), shape: shape)
    }

    func linear(_ names: [String], inFeatures: Int, outFeatures: [Int], bias: Bool) throws -> LinearLayer {
        var weight: Int?
        for (name, out) in zip(names, outFeatures) {
            let offset = try add("\(name).weight", shape: [out, inFeatures])
            if weight == nil { weight = offset }
        }
        var biasOffset: Int?
        if bias {
            for (name, out) in zip(names, outFeatures) {
                let offset = try add("\(name).bias", shape: [out])
                if biasOffset == nil { biasOffset = offset }
            }
        }
        return LinearLayer(trainableWeight: weight ?? 0, bias: biasOffset, inFeatures: inFeatures, outFeatures: outFeatures.reduce(0, +))
    }
}
