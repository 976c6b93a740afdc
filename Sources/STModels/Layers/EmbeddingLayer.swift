import STKernels

/// The input embeddings: word rows (scaled by `scale`, Gemma's `√hidden`), plus absolute positions and token types
/// where the architecture has them, then an optional norm. BERT numbers positions 0, 1, 2, …; RoBERTa, XLM-R and
/// MPNet (`paddingIndex` set) number the tokens that are not the padding token `paddingIndex + 1, + 2, …` and give
/// the padding token itself position `paddingIndex`, even when it is written in the text. Rotary architectures have
/// no position table.
public struct EmbeddingLayer: Sendable {
    let words: Parameter          // [vocabSize, hidden]
    let positions: Parameter?     // [maxPositions, hidden]
    let tokenTypes: Parameter?    // [typeVocabSize, hidden]
    let paddingIndex: Int?
    let scale: Float?
    let norm: NormLayer?
    /// The longest sequence: the position table's reach, or the config's `max_position_embeddings` for rotary models.
    public let maxSequenceLength: Int

    public init(words: Parameter, positions: Parameter?, tokenTypes: Parameter?, paddingIndex: Int?, scale: Float? = nil,
                norm: NormLayer?, maxSequenceLength: Int? = nil, configPath: String = "config.json") throws {
        self.words = words
        self.positions = positions
        self.tokenTypes = tokenTypes
        self.paddingIndex = paddingIndex
        self.scale = scale
        self.norm = norm
        if let positions {
            let rows = positions.shape[0]
            // RoBERTa-style positions start after the padding index: it must leave at least one row of the table.
            if let paddingIndex, paddingIndex < 0 || paddingIndex >= rows - 1 {
                throw ModelError.unreadableConfig(
                    path: configPath,
                    reason: "pad_token_id \(paddingIndex) must be in 0..<\(rows - 1): positions are numbered after it within max_position_embeddings \(rows)")
            }
            self.maxSequenceLength = rows - (paddingIndex.map { $0 + 1 } ?? 0)
        } else {
            self.maxSequenceLength = maxSequenceLength ?? Int.max
        }
    }

    public var hidden: Int { words.shape[1] }
    public var vocabSize: Int { words.shape[0] }
    var typeVocabSize: Int { tokenTypes?.shape[0] ?? 1 }

    /// The position of every row of `batch`.
    func positionIDs(_ batch: TokenBatch) -> [Int] {
        var ids: [Int] = []
        ids.reserveCapacity(batch.tokenCount)
        for sequence in batch.sequences {
            guard let paddingIndex else {
                ids.append(contentsOf: 0..<sequence.count)
                continue
            }
            var counted = 0
            for row in sequence {
                if Int(batch.inputIDs[row]) == paddingIndex {
                    ids.append(paddingIndex)
                } else {
                    counted += 1
                    ids.append(paddingIndex + counted)
                }
            }
        }
        return ids
    }

    /// Writes `[tokens, hidden]` embeddings of `batch` into `output`.
    func forward(_ batch: TokenBatch, into output: UnsafeMutablePointer<Float>, record: ActivationRecord, pass: ForwardPass) {
        let c = hidden, t = batch.tokenCount
        let sum = norm != nil && record.keeps ? record.buffer(.embeddingSum, t * c) : output
        let wordTable = words.values(pass.bank)
        let positionTable = positions?.values(pass.bank)
        let typeTable = tokenTypes?.values(pass.bank)
        let positionIDs = positionTable == nil ? [] : positionIDs(batch)
        let scale = self.scale ?? 1
        for row in 0..<t {
            let y = sum + row * c
            let word = wordTable + Int(batch.inputIDs[row]) * c
            if scale == 1 { y.update(from: word, count: c) } else { for k in 0..<c { y[k] = word[k] * scale } }
            // Word + type + position, in BERT's order of additions.
            if let typeTable { VectorMath.add(typeTable + Int(batch.tokenTypeIDs[row]) * c, into: y, count: c) }
            if let positionTable { VectorMath.add(positionTable + positionIDs[row] * c, into: y, count: c) }
        }
        if let norm {
            norm.forward(sum, rows: t, into: output, bank: pass.bank,
                         statistics: record.keeps ? record.buffer(.embeddingStatistics, t * norm.statisticsPerRow) : nil)
        }
        if let rate = pass.dropoutRate(\.embedding) {
            pass.applyDropout(output, count: t * c, rate: rate, role: .embeddingDropout, record: record)
        }
    }

    /// Accumulates the gradients of the tables (and norm) from `dOutput` `[tokens, hidden]`.
    func backward(dOutput: UnsafePointer<Float>, batch: TokenBatch, record: ActivationRecord, pass: ForwardPass, bank: ParameterBank) {
        let c = hidden, t = batch.tokenCount
        let dSum = FloatBuffer(t * c)
        dSum.pointer.update(from: dOutput, count: t * c)
        if let mask = record[.embeddingDropout] {
            for k in 0..<(t * c) { dSum.pointer[k] *= mask[k] }
        }
        var dTables = dSum
        if let norm, let sum = record[.embeddingSum], let statistics = record[.embeddingStatistics] {
            dTables = FloatBuffer(t * c)
            norm.backward(dInput: dTables.pointer, dOutput: dSum.pointer, input: sum, rows: t, statistics: statistics, bank: bank)
        }
        let positionIDs = positions == nil ? [] : positionIDs(batch)
        let scale = self.scale ?? 1
        for row in 0..<t {
            let d = UnsafePointer(dTables.pointer + row * c)
            if let dWords = words.gradients(bank) {
                let target = dWords + Int(batch.inputIDs[row]) * c
                for k in 0..<c { target[k] += d[k] * scale }
            }
            if let dPositions = positions?.gradients(bank) { VectorMath.add(d, into: dPositions + positionIDs[row] * c, count: c) }
            if let dTypes = tokenTypes?.gradients(bank) { VectorMath.add(d, into: dTypes + Int(batch.tokenTypeIDs[row]) * c, count: c) }
        }
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
        words.count + (positions?.count ?? 0) + (tokenTypes?.count ?? 0) + (norm?.parameterCount ?? 0)
    }
}
