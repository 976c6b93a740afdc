/// Precisions an embedding can be stored in (sentence-transformers' `quantize_embeddings` names).
public enum QuantizationPrecision: String, Sendable, CaseIterable, Codable {
    case float32, int8, uint8, binary, ubinary

    /// Bytes one row of `dimension` values takes.
    public func bytesPerRow(dimension: Int) -> Int {
        switch self {
        case .float32: return 4 * dimension
        case .int8, .uint8: return dimension
        case .binary, .ubinary: return (dimension + 7) / 8
        }
    }
}

/// Per-dimension calibration of int8/uint8 quantization: value `v` maps to `(v − start) / step` (− 128 for int8),
/// with `step = (max − min) / 255` over the calibration rows.
public struct QuantizationRanges: Sendable, Equatable, Codable {
    public var starts: [Float]
    public var steps: [Float]

    public init(starts: [Float], steps: [Float]) {
        self.starts = starts
        self.steps = steps
    }

    /// The ranges of `calibration`'s columns.
    public init(calibration: Embeddings) {
        let dimension = calibration.dimension
        var minimum = [Float](repeating: .infinity, count: dimension)
        var maximum = [Float](repeating: -.infinity, count: dimension)
        for row in 0..<calibration.count {
            for d in 0..<dimension {
                let value = calibration.values[row * dimension + d]
                minimum[d] = min(minimum[d], value)
                maximum[d] = max(maximum[d], value)
            }
        }
        starts = minimum
        steps = zip(minimum, maximum).map { ($1 - $0) / 255 }
    }
}

/// Embeddings stored at a lower precision: one row of ``QuantizationPrecision/bytesPerRow(dimension:)`` bytes each.
/// int8 values are stored as their bit patterns; binary rows are packed bits, first dimension in the highest bit
/// (NumPy's `packbits`), minus 128 for `binary`.
public struct QuantizedEmbeddings: Sendable, Equatable {
    public let precision: QuantizationPrecision
    /// The dimension of the original vectors.
    public let dimension: Int
    public internal(set) var bytes: [UInt8]
    /// For int8/uint8: the calibration used (needed to read values back).
    public let ranges: QuantizationRanges?

    public var bytesPerRow: Int { precision.bytesPerRow(dimension: dimension) }
    public var count: Int { bytesPerRow == 0 ? 0 : bytes.count / bytesPerRow }

    /// Row `index` as bytes.
    public func row(_ index: Int) -> [UInt8] { Array(bytes[(index * bytesPerRow)..<((index + 1) * bytesPerRow)]) }

    /// Row `index` as Float again (int8/uint8 dequantized to the centre of its step; binary as ±1).
    public func dequantized(_ index: Int) -> [Float] {
        let row = self.row(index)
        switch precision {
        case .float32:
            return stride(from: row.startIndex, to: row.endIndex, by: 4).map { offset in
                Float(bitPattern: UInt32(row[offset]) | UInt32(row[offset + 1]) << 8 | UInt32(row[offset + 2]) << 16 | UInt32(row[offset + 3]) << 24)
            }
        case .int8, .uint8:
            let shift: Float = precision == .int8 ? 128 : 0
            let ranges = self.ranges ?? QuantizationRanges(starts: Array(repeating: 0, count: dimension), steps: Array(repeating: 1, count: dimension))
            return row.enumerated().map { d, byte in
                let level = precision == .int8 ? Float(Int8(bitPattern: byte)) + shift : Float(byte)
                return (level + 0.5) * ranges.steps[d] + ranges.starts[d]
            }
        case .binary, .ubinary:
            return (0..<dimension).map { d in
                var byte = row[row.startIndex + d / 8]
                if precision == .binary { byte = byte &+ 128 }
                return (byte >> (7 - UInt8(d % 8))) & 1 == 1 ? 1 : -1
            }
        }
    }
}

/// Quantizes `embeddings` as sentence-transformers' `quantize_embeddings` does. int8/uint8 use `ranges`, else ranges
/// computed from `calibration`, else from `embeddings` themselves; values outside the range are clamped (NumPy would
/// wrap them). Binary precisions keep the sign: bit 1 for values above 0.
public func quantizeEmbeddings(_ embeddings: Embeddings, precision: QuantizationPrecision, ranges: QuantizationRanges? = nil,
                               calibration: Embeddings? = nil) throws -> QuantizedEmbeddings {
    let dimension = embeddings.dimension
    var bytes: [UInt8] = []
    bytes.reserveCapacity(embeddings.count * precision.bytesPerRow(dimension: dimension))
    var usedRanges: QuantizationRanges?
    switch precision {
    case .float32:
        for value in embeddings.values { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
    case .int8, .uint8:
        let chosen = ranges ?? QuantizationRanges(calibration: calibration ?? embeddings)
        guard chosen.starts.count == dimension, chosen.steps.count == dimension else {
            throw SentenceTransformerError.invalidArgument("quantization ranges have \(chosen.starts.count) dimensions, the embeddings \(dimension)")
        }
        usedRanges = chosen
        for row in 0..<embeddings.count {
            for d in 0..<dimension {
                let step = chosen.steps[d] == 0 ? 1 : chosen.steps[d]
                let level = ((embeddings.values[row * dimension + d] - chosen.starts[d]) / step).rounded(.towardZero)
                let clamped = Int(max(0, min(255, level.isFinite ? level : 0)))
                bytes.append(precision == .int8 ? UInt8(bitPattern: Int8(clamped - 128)) : UInt8(clamped))
            }
        }
    case .binary, .ubinary:
        for row in 0..<embeddings.count {
            var byte: UInt8 = 0
            for d in 0..<dimension {
                if embeddings.values[row * dimension + d] > 0 { byte |= 1 << (7 - UInt8(d % 8)) }
                if d % 8 == 7 || d == dimension - 1 {
                    bytes.append(precision == .binary ? byte &- 128 : byte)
                    byte = 0
                }
            }
        }
    }
    return QuantizedEmbeddings(precision: precision, dimension: dimension, bytes: bytes, ranges: usedRanges)
}

/// Search over a binary-quantized corpus: the Hamming distance between packed bits picks `topK × rescoreMultiplier`
/// candidates, which are then rescored by cosine between the float query and `rescoreCorpus` (fp32 vectors, or an
/// int8/uint8 quantization, dequantized). Without `rescoreCorpus` the score is `dimension − 2·hamming` (the dot
/// product of the ±1 vectors).
public func quantizedSearch(queries: Embeddings, corpus: QuantizedEmbeddings, topK: Int = 10, rescoreMultiplier: Int = 4,
                            rescoreCorpus: QuantizedEmbeddings? = nil) throws -> [[SearchHit]] {
    guard corpus.precision == .binary || corpus.precision == .ubinary else {
        throw SentenceTransformerError.invalidArgument("quantizedSearch needs a binary or ubinary corpus, got \(corpus.precision.rawValue)")
    }
    guard topK > 0, rescoreMultiplier > 0 else { throw SentenceTransformerError.invalidArgument("topK and rescoreMultiplier must be positive") }
    guard queries.dimension == corpus.dimension || queries.isEmpty else {
        throw SentenceTransformerError.invalidArgument("queries have dimension \(queries.dimension), the corpus \(corpus.dimension)")
    }
    if let rescoreCorpus, rescoreCorpus.count != corpus.count || rescoreCorpus.dimension != corpus.dimension {
        throw SentenceTransformerError.invalidArgument("the rescoring corpus must hold the same rows as the binary corpus")
    }
    let packedQueries = try quantizeEmbeddings(queries, precision: corpus.precision)
    let bytesPerRow = corpus.bytesPerRow
    let candidates = min(corpus.count, topK * (rescoreCorpus == nil ? 1 : rescoreMultiplier))
    var results: [[SearchHit]] = []
    for query in 0..<queries.count {
        let queryBits = packedQueries.row(query)
        var best = TopK(candidates)
        corpus.bytes.withUnsafeBufferPointer { bytes in
            for row in 0..<corpus.count {
                var hamming = 0
                let base = row * bytesPerRow
                for b in 0..<bytesPerRow { hamming += (bytes[base + b] ^ queryBits[b]).nonzeroBitCount }
                best.insert(SearchHit(corpusID: row, score: Float(corpus.dimension - 2 * hamming)))
            }
        }
        guard let rescoreCorpus else {
            results.append(best.sorted)
            continue
        }
        let queryVector = Embeddings(values: queries[query], dimension: queries.dimension).normalized().values
        var rescored = TopK(min(topK, candidates))
        for hit in best.sorted {
            let vector = Embeddings(values: rescoreCorpus.dequantized(hit.corpusID), dimension: corpus.dimension).normalized().values
            var score: Float = 0
            for d in 0..<vector.count { score += queryVector[d] * vector[d] }
            rescored.insert(SearchHit(corpusID: hit.corpusID, score: score))
        }
        results.append(rescored.sorted)
    }
    return results
}
