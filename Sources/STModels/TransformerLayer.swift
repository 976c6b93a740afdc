import STKernels

/// A post-LayerNorm transformer layer, as BERT, RoBERTa, DistilBERT and MPNet have it: self-attention (Q, K, V fused
/// into one projection) → output projection + residual + LayerNorm → intermediate projection + activation → output
/// projection + residual + LayerNorm. Architectures differ only in the names of these weights (``Names``).
public struct TransformerLayer: Sendable {
    /// Where each part's weights live, relative to the layer's prefix.
    public struct Names: Sendable {
        public var query, key, value, attentionOutput, attentionLayerNorm, intermediate, output, outputLayerNorm: String

        public static let bert = Names(
            query: "attention.self.query", key: "attention.self.key", value: "attention.self.value",
            attentionOutput: "attention.output.dense", attentionLayerNorm: "attention.output.LayerNorm",
            intermediate: "intermediate.dense", output: "output.dense", outputLayerNorm: "output.LayerNorm")
        public static let distilBert = Names(
            query: "attention.q_lin", key: "attention.k_lin", value: "attention.v_lin",
            attentionOutput: "attention.out_lin", attentionLayerNorm: "sa_layer_norm",
            intermediate: "ffn.lin1", output: "ffn.lin2", outputLayerNorm: "output_layer_norm")
        public static let mpnet = Names(
            query: "attention.attn.q", key: "attention.attn.k", value: "attention.attn.v",
            attentionOutput: "attention.attn.o", attentionLayerNorm: "attention.LayerNorm",
            intermediate: "intermediate.dense", output: "output.dense", outputLayerNorm: "output.LayerNorm")
    }

    let queryKeyValue: Projection    // [3·hidden, hidden]
    let attentionOutput: Projection  // [hidden, hidden]
    let attentionLayerNorm: LayerNormParameters
    let intermediate: Projection     // [intermediate, hidden]
    let output: Projection           // [hidden, intermediate]
    let outputLayerNorm: LayerNormParameters
    let heads: Int
    let activation: Activation

    init(_ weights: WeightLoader, names: Names, hidden: Int, intermediateSize: Int, heads: Int, layerNormEps: Double,
         activation: Activation) throws {
        let epsilon = Float(layerNormEps)
        let precision = weights.precision
        queryKeyValue = Projection(fusing: try [names.query, names.key, names.value].map {
            try Linear(weights, $0, inFeatures: hidden, outFeatures: hidden)
        }, precision: precision)
        attentionOutput = Projection(fusing: [try Linear(weights, names.attentionOutput, inFeatures: hidden, outFeatures: hidden)],
                                     precision: precision)
        attentionLayerNorm = try LayerNormParameters(weights, names.attentionLayerNorm, channels: hidden, epsilon: epsilon)
        intermediate = Projection(fusing: [try Linear(weights, names.intermediate, inFeatures: hidden, outFeatures: intermediateSize)],
                                  precision: precision)
        output = Projection(fusing: [try Linear(weights, names.output, inFeatures: intermediateSize, outFeatures: hidden)],
                            precision: precision)
        outputLayerNorm = try LayerNormParameters(weights, names.outputLayerNorm, channels: hidden, epsilon: epsilon)
        self.heads = heads
        self.activation = activation
    }

    /// Transforms `hiddenStates` `[tokens, hidden]` in place; `scoreBias` is added to the attention scores (MPNet).
    func forward(_ hiddenStates: UnsafeMutablePointer<Float>, sequences: [Range<Int>], tokens: Int,
                 scoreBias: Attention.ScoreBias?, scratch: EncoderScratch) {
        let hidden = attentionOutput.outFeatures
        queryKeyValue.forward(hiddenStates, rows: tokens, into: scratch.queryKeyValue)
        Attention.forward(output: scratch.context, qkv: scratch.queryKeyValue, sequences: sequences, heads: heads,
                          headDim: hidden / heads, scoreBias: scoreBias)
        // Residual: the projection accumulates onto a copy of the layer input.
        scratch.attention.update(from: hiddenStates, count: tokens * hidden)
        attentionOutput.forward(scratch.context, rows: tokens, into: scratch.attention, accumulate: true)
        attentionLayerNorm.forward(scratch.attention, rows: tokens, into: scratch.attention)
        intermediate.forward(scratch.attention, rows: tokens, into: scratch.intermediate)
        activation.apply(scratch.intermediate, count: tokens * intermediate.outFeatures)
        hiddenStates.update(from: scratch.attention, count: tokens * hidden)
        output.forward(scratch.intermediate, rows: tokens, into: hiddenStates, accumulate: true)
        outputLayerNorm.forward(hiddenStates, rows: tokens, into: hiddenStates)
    }

    var parameterCount: Int {
        queryKeyValue.parameterCount + attentionOutput.parameterCount + attentionLayerNorm.parameterCount
            + intermediate.parameterCount + output.parameterCount + outputLayerNorm.parameterCount
    }
}

/// Per-call buffers of an encoder forward pass, sized for one batch.
final class EncoderScratch {
    let queryKeyValue: UnsafeMutablePointer<Float>  // [tokens, 3·hidden]
    let context: UnsafeMutablePointer<Float>        // [tokens, hidden]
    let attention: UnsafeMutablePointer<Float>      // [tokens, hidden]
    let intermediate: UnsafeMutablePointer<Float>   // [tokens, intermediate]

    init(tokens: Int, hidden: Int, intermediate: Int) {
        let rows = max(1, tokens)
        queryKeyValue = .allocate(capacity: rows * 3 * hidden)
        context = .allocate(capacity: rows * hidden)
        attention = .allocate(capacity: rows * hidden)
        self.intermediate = .allocate(capacity: rows * intermediate)
    }

    deinit {
        queryKeyValue.deallocate()
        context.deallocate()
        attention.deallocate()
        intermediate.deallocate()
    }
}
