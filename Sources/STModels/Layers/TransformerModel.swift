import STKernels

/// A transformer encoder built from the layer vocabulary (``EmbeddingLayer``, ``TransformerBlock``s, an optional
/// final norm, MPNet's shared ``RelativePositionBias``): every architecture this library runs, for inference and for
/// training alike. An architecture file (``ArchitectureDefinition``) only reads its config and names its weights.
///
/// ```swift
/// let encoder = try Architectures.loadEncoder(from: URL(fileURLWithPath: "all-MiniLM-L6-v2"))
/// let output = try encoder.forward(try TokenBatch([(inputIDs: [101, 7592, 102], tokenTypeIDs: [])]), outputHiddenStates: false)
/// ```
public struct TransformerModel: TransformerEncoder {
    public let architectureName: String
    public let embeddings: EmbeddingLayer
    public let blocks: [TransformerBlock]
    public let finalNorm: NormLayer?
    public let relativeBias: RelativePositionBias?
    /// Used by training passes with dropout.
    public let dropoutRates: DropoutRates

    public init(architectureName: String, embeddings: EmbeddingLayer, blocks: [TransformerBlock], finalNorm: NormLayer? = nil,
                relativeBias: RelativePositionBias? = nil, dropoutRates: DropoutRates = DropoutRates()) {
        self.architectureName = architectureName
        self.embeddings = embeddings
        self.blocks = blocks
        self.finalNorm = finalNorm
        self.relativeBias = relativeBias
        self.dropoutRates = dropoutRates
    }

    /// Batches with more tokens than this run through the layers in groups of whole sequences of about this size: the
    /// activations of a group stay in the caches between layers (measured: 256-token passages in batches of 32 run 15%
    /// faster this way), and the scratch memory stays small. Rows are independent, so the results are identical.
    static let groupTokens = 768

    public var hiddenSize: Int { embeddings.hidden }
    public var maxPositionEmbeddings: Int { embeddings.maxSequenceLength }
    public var vocabSize: Int { embeddings.vocabSize }
    public var parameterCount: Int {
        embeddings.parameterCount + blocks.reduce(0) { $0 + $1.parameterCount } + (finalNorm?.parameterCount ?? 0)
            + (relativeBias?.weight.count ?? 0)
    }

    /// Builds `count` layers one at a time, so that a config claiming more layers than the weights hold fails on the
    /// first missing tensor (`Range.map` would first reserve memory for all `count` of them).
    public static func buildBlocks(count: Int, _ make: (Int) throws -> TransformerBlock) rethrows -> [TransformerBlock] {
        var blocks: [TransformerBlock] = []
        var index = 0
        while index < count {
            blocks.append(try make(index))
            index += 1
        }
        return blocks
    }

    // MARK: Inference

    public func forward(_ batch: TokenBatch, outputHiddenStates: Bool) throws -> EncoderOutput {
        try embeddings.validate(batch)
        let hidden = hiddenSize
        // Hidden states of every layer are asked for whole; otherwise large batches run group by group.
        let groups = outputHiddenStates || batch.tokenCount <= Self.groupTokens ? [batch] : Self.groups(of: batch)
        let record = ActivationRecord(keeps: false)
        var states = [Float](repeating: 0, count: batch.tokenCount * hidden)
        var allStates: [[Float]] = []
        states.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            var row = 0
            for group in groups {
                let x = base + row * hidden
                withPass(group, bank: nil, dropout: nil) { pass in
                    embeddings.forward(group, into: x, record: record, pass: pass)
                    if outputHiddenStates { allStates.append(Array(UnsafeBufferPointer(start: x, count: group.tokenCount * hidden))) }
                    for (index, block) in blocks.enumerated() {
                        block.forward(x, into: x, record: record, pass: pass)
                        // As transformers reports them, the last hidden state is the final norm's output.
                        if index == blocks.count - 1, let finalNorm {
                            finalNorm.forward(x, rows: group.tokenCount, into: x, bank: nil)
                        }
                        if outputHiddenStates { allStates.append(Array(UnsafeBufferPointer(start: x, count: group.tokenCount * hidden))) }
                    }
                }
                row += group.tokenCount
            }
        }
        return EncoderOutput(lastHiddenState: states, hiddenStates: allStates, hiddenSize: hidden)
    }

    /// Consecutive sequences of `batch` in groups of at most ``groupTokens`` tokens (a longer sequence alone).
    static func groups(of batch: TokenBatch) -> [TokenBatch] {
        var groups: [TokenBatch] = []
        var group = TokenBatch()
        for (index, sequence) in batch.sequences.enumerated() {
            if group.tokenCount > 0, group.tokenCount + sequence.count > groupTokens {
                groups.append(group)
                group = TokenBatch()
            }
            group.append(sequence: index, of: batch)
        }
        if group.tokenCount > 0 { groups.append(group) }
        return groups
    }

    /// Runs `body` with the pass of `batch`: the relative bias table and the rotary tables for its longest sequence.
    func withPass<R>(_ batch: TokenBatch, bank: ParameterBank?, dropout: Dropout?, _ body: (ForwardPass) throws -> R) rethrows -> R {
        let longest = batch.sequences.map(\.count).max() ?? 0
        var rotaryTables: [Double: (cos: [Float], sin: [Float])] = [:]
        for block in blocks {
            if let rotary = block.attention.rotary, rotaryTables[rotary.theta] == nil {
                rotaryTables[rotary.theta] = rotary.table(length: longest)
            }
        }
        // The bias depends only on j − i, so one table for the longest sequence serves every sequence.
        let biasTable = relativeBias?.table(length: longest, bank: bank) ?? []
        return try biasTable.withUnsafeBufferPointer { bias in
            // An empty array may still have a base address: only a real table makes a bias.
            let scoreBias = relativeBias == nil ? nil : bias.baseAddress.map { Attention.ScoreBias(values: $0, stride: longest) }
            var pass = ForwardPass(sequences: batch.sequences, tokens: batch.tokenCount, bank: bank, dropout: dropout,
                                   scoreBias: scoreBias, rotaryTables: rotaryTables)
            if bank == nil { pass.keyLimits = batch.keyLimits }
            return try body(pass)
        }
    }

    // MARK: Training

    /// What a training forward pass keeps for its backward pass.
    public final class TrainingPass: @unchecked Sendable {
        public let batch: TokenBatch
        let dropout: Dropout?
        let embeddingRecord = ActivationRecord(keeps: true)
        var records: [ActivationRecord] = []
        /// The input of every block, then the last block's output: `blocks.count + 1` × `[T, C]`.
        var hiddenStates: [FloatBuffer] = []
        /// The final norm's output and statistics.
        var finalNormed: FloatBuffer?

        init(batch: TokenBatch, dropout: Dropout?) {
            self.batch = batch
            self.dropout = dropout
        }

        /// The encoder output `[T, C]` (after the final norm, when the architecture has one).
        public var lastHiddenState: UnsafeMutablePointer<Float> {
            finalNormed?.pointer ?? hiddenStates[hiddenStates.count - 1].pointer
        }
    }

    /// Runs the encoder on trainable parameters, keeping every activation; with `dropout`, masks are drawn from its
    /// source at the architecture's rates.
    /// - Throws: ``ModelError/invalidInput(_:)`` for ids or lengths the model cannot take.
    public func forwardTraining(_ batch: TokenBatch, bank: ParameterBank, dropout: Dropout?) throws -> TrainingPass {
        try embeddings.validate(batch)
        let t = batch.tokenCount, c = hiddenSize
        let result = TrainingPass(batch: batch, dropout: dropout)
        withPass(batch, bank: bank, dropout: dropout) { pass in
            let first = FloatBuffer(t * c)
            embeddings.forward(batch, into: first.pointer, record: result.embeddingRecord, pass: pass)
            result.hiddenStates.append(first)
            for block in blocks {
                let record = ActivationRecord(keeps: true)
                let output = FloatBuffer(t * c)
                block.forward(result.hiddenStates[result.hiddenStates.count - 1].pointer, into: output.pointer, record: record, pass: pass)
                result.records.append(record)
                result.hiddenStates.append(output)
            }
            if let finalNorm {
                let normed = FloatBuffer(t * c)
                finalNorm.forward(result.hiddenStates[result.hiddenStates.count - 1].pointer, rows: t, into: normed.pointer, bank: bank,
                                  statistics: result.embeddingRecord.buffer(.finalNormStatistics, t * finalNorm.statisticsPerRow))
                result.finalNormed = normed
            }
        }
        return result
    }

    /// Accumulates every parameter's gradient into `bank` from `dOutput` `[T, C]`, the gradient of
    /// ``TrainingPass/lastHiddenState``.
    public func backward(_ training: TrainingPass, dOutput: UnsafePointer<Float>, bank: ParameterBank) {
        let batch = training.batch
        let t = batch.tokenCount, c = hiddenSize
        withPass(batch, bank: bank, dropout: training.dropout) { pass in
            let dHidden = FloatBuffer(t * c)
            if let finalNorm, let statistics = training.embeddingRecord[.finalNormStatistics] {
                finalNorm.backward(dInput: dHidden.pointer, dOutput: dOutput, input: training.hiddenStates[blocks.count].pointer,
                                   rows: t, statistics: statistics, bank: bank)
            } else {
                dHidden.pointer.update(from: dOutput, count: t * c)
            }
            let dInput = FloatBuffer(t * c)
            let total = Attention.probabilityLayout(sequences: batch.sequences, heads: relativeBias?.heads ?? 0).total
            let dScores = relativeBias == nil ? nil : FloatBuffer(total)
            for index in stride(from: blocks.count - 1, through: 0, by: -1) {
                dInput.zero()
                blocks[index].backward(dOutput: dHidden.pointer, dInput: dInput.pointer, input: training.hiddenStates[index].pointer,
                                       record: training.records[index], pass: pass, bank: bank, dScores: dScores?.pointer)
                if let relativeBias, let dScores {
                    relativeBias.accumulateGradient(dScores.pointer, sequences: batch.sequences, bank: bank)
                }
                dHidden.pointer.update(from: dInput.pointer, count: t * c)
            }
            embeddings.backward(dOutput: dHidden.pointer, batch: batch, record: training.embeddingRecord, pass: pass, bank: bank)
        }
    }
}

extension TransformerModel {
    /// The relative-position bucket of each (query, key) pair of a sequence of `length` tokens (MPNet); empty for
    /// architectures without a relative bias.
    public func relativePositionBuckets(length: Int) -> [[Int]] {
        guard let relativeBias else { return [] }
        return (0..<length).map { i in (0..<length).map { j in relativeBias.bucket(j - i) } }
    }
}
