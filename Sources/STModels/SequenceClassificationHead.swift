import Foundation
import STKernels
import STTensor

/// The classification head of a `…ForSequenceClassification` checkpoint (a cross-encoder), applied to the first
/// token's hidden state, in the ``Layout`` its architecture uses: `classifier(dropout(act(dense(dropout?(x)))))`.
///
/// Its two linear maps come from a ``WeightSource`` like the encoder's layers, so the head runs for inference and,
/// on a training parameter set, has a backward pass.
public struct SequenceClassificationHead: Sendable {
    let hiddenLayer: LinearLayer
    let hiddenActivation: Activation
    let classifier: LinearLayer
    let layout: Layout
    /// The dropout probability of the head in training (`classifier_dropout`, else `hidden_dropout_prob`;
    /// DistilBERT's `seq_classif_dropout`).
    public let dropoutProbability: Float

    /// The number of logits.
    public var numLabels: Int { classifier.outFeatures }
    var hidden: Int { hiddenLayer.inFeatures }

    /// Where a `…ForSequenceClassification` checkpoint keeps its head, by architecture (``ArchitectureDefinition``).
    public enum Layout: Sendable {
        /// `bert.pooler.dense` + tanh, dropout, then `classifier`.
        case bertPooler
        /// `pre_classifier` + ReLU, dropout, then `classifier`.
        case distilBert
        /// Dropout, `classifier.dense` + tanh, dropout, then `classifier.out_proj` (RoBERTa, XLM-R, MPNet).
        case robertaClassifier
    }

    /// Reads the head of the classification model in `directory` (its `config.json` and `checkpoint`), its linear
    /// maps built on the source `provider` gives (`file`: where a training parameter set keeps them).
    /// - Throws: ``ModelError`` for a missing or misshapen tensor or an unreadable config.
    public init(directory: URL, checkpoint: Checkpoint, hidden: Int, numLabels: Int,
                provider: any WeightSourceProvider = InferenceWeightProvider(), file: String = "model.safetensors") throws {
        let config = try ModelConfig(contentsOf: directory.appendingPathComponent("config.json"))
        let modelType = Architectures.modelType(of: config)
        layout = Architectures.all.first { $0.modelTypes.contains(modelType) }?.classificationHead ?? .robertaClassifier
        let root = try provider.source(try WeightLoader(checkpoint: checkpoint, probe: "", candidates: [""]), file: file)
        switch layout {
        case .bertPooler:
            let pooler = try provider.source(try WeightLoader(checkpoint: checkpoint, probe: "pooler.dense.weight", candidates: ["bert.", ""]), file: file)
            hiddenLayer = try pooler.scoped("pooler").linear("dense", inFeatures: hidden, outFeatures: hidden, bias: true)
            hiddenActivation = .tanh
            classifier = try root.linear("classifier", inFeatures: hidden, outFeatures: numLabels, bias: true)
        case .distilBert:
            hiddenLayer = try root.linear("pre_classifier", inFeatures: hidden, outFeatures: hidden, bias: true)
            hiddenActivation = .relu
            classifier = try root.linear("classifier", inFeatures: hidden, outFeatures: numLabels, bias: true)
        case .robertaClassifier:
            hiddenLayer = try root.scoped("classifier").linear("dense", inFeatures: hidden, outFeatures: hidden, bias: true)
            hiddenActivation = .tanh
            classifier = try root.scoped("classifier").linear("out_proj", inFeatures: hidden, outFeatures: numLabels, bias: true)
        }
        let probability = layout == .distilBert ? try config.double("seq_classif_dropout", default: 0.2)
            : try config.double("classifier_dropout") ?? config.double("hidden_dropout_prob", default: 0.1)
        guard probability.isFinite, probability >= 0, probability < 1 else {
            throw ModelError.unreadableConfig(path: directory.appendingPathComponent("config.json").path,
                                              reason: "the classifier's dropout probability \(probability) is not in [0, 1)")
        }
        dropoutProbability = Float(probability)
    }

    /// Logits `[sequences.count, numLabels]` from the first token of each sequence in `hiddenStates`.
    public func forward(_ output: EncoderOutput, sequences: [Range<Int>]) -> [Float] {
        forward(tokens: output.lastHiddenState, sequences: sequences, bank: nil, dropout: nil).logits
    }

    /// What the head's backward pass reads.
    public struct Tape: Sendable {
        /// The sequences whose first rows the head read.
        public let sequences: [Range<Int>]
        let firstTokens: [Float]
        /// The input of `hiddenLayer` (first tokens after dropout), its pre-activation, and the classifier's input.
        let hiddenInput: [Float]
        let preActivation: [Float]
        let classifierInput: [Float]
        /// The dropout masks (scale 1/(1−p) or 0) before `hiddenLayer` and before `classifier`; empty without dropout.
        let inputMask: [Float]
        let classifierMask: [Float]
    }

    /// The head on token rows `[tokens, hidden]` (the first row of each sequence read), on the weights of `bank`
    /// when training; `dropout` draws masks at ``dropoutProbability`` (nil: none).
    public func forward(tokens: [Float], sequences: [Range<Int>], bank: ParameterBank?,
                        dropout: (any DropoutSource)?) -> (logits: [Float], tape: Tape) {
        let n = sequences.count, h = hidden
        var firstTokens = [Float](repeating: 0, count: n * h)
        for (index, sequence) in sequences.enumerated() where !sequence.isEmpty {
            for c in 0..<h { firstTokens[index * h + c] = tokens[sequence.lowerBound * h + c] }
        }
        func mask() -> [Float] {
            guard let dropout, dropoutProbability > 0 else { return [] }
            var mask = [Float](repeating: 0, count: n * h)
            mask.withUnsafeMutableBufferPointer { if let base = $0.baseAddress { dropout.fillDropoutMask(base, count: n * h, probability: dropoutProbability) } }
            return mask
        }
        let inputMask = layout == .robertaClassifier ? mask() : []
        let hiddenInput = inputMask.isEmpty ? firstTokens : zip(firstTokens, inputMask).map(*)
        let preActivation = Self.apply(hiddenLayer, to: hiddenInput, rows: n, bank: bank)
        var activated = preActivation
        activated.withUnsafeMutableBufferPointer { if let base = $0.baseAddress { hiddenActivation.apply(base, count: n * h) } }
        let classifierMask = mask()
        let classifierInput = classifierMask.isEmpty ? activated : zip(activated, classifierMask).map(*)
        let logits = Self.apply(classifier, to: classifierInput, rows: n, bank: bank)
        return (logits, Tape(sequences: sequences, firstTokens: firstTokens, hiddenInput: hiddenInput, preActivation: preActivation,
                             classifierInput: classifierInput, inputMask: inputMask, classifierMask: classifierMask))
    }

    /// `layer` on `rows` rows of `input`: `[rows, layer.outFeatures]`.
    static func apply(_ layer: LinearLayer, to input: [Float], rows: Int, bank: ParameterBank?) -> [Float] {
        var output = [Float](repeating: 0, count: rows * layer.outFeatures)
        input.withUnsafeBufferPointer { x in
            output.withUnsafeMutableBufferPointer { y in
                guard let x = x.baseAddress, let y = y.baseAddress else { return }
                layer.forward(x, rows: rows, into: y, bank: bank)
            }
        }
        return output
    }

    /// From `dLogits` `[sequences, numLabels]`: accumulates the head's parameter gradients into `bank` and adds the
    /// gradient of each sequence's first token row to `dTokens` `[tokens, hidden]`.
    public func backward(dLogits: UnsafePointer<Float>, tape: Tape, bank: ParameterBank, dTokens: UnsafeMutablePointer<Float>) {
        let n = tape.sequences.count, h = hidden
        var dClassifierInput = [Float](repeating: 0, count: n * h)
        tape.classifierInput.withUnsafeBufferPointer { x in
            dClassifierInput.withUnsafeMutableBufferPointer { dx in
                guard let x = x.baseAddress, let dx = dx.baseAddress else { return }
                classifier.backward(dInput: dx, dOutput: dLogits, input: x, rows: n, bank: bank)
            }
        }
        var dPre = dClassifierInput
        for i in dPre.indices {
            if !tape.classifierMask.isEmpty { dPre[i] *= tape.classifierMask[i] }
            dPre[i] *= hiddenActivation.derivative(tape.preActivation[i])
        }
        var dInput = [Float](repeating: 0, count: n * h)
        tape.hiddenInput.withUnsafeBufferPointer { x in
            dPre.withUnsafeBufferPointer { dy in
                dInput.withUnsafeMutableBufferPointer { dx in
                    guard let x = x.baseAddress, let dy = dy.baseAddress, let dx = dx.baseAddress else { return }
                    hiddenLayer.backward(dInput: dx, dOutput: dy, input: x, rows: n, bank: bank)
                }
            }
        }
        for (index, sequence) in tape.sequences.enumerated() where !sequence.isEmpty {
            for c in 0..<h {
                let gradient = dInput[index * h + c] * (tape.inputMask.isEmpty ? 1 : tape.inputMask[index * h + c])
                dTokens[sequence.lowerBound * h + c] += gradient
            }
        }
    }

    public var parameterCount: Int { hiddenLayer.parameterCount + classifier.parameterCount }
}
