import Foundation
import STKernels
import STTensor

/// The masked-language-model head of a `…ForMaskedLM` checkpoint: hidden states `[rows, hidden]` → vocabulary logits
/// `[rows, vocabularySize]`, as `transform → activation → LayerNorm → decoder` (SPLADE's `fill-mask` transformer).
///
/// The decoder weight is the word-embedding table when the checkpoint ties them (`tie_word_embeddings`, the usual
/// case: the file then has no decoder weight) or the decoder's own weight.
public struct MaskedLanguageModelHead: Sendable {
    let transform: LinearLayer
    let activation: Activation
    let norm: LayerNormParameters
    let decoder: LinearLayer
    public let hiddenSize: Int
    /// The width of the logits: the rows of the decoder weight.
    public let vocabularySize: Int

    /// Where each architecture family keeps its head (Hugging Face's key names, verbatim).
    struct Layout {
        var transform: String
        var norm: String
        var decoderWeight: String
        var decoderBias: [String]
        var tiedEmbedding: [String]
        var activation: Activation?
        var epsilonKey: String

        static func of(modelType: String) -> Layout? {
            switch modelType {
            case "bert":
                return Layout(transform: "cls.predictions.transform.dense", norm: "cls.predictions.transform.LayerNorm",
                              decoderWeight: "cls.predictions.decoder.weight",
                              decoderBias: ["cls.predictions.bias", "cls.predictions.decoder.bias"],
                              tiedEmbedding: ["bert.embeddings.word_embeddings.weight", "embeddings.word_embeddings.weight"],
                              activation: nil, epsilonKey: "layer_norm_eps")
            case "distilbert":
                return Layout(transform: "vocab_transform", norm: "vocab_layer_norm", decoderWeight: "vocab_projector.weight",
                              decoderBias: ["vocab_projector.bias"],
                              tiedEmbedding: ["distilbert.embeddings.word_embeddings.weight", "embeddings.word_embeddings.weight"],
                              activation: nil, epsilonKey: "")
            case "roberta", "xlm-roberta", "camembert":
                return Layout(transform: "lm_head.dense", norm: "lm_head.layer_norm", decoderWeight: "lm_head.decoder.weight",
                              decoderBias: ["lm_head.bias", "lm_head.decoder.bias"],
                              tiedEmbedding: ["roberta.embeddings.word_embeddings.weight", "xlm_roberta.embeddings.word_embeddings.weight",
                                              "camembert.embeddings.word_embeddings.weight", "embeddings.word_embeddings.weight"],
                              activation: .gelu, epsilonKey: "layer_norm_eps")
            default:
                return nil
            }
        }
    }

    /// Reads the head of the `…ForMaskedLM` checkpoint in `directory` (`config.json` + weights).
    /// - Throws: ``ModelError`` when the architecture has no head layout here or a weight is missing or misshapen.
    public init(directory: URL, variant: String? = nil, compute: ComputePrecision = .float32) throws {
        let config = try ModelConfig(contentsOf: directory.appendingPathComponent("config.json"))
        let modelType = Architectures.modelType(of: config)
        guard let layout = Layout.of(modelType: modelType) else {
            throw ModelError.unsupportedArchitecture(modelType: "\(modelType) with a masked-language-model head",
                                                     supported: ["bert", "camembert", "distilbert", "roberta", "xlm-roberta"])
        }
        let checkpoint = try ConfigFile.weights(in: directory, variant: variant)
        let root = try WeightLoader(checkpoint: checkpoint, probe: "", candidates: [""])
        let hidden = try config.int(modelType == "distilbert" ? "dim" : "hidden_size") ?? 0
        guard hidden > 0 else { throw ModelError.unreadableConfig(path: config.path, reason: "hidden size must be positive") }
        let tiedKey = layout.tiedEmbedding.first(where: checkpoint.contains)
        guard let decoderKey = checkpoint.contains(layout.decoderWeight) ? layout.decoderWeight : tiedKey else {
            throw ModelError.missingWeight(key: layout.decoderWeight, file: checkpoint.path, tried: [layout.decoderWeight] + layout.tiedEmbedding)
        }
        let decoderWeight = try checkpoint.tensor(named: decoderKey)
        guard decoderWeight.shape.count == 2, decoderWeight.shape[1] == hidden, decoderWeight.shape[0] > 0 else {
            throw ModelError.wrongShape(key: decoderKey, file: checkpoint.path, expected: [-1, hidden], actual: decoderWeight.shape)
        }
        let vocabulary = decoderWeight.shape[0]
        guard let biasKey = layout.decoderBias.first(where: checkpoint.contains) else {
            throw ModelError.missingWeight(key: layout.decoderBias[0], file: checkpoint.path, tried: layout.decoderBias)
        }
        let decoderBias = try root.tensor(biasKey, shape: [vocabulary])
        let epsilon = layout.epsilonKey.isEmpty ? 1e-12 : Float(try config.double(layout.epsilonKey, default: 1e-12))
        activation = try layout.activation
            ?? config.activation(modelType == "distilbert" ? "activation" : "hidden_act", default: "gelu")
        let transformWeights = root.scoped(layout.transform)
        transform = LinearLayer(fusing: [(try transformWeights.tensor("weight", shape: [hidden, hidden]), try transformWeights.tensor("bias", shape: [hidden]))],
                                inFeatures: hidden)
        norm = try LayerNormParameters(root, layout.norm, channels: hidden, epsilon: epsilon)
        // The decoder is the largest matrix of a SPLADE model (vocabulary × hidden): it takes the model's compute precision.
        decoder = LinearLayer(fusing: [(decoderWeight, decoderBias)], inFeatures: hidden, compute: compute)
        hiddenSize = hidden
        vocabularySize = vocabulary
    }

    /// `logits[rows, vocabularySize]` of `hidden[rows, hiddenSize]`; `scratch` holds `rows · hiddenSize` floats.
    public func forward(_ hidden: UnsafePointer<Float>, rows: Int, scratch: UnsafeMutablePointer<Float>,
                        into logits: UnsafeMutablePointer<Float>) {
        guard rows > 0 else { return }
        transform.forward(hidden, rows: rows, into: scratch)
        activation.apply(scratch, count: rows * hiddenSize)
        norm.forward(scratch, rows: rows, into: scratch)
        decoder.forward(scratch, rows: rows, into: logits)
    }

    public var parameterCount: Int { transform.parameterCount + 2 * hiddenSize + decoder.parameterCount }
}
