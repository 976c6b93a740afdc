import STKernels

/// `BertLayer`: self-attention (fused Q/K/V projection) → output dense + residual + LayerNorm → intermediate dense
/// + activation → output dense + residual + LayerNorm.
struct BertLayer: Sendable {
    let queryKeyValue: Linear        // [3·hidden, hidden]: attention.self.{query,key,value}
    let attentionOutput: Linear      // attention.output.dense
    let attentionLayerNorm: LayerNormParameters
    let intermediate: Linear         // intermediate.dense [intermediate, hidden]
    let output: Linear               // output.dense [hidden, intermediate]
    let outputLayerNorm: LayerNormParameters
    let heads: Int
    let activation: Activation

    init(_ weights: WeightLoader, config: BertConfig, activation: Activation) throws {
        let hidden = config.hiddenSize
        let epsilon = Float(config.layerNormEps)
        let attention = weights.scoped("attention")
        queryKeyValue = Linear(concatenating: try ["query", "key", "value"].map {
            try Linear(attention.scoped("self"), $0, inFeatures: hidden, outFeatures: hidden)
        })
        attentionOutput = try Linear(attention.scoped("output"), "dense", inFeatures: hidden, outFeatures: hidden)
        attentionLayerNorm = try LayerNormParameters(attention.scoped("output"), "LayerNorm", channels: hidden, epsilon: epsilon)
        intermediate = try Linear(weights.scoped("intermediate"), "dense", inFeatures: hidden, outFeatures: config.intermediateSize)
        output = try Linear(weights.scoped("output"), "dense", inFeatures: config.intermediateSize, outFeatures: hidden)
        outputLayerNorm = try LayerNormParameters(weights.scoped("output"), "LayerNorm", channels: hidden, epsilon: epsilon)
        heads = config.numAttentionHeads
        self.activation = activation
    }

    /// Transforms `hiddenStates` `[tokens, hidden]` in place; `scratch` holds the intermediate buffers.
    func forward(_ hiddenStates: UnsafeMutablePointer<Float>, sequences: [Range<Int>], tokens: Int, scratch: BertScratch) {
        let hidden = attentionOutput.outFeatures
        queryKeyValue.forward(hiddenStates, rows: tokens, into: scratch.queryKeyValue)
        Attention.forward(output: scratch.context, qkv: scratch.queryKeyValue, sequences: sequences, heads: heads, headDim: hidden / heads)
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

/// Per-call buffers of a BERT forward pass, sized for one batch.
final class BertScratch {
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
