import STKernels
import STModels

/// What a forward pass keeps for the backward pass (shape letters as in ``TrainableEncoder``).
extension TrainableEncoder {
    /// What one layer's forward pass keeps for its backward pass.
    final class LayerActivations {
        let qkv: FloatBuffer              // [T, 3C]
        let probabilities: FloatBuffer    // Σ_s H·L_s²
        let attentionMask: FloatBuffer?   // dropout on the probabilities, same layout
        let context: FloatBuffer          // [T, C]
        let attentionDropout: FloatBuffer? // [T, C] on the attention output projection
        let attentionSum: FloatBuffer     // [T, C] projection + residual, the LayerNorm input
        let attentionMean: FloatBuffer, attentionRstd: FloatBuffer // [T]
        let attentionNormed: FloatBuffer  // [T, C]
        let preActivation: FloatBuffer    // [T, I]
        let activated: FloatBuffer        // [T, I]
        let outputDropout: FloatBuffer?   // [T, C]
        let outputSum: FloatBuffer        // [T, C]
        let outputMean: FloatBuffer, outputRstd: FloatBuffer // [T]

        init(tokens t: Int, hidden c: Int, intermediate i: Int, probabilityCount: Int, dropout: Bool, attentionDropout: Bool) {
            qkv = FloatBuffer(t * 3 * c)
            probabilities = FloatBuffer(probabilityCount)
            attentionMask = attentionDropout ? FloatBuffer(probabilityCount) : nil
            context = FloatBuffer(t * c)
            self.attentionDropout = dropout ? FloatBuffer(t * c) : nil
            attentionSum = FloatBuffer(t * c)
            attentionMean = FloatBuffer(t)
            attentionRstd = FloatBuffer(t)
            attentionNormed = FloatBuffer(t * c)
            preActivation = FloatBuffer(t * i)
            activated = FloatBuffer(t * i)
            outputDropout = dropout ? FloatBuffer(t * c) : nil
            outputSum = FloatBuffer(t * c)
            outputMean = FloatBuffer(t)
            outputRstd = FloatBuffer(t)
        }
    }

    /// Everything one forward pass keeps: `hiddenStates[l]` is the input of layer `l`, the last one the output.
    final class Activations {
        let batch: TokenBatch
        let positions: [Int]
        let embeddingSum: FloatBuffer        // [T, C]
        let embeddingMean: FloatBuffer, embeddingRstd: FloatBuffer
        let embeddingNormed: FloatBuffer     // [T, C]
        let embeddingDropout: FloatBuffer?   // [T, C]
        var hiddenStates: [FloatBuffer] = [] // L + 1 × [T, C]
        var biasTable: (values: [Float], stride: Int)? = nil // [H, Lmax, Lmax], MPNet
        var layers: [LayerActivations] = []

        init(batch: TokenBatch, hidden c: Int, dropout: Bool, paddingIndex: Int?) {
            self.batch = batch
            var positions: [Int] = []
            positions.reserveCapacity(batch.tokenCount)
            for sequence in batch.sequences {
                guard let paddingIndex else {
                    positions.append(contentsOf: 0..<sequence.count)
                    continue
                }
                var counted = 0
                for row in sequence {
                    if Int(batch.inputIDs[row]) == paddingIndex {
                        positions.append(paddingIndex)
                    } else {
                        counted += 1
                        positions.append(paddingIndex + counted)
                    }
                }
            }
            self.positions = positions
            let t = batch.tokenCount
            embeddingSum = FloatBuffer(t * c)
            embeddingMean = FloatBuffer(t)
            embeddingRstd = FloatBuffer(t)
            embeddingNormed = FloatBuffer(t * c)
            embeddingDropout = dropout ? FloatBuffer(t * c) : nil
        }

        /// The encoder output `[T, C]`.
        var lastHiddenState: UnsafeMutablePointer<Float> { hiddenStates[hiddenStates.count - 1].pointer }
    }
}
