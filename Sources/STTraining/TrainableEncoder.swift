import Foundation
import STKernels
import STModels
import STTensor

/// A post-LayerNorm transformer encoder as a trainable model — BERT, the RoBERTa family (RoBERTa, XLM-R, CamemBERT:
/// positions after the padding index) and MPNet (no token types, a relative position bias shared by all layers) —
/// with a forward pass that keeps the activations its backward pass reads, and a backward pass that calls the layer
/// backwards in exactly the reverse order of the forward (llm.c style, no autograd tape). Sequences are packed without
/// padding, as in inference. The pooler of a checkpoint is kept untrained and saved back unchanged.
///
/// Shape letters: T = tokens in the batch (all sequences packed), C = hidden size, I = intermediate size,
/// H = attention heads.
final class TrainableEncoder: @unchecked Sendable {
    /// Offsets of one layer's parameters in the ``ParameterSet``. Query, key and value weights are adjacent (one
    /// `[3C, C]` matrix), and so are their biases (`[3C]`).
    struct LayerOffsets {
        var qkvWeight = 0, qkvBias = 0, attentionOutputWeight = 0, attentionOutputBias = 0
        var attentionNormWeight = 0, attentionNormBias = 0, intermediateWeight = 0, intermediateBias = 0
        var outputWeight = 0, outputBias = 0, outputNormWeight = 0, outputNormBias = 0
    }

    let config: BertConfig
    let parameters: ParameterSet
    let hidden: Int, intermediate: Int, heads: Int
    let epsilon: Float
    let activation: Activation
    let architecture: Architecture
    let wordOffset: Int, positionOffset: Int, typeOffset: Int?, embeddingNormWeight: Int, embeddingNormBias: Int
    let layers: [LayerOffsets]
    /// MPNet's `[buckets, H]` relative position table, and its bucket function.
    let relativeOffset: Int?
    let relativeBias: RelativePositionBias?
    /// Tensors of the checkpoint that are not trained (BERT's pooler) and are saved back unchanged.
    let frozen: [String: Tensor]

    static let file = "model.safetensors"

    init(config: BertConfig, weights: LoadedWeights, parameters: ParameterSet) throws {
        self.config = config
        self.parameters = parameters
        hidden = config.hiddenSize
        intermediate = config.intermediateSize
        heads = config.numAttentionHeads
        epsilon = Float(config.layerNormEps)
        activation = try config.activation(configPath: "config.json")
        architecture = weights.architecture
        relativeOffset = weights.relative
        relativeBias = weights.relativeBias
        wordOffset = weights.word
        positionOffset = weights.position
        typeOffset = weights.type
        embeddingNormWeight = weights.normWeight
        embeddingNormBias = weights.normBias
        layers = weights.layers
        frozen = weights.frozen
    }

    var maxSequenceLength: Int { config.maxPositionEmbeddings - (architecture.paddingIndex.map { $0 + 1 } ?? 0) }

    // MARK: Forward

    /// Runs the encoder; with a `random` generator, dropout is applied with the config's probabilities.
    func forward(_ batch: TokenBatch, random: inout TrainingRandom?) throws -> Activations {
        try validate(batch)
        let t = batch.tokenCount, c = hidden
        let hiddenDropout = random == nil ? 0 : Float(config.hiddenDropoutProb)
        let probabilityDropout = random == nil ? 0 : Float(config.attentionProbsDropoutProb)
        let cache = Activations(batch: batch, hidden: c, dropout: hiddenDropout > 0, paddingIndex: architecture.paddingIndex)
        let w = parameters.values
        for row in 0..<t {
            let y = cache.embeddingSum.pointer + row * c
            let word = w + wordOffset + Int(batch.inputIDs[row]) * c
            let position = w + positionOffset + cache.positions[row] * c
            if let typeOffset {
                let type = w + typeOffset + Int(batch.tokenTypeIDs[row]) * c
                for k in 0..<c { y[k] = word[k] + type[k] + position[k] }
            } else {
                for k in 0..<c { y[k] = word[k] + position[k] }
            }
        }
        LayerNorm.forwardTraining(output: cache.embeddingNormed.pointer, mean: cache.embeddingMean.pointer,
                                  reciprocalStd: cache.embeddingRstd.pointer, input: cache.embeddingSum.pointer,
                                  weight: w + embeddingNormWeight, bias: w + embeddingNormBias,
                                  rows: t, channels: c, epsilon: epsilon)
        let first = FloatBuffer(t * c)
        first.pointer.update(from: cache.embeddingNormed.pointer, count: t * c)
        if let mask = cache.embeddingDropout {
            random?.fillDropoutMask(mask.pointer, count: t * c, probability: hiddenDropout)
            for k in 0..<(t * c) { first.pointer[k] *= mask.pointer[k] }
        }
        cache.hiddenStates.append(first)
        let probabilityCount = Attention.probabilityLayout(sequences: batch.sequences, heads: heads).total
        cache.biasTable = relativeBiasTable(longest: batch.sequences.map(\.count).max() ?? 0)
        for offsets in layers {
            let input = cache.hiddenStates[cache.hiddenStates.count - 1].pointer
            let a = LayerActivations(tokens: t, hidden: c, intermediate: intermediate, probabilityCount: probabilityCount,
                                     dropout: hiddenDropout > 0, attentionDropout: probabilityDropout > 0)
            let output = FloatBuffer(t * c)
            layerForward(offsets, input: input, output: output.pointer, a, batch: batch, biasTable: cache.biasTable,
                         random: &random, hiddenDropout: hiddenDropout, probabilityDropout: probabilityDropout)
            cache.layers.append(a)
            cache.hiddenStates.append(output)
        }
        return cache
    }

    private func layerForward(_ o: LayerOffsets, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
                              _ a: LayerActivations, batch: TokenBatch, biasTable: (values: [Float], stride: Int)?,
                              random: inout TrainingRandom?,
                              hiddenDropout: Float, probabilityDropout: Float) {
        let t = batch.tokenCount, c = hidden, i = intermediate
        let w = parameters.values
        LinearMap.forward(output: a.qkv.pointer, input: input, weight: w + o.qkvWeight, bias: w + o.qkvBias,
                          rows: t, inFeatures: c, outFeatures: 3 * c)
        if let mask = a.attentionMask {
            random?.fillDropoutMask(mask.pointer, count: mask.count, probability: probabilityDropout)
        }
        func attend(_ scoreBias: Attention.ScoreBias?) {
            Attention.forwardTraining(output: a.context.pointer, probabilities: a.probabilities.pointer,
                                      dropoutMask: a.attentionMask.map { UnsafePointer($0.pointer) }, qkv: a.qkv.pointer,
                                      sequences: batch.sequences, heads: heads, headDim: c / heads, scoreBias: scoreBias)
        }
        if let biasTable {
            biasTable.values.withUnsafeBufferPointer { values in
                attend(values.baseAddress.map { Attention.ScoreBias(values: $0, stride: biasTable.stride) })
            }
        } else {
            attend(nil)
        }
        // attentionSum = dropout(context·Woᵀ + bo) + input
        LinearMap.forward(output: a.attentionSum.pointer, input: a.context.pointer, weight: w + o.attentionOutputWeight,
                          bias: w + o.attentionOutputBias, rows: t, inFeatures: c, outFeatures: c)
        if let mask = a.attentionDropout {
            random?.fillDropoutMask(mask.pointer, count: t * c, probability: hiddenDropout)
            for k in 0..<(t * c) { a.attentionSum.pointer[k] *= mask.pointer[k] }
        }
        VectorMath.add(input, into: a.attentionSum.pointer, count: t * c)
        LayerNorm.forwardTraining(output: a.attentionNormed.pointer, mean: a.attentionMean.pointer,
                                  reciprocalStd: a.attentionRstd.pointer, input: a.attentionSum.pointer,
                                  weight: w + o.attentionNormWeight, bias: w + o.attentionNormBias,
                                  rows: t, channels: c, epsilon: epsilon)
        LinearMap.forward(output: a.preActivation.pointer, input: a.attentionNormed.pointer, weight: w + o.intermediateWeight,
                          bias: w + o.intermediateBias, rows: t, inFeatures: c, outFeatures: i)
        a.activated.pointer.update(from: a.preActivation.pointer, count: t * i)
        activation.apply(a.activated.pointer, count: t * i)
        // outputSum = dropout(activated·Woutᵀ + bout) + attentionNormed
        LinearMap.forward(output: a.outputSum.pointer, input: a.activated.pointer, weight: w + o.outputWeight,
                          bias: w + o.outputBias, rows: t, inFeatures: i, outFeatures: c)
        if let mask = a.outputDropout {
            random?.fillDropoutMask(mask.pointer, count: t * c, probability: hiddenDropout)
            for k in 0..<(t * c) { a.outputSum.pointer[k] *= mask.pointer[k] }
        }
        VectorMath.add(a.attentionNormed.pointer, into: a.outputSum.pointer, count: t * c)
        LayerNorm.forwardTraining(output: output, mean: a.outputMean.pointer, reciprocalStd: a.outputRstd.pointer,
                                  input: a.outputSum.pointer, weight: w + o.outputNormWeight, bias: w + o.outputNormBias,
                                  rows: t, channels: c, epsilon: epsilon)
    }

    // MARK: Backward

    /// Accumulates every parameter's gradient from `dOutput` `[T, C]`, the gradient of the last hidden state.
    func backward(_ cache: Activations, dOutput: UnsafePointer<Float>) {
        let t = cache.batch.tokenCount, c = hidden
        let g = parameters.gradients
        let w = parameters.values
        let dHidden = FloatBuffer(t * c)
        dHidden.pointer.update(from: dOutput, count: t * c)
        let dInput = FloatBuffer(t * c)
        for index in stride(from: layers.count - 1, through: 0, by: -1) {
            dInput.zero()
            layerBackward(layers[index], cache.layers[index], input: cache.hiddenStates[index].pointer,
                          dOutput: dHidden.pointer, dInput: dInput.pointer, batch: cache.batch)
            if relativeOffset != nil { accumulateRelativeBiasGradient(cache.layers[index], batch: cache.batch) }
            dHidden.pointer.update(from: dInput.pointer, count: t * c)
        }
        // Embeddings: dropout, LayerNorm, then the three table lookups.
        if let mask = cache.embeddingDropout {
            for k in 0..<(t * c) { dHidden.pointer[k] *= mask.pointer[k] }
        }
        let dSum = FloatBuffer(t * c)
        LayerNorm.backward(dInput: dSum.pointer, dWeight: g + embeddingNormWeight, dBias: g + embeddingNormBias,
                           dOutput: dHidden.pointer, input: cache.embeddingSum.pointer, weight: w + embeddingNormWeight,
                           mean: cache.embeddingMean.pointer, reciprocalStd: cache.embeddingRstd.pointer, rows: t, channels: c)
        for row in 0..<t {
            let d = UnsafePointer(dSum.pointer + row * c)
            VectorMath.add(d, into: g + wordOffset + Int(cache.batch.inputIDs[row]) * c, count: c)
            VectorMath.add(d, into: g + positionOffset + cache.positions[row] * c, count: c)
            if let typeOffset { VectorMath.add(d, into: g + typeOffset + Int(cache.batch.tokenTypeIDs[row]) * c, count: c) }
        }
    }

    private func layerBackward(_ o: LayerOffsets, _ a: LayerActivations, input: UnsafePointer<Float>,
                               dOutput: UnsafeMutablePointer<Float>, dInput: UnsafeMutablePointer<Float>, batch: TokenBatch) {
        let t = batch.tokenCount, c = hidden, i = intermediate
        let g = parameters.gradients
        let w = parameters.values
        // Output LayerNorm.
        let dOutputSum = FloatBuffer(t * c)
        LayerNorm.backward(dInput: dOutputSum.pointer, dWeight: g + o.outputNormWeight, dBias: g + o.outputNormBias,
                           dOutput: dOutput, input: a.outputSum.pointer, weight: w + o.outputNormWeight,
                           mean: a.outputMean.pointer, reciprocalStd: a.outputRstd.pointer, rows: t, channels: c)
        // Residual into the attention block's output; the projection branch through dropout.
        let dNormed = FloatBuffer(t * c)
        dNormed.pointer.update(from: dOutputSum.pointer, count: t * c)
        if let mask = a.outputDropout {
            for k in 0..<(t * c) { dOutputSum.pointer[k] *= mask.pointer[k] }
        }
        let dActivated = FloatBuffer(t * i)
        LinearMap.backward(dInput: dActivated.pointer, dWeight: g + o.outputWeight, dBias: g + o.outputBias,
                           dOutput: dOutputSum.pointer, input: a.activated.pointer, weight: w + o.outputWeight,
                           rows: t, inFeatures: i, outFeatures: c)
        let dPreActivation = FloatBuffer(t * i)
        activation.backward(dInput: dPreActivation.pointer, dOutput: dActivated.pointer, input: a.preActivation.pointer,
                            count: t * i)
        LinearMap.backward(dInput: dNormed.pointer, dWeight: g + o.intermediateWeight, dBias: g + o.intermediateBias,
                           dOutput: dPreActivation.pointer, input: a.attentionNormed.pointer, weight: w + o.intermediateWeight,
                           rows: t, inFeatures: c, outFeatures: i)
        // Attention LayerNorm.
        let dAttentionSum = FloatBuffer(t * c)
        LayerNorm.backward(dInput: dAttentionSum.pointer, dWeight: g + o.attentionNormWeight, dBias: g + o.attentionNormBias,
                           dOutput: dNormed.pointer, input: a.attentionSum.pointer, weight: w + o.attentionNormWeight,
                           mean: a.attentionMean.pointer, reciprocalStd: a.attentionRstd.pointer, rows: t, channels: c)
        VectorMath.add(dAttentionSum.pointer, into: dInput, count: t * c)
        if let mask = a.attentionDropout {
            for k in 0..<(t * c) { dAttentionSum.pointer[k] *= mask.pointer[k] }
        }
        let dContext = FloatBuffer(t * c)
        LinearMap.backward(dInput: dContext.pointer, dWeight: g + o.attentionOutputWeight, dBias: g + o.attentionOutputBias,
                           dOutput: dAttentionSum.pointer, input: a.context.pointer, weight: w + o.attentionOutputWeight,
                           rows: t, inFeatures: c, outFeatures: c)
        let dQKV = FloatBuffer(t * 3 * c)
        // MPNet: the score gradients are kept (in the probabilities' buffer, no longer needed after this call).
        let dScores = relativeOffset == nil ? nil : FloatBuffer(a.probabilities.count)
        Attention.backward(dQKV: dQKV.pointer, dOutput: dContext.pointer, qkv: a.qkv.pointer,
                           probabilities: a.probabilities.pointer,
                           dropoutMask: a.attentionMask.map { UnsafePointer($0.pointer) },
                           sequences: batch.sequences, heads: heads, headDim: c / heads, dScores: dScores?.pointer)
        if let dScores { a.probabilities.pointer.update(from: dScores.pointer, count: dScores.count) }
        LinearMap.backward(dInput: dInput, dWeight: g + o.qkvWeight, dBias: g + o.qkvBias, dOutput: dQKV.pointer,
                           input: input, weight: w + o.qkvWeight, rows: t, inFeatures: c, outFeatures: 3 * c)
    }

    // MARK: Relative position bias (MPNet)

    /// `[H, L, L]` biases for sequences up to `longest` tokens, from the current table.
    private func relativeBiasTable(longest: Int) -> (values: [Float], stride: Int)? {
        guard let relativeOffset, let relativeBias, longest > 0 else { return nil }
        let table = parameters.values + relativeOffset
        let bucketOf = bucketsByOffset(relativeBias, longest: longest)
        var values = [Float](repeating: 0, count: heads * longest * longest)
        for i in 0..<longest {
            for j in 0..<longest {
                let bucket = bucketOf[j - i + longest - 1]
                for head in 0..<heads { values[(head * longest + i) * longest + j] = table[bucket * heads + head] }
            }
        }
        return (values, longest)
    }

    /// The bucket of every offset `j − i` in `−(longest − 1)...(longest − 1)`, at index `j − i + longest − 1`.
    private func bucketsByOffset(_ bias: RelativePositionBias, longest: Int) -> [Int] {
        (-(longest - 1)...(longest - 1)).map { bias.bucket($0) }
    }

    /// Sums each layer's score gradients (left in its probabilities' buffer by the backward pass) into the buckets.
    private func accumulateRelativeBiasGradient(_ a: LayerActivations, batch: TokenBatch) {
        guard let relativeOffset, let relativeBias else { return }
        let dTable = parameters.gradients + relativeOffset
        let longest = batch.sequences.map(\.count).max() ?? 0
        guard longest > 0 else { return }
        let bucketOf = bucketsByOffset(relativeBias, longest: longest)
        let offsets = Attention.probabilityLayout(sequences: batch.sequences, heads: heads).offsets
        for (index, sequence) in batch.sequences.enumerated() {
            let length = sequence.count
            for head in 0..<heads {
                let block = a.probabilities.pointer + offsets[index] + head * length * length
                for i in 0..<length {
                    for j in 0..<length { dTable[bucketOf[j - i + longest - 1] * heads + head] += block[i * length + j] }
                }
            }
        }
    }

    private func validate(_ batch: TokenBatch) throws {
        for (index, sequence) in batch.sequences.enumerated() where sequence.count > maxSequenceLength {
            throw TrainingError.invalidInput("sequence \(index) has \(sequence.count) tokens; the model takes at most \(maxSequenceLength)")
        }
        if let id = batch.inputIDs.first(where: { $0 < 0 || Int($0) >= config.vocabSize }) {
            throw TrainingError.invalidInput("token id \(id) is outside the vocabulary (size \(config.vocabSize))")
        }
        if let type = batch.tokenTypeIDs.first(where: { $0 < 0 || Int($0) >= max(1, config.typeVocabSize) }) {
            throw TrainingError.invalidInput("token type id \(type) is outside 0..<\(config.typeVocabSize)")
        }
    }
}
