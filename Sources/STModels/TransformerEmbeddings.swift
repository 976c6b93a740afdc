import STTensor

/// The embedding block shared by BERT-style encoders: word + absolute position (+ token type) embeddings, then
/// LayerNorm. BERT numbers positions 0, 1, 2, …; RoBERTa, XLM-R and MPNet (`paddingIndex` set) number the tokens
/// that are not the padding token `paddingIndex + 1, + 2, …` and give the padding token itself position
/// `paddingIndex`, even when it is written in the text.
struct TransformerEmbeddings: Sendable {
    let wordEmbeddings: Tensor       // [vocabSize, hidden]
    let positionEmbeddings: Tensor   // [maxPositionEmbeddings, hidden]
    let tokenTypeEmbeddings: Tensor? // [typeVocabSize, hidden]; DistilBERT and MPNet have none
    let layerNorm: LayerNormParameters
    let paddingIndex: Int?

    init(_ weights: WeightLoader, vocabSize: Int, hidden: Int, maxPositions: Int, typeVocabSize: Int,
         layerNormEps: Double, paddingIndex: Int?) throws {
        // RoBERTa-style positions start after the padding index: it must leave at least one row of the table.
        if let paddingIndex, paddingIndex < 0 || paddingIndex >= maxPositions - 1 {
            throw ModelError.unreadableConfig(
                path: "config.json",
                reason: "pad_token_id \(paddingIndex) must be in 0..<\(maxPositions - 1): positions are numbered after it within max_position_embeddings \(maxPositions)")
        }
        wordEmbeddings = try weights.tensor("word_embeddings.weight", shape: [vocabSize, hidden])
        positionEmbeddings = try weights.tensor("position_embeddings.weight", shape: [maxPositions, hidden])
        tokenTypeEmbeddings = typeVocabSize > 0
            ? try weights.tensor("token_type_embeddings.weight", shape: [typeVocabSize, hidden]) : nil
        layerNorm = try LayerNormParameters(weights, "LayerNorm", channels: hidden, epsilon: Float(layerNormEps))
        self.paddingIndex = paddingIndex
    }

    var positionOffset: Int { paddingIndex.map { $0 + 1 } ?? 0 }

    var hidden: Int { wordEmbeddings.shape[1] }
    var vocabSize: Int { wordEmbeddings.shape[0] }
    var typeVocabSize: Int { tokenTypeEmbeddings?.shape[0] ?? 1 }
    /// The longest sequence the position table covers.
    var maxSequenceLength: Int { positionEmbeddings.shape[0] - positionOffset }

    /// Writes `[tokenCount, hidden]` embeddings of `batch` into `output`.
    func forward(_ batch: TokenBatch, into output: UnsafeMutablePointer<Float>) {
        let hidden = self.hidden
        let words = wordEmbeddings.baseAddress
        let positions = positionEmbeddings.baseAddress
        let types = tokenTypeEmbeddings?.baseAddress
        for sequence in batch.sequences {
            var counted = 0
            for row in sequence {
                let id = Int(batch.inputIDs[row])
                let position: Int
                if let paddingIndex {
                    if id == paddingIndex {
                        position = paddingIndex
                    } else {
                        counted += 1
                        position = paddingIndex + counted
                    }
                } else {
                    position = row - sequence.lowerBound
                }
                let y = output + row * hidden
                let word = words + id * hidden
                let place = positions + position * hidden
                if let types {
                    let type = types + Int(batch.tokenTypeIDs[row]) * hidden
                    for c in 0..<hidden { y[c] = word[c] + type[c] + place[c] }
                } else {
                    for c in 0..<hidden { y[c] = word[c] + place[c] }
                }
            }
        }
        layerNorm.forward(output, rows: batch.tokenCount, into: output)
    }

    /// Checks ids, type ids and lengths before any memory is touched.
    func validate(_ batch: TokenBatch) throws {
        for (index, sequence) in batch.sequences.enumerated() where sequence.count > maxSequenceLength {
            throw ModelError.invalidInput("sequence \(index) has \(sequence.count) tokens; the model takes at most \(maxSequenceLength)")
        }
        if let id = batch.inputIDs.first(where: { $0 < 0 || Int($0) >= vocabSize }) {
            throw ModelError.invalidInput("token id \(id) is outside the vocabulary (size \(vocabSize))")
        }
        if let type = batch.tokenTypeIDs.first(where: { $0 < 0 || Int($0) >= typeVocabSize }) {
            throw ModelError.invalidInput("token type id \(type) is outside 0..<\(typeVocabSize)")
        }
    }

    var parameterCount: Int {
        wordEmbeddings.count + positionEmbeddings.count + (tokenTypeEmbeddings?.count ?? 0) + layerNorm.parameterCount
    }
}
