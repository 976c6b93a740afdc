import Foundation
import STKernels
import STTensor

/// The classification head of a `…ForSequenceClassification` checkpoint (a cross-encoder), applied to the first
/// token's hidden state, in the ``Layout`` its architecture uses.
public struct SequenceClassificationHead: Sendable {
    let hiddenLayer: Linear
    let hiddenActivation: Activation
    let classifier: Linear

    /// The number of logits.
    public var numLabels: Int { classifier.outFeatures }

    /// Where a `…ForSequenceClassification` checkpoint keeps its head, by architecture (``ArchitectureDefinition``).
    public enum Layout: Sendable {
        /// `bert.pooler.dense` + tanh, then `classifier`.
        case bertPooler
        /// `pre_classifier` + ReLU, then `classifier`.
        case distilBert
        /// `classifier.dense` + tanh, then `classifier.out_proj` (RoBERTa, XLM-R, MPNet).
        case robertaClassifier
    }

    /// Reads the head that `modelType`'s classification model stores in `weights`.
    public init(modelType: String, weights: SafeTensorsFile, hidden: Int, numLabels: Int) throws {
        let layout = Architectures.all.first { $0.modelTypes.contains(modelType) }?.classificationHead ?? .robertaClassifier
        let root = try WeightLoader(file: weights, probe: "", candidates: [""])
        switch layout {
        case .bertPooler:
            let pooler = try WeightLoader(file: weights, probe: "pooler.dense.weight", candidates: ["bert.", ""])
            hiddenLayer = try Linear(pooler.scoped("pooler"), "dense", inFeatures: hidden, outFeatures: hidden)
            hiddenActivation = .tanh
            classifier = try Linear(root, "classifier", inFeatures: hidden, outFeatures: numLabels)
        case .distilBert:
            hiddenLayer = try Linear(root, "pre_classifier", inFeatures: hidden, outFeatures: hidden)
            hiddenActivation = .relu
            classifier = try Linear(root, "classifier", inFeatures: hidden, outFeatures: numLabels)
        case .robertaClassifier:
            hiddenLayer = try Linear(root.scoped("classifier"), "dense", inFeatures: hidden, outFeatures: hidden)
            hiddenActivation = .tanh
            classifier = try Linear(root.scoped("classifier"), "out_proj", inFeatures: hidden, outFeatures: numLabels)
        }
    }

    /// Logits `[sequences.count, numLabels]` from the first token of each sequence in `hiddenStates`.
    public func forward(_ output: EncoderOutput, sequences: [Range<Int>]) -> [Float] {
        let hidden = output.hiddenSize
        var firstTokens = [Float](repeating: 0, count: sequences.count * hidden)
        for (index, sequence) in sequences.enumerated() where !sequence.isEmpty {
            firstTokens.replaceSubrange((index * hidden)..<((index + 1) * hidden),
                                        with: output.lastHiddenState[(sequence.lowerBound * hidden)..<((sequence.lowerBound + 1) * hidden)])
        }
        var pooled = [Float](repeating: 0, count: sequences.count * hidden)
        var logits = [Float](repeating: 0, count: sequences.count * numLabels)
        firstTokens.withUnsafeBufferPointer { x in
            pooled.withUnsafeMutableBufferPointer { p in
                logits.withUnsafeMutableBufferPointer { y in
                    guard let x = x.baseAddress, let p = p.baseAddress, let y = y.baseAddress else { return }
                    hiddenLayer.forward(x, rows: sequences.count, into: p)
                    hiddenActivation.apply(p, count: sequences.count * hidden)
                    classifier.forward(p, rows: sequences.count, into: y)
                }
            }
        }
        return logits
    }

    public var parameterCount: Int { hiddenLayer.parameterCount + classifier.parameterCount }
}
