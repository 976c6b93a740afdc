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

/// Per-dimension calibration of int8/uint8 quantization (sentence-transformers' `ranges`, a `[2, dimension]` array of
/// minimums and maximums): value `v` goes to bucket `floor((v − start) / step)`, clipped to 0…255 (− 128 for int8),
/// with `start` the minimum and `step = (max − min) / 255` in float32; a zero-width dimension (`step` 0) uses step 1,
/// as Python's `np.where(steps == 0, 1, steps)`.
public struct QuantizationRanges: Sendable, Equatable, Codable {
    /// The minimum of each dimension: `[dimension]`.
    public var starts: [Float]
    /// The bucket width of each dimension, `(max − min) / 255` (0 for a zero-width dimension): `[dimension]`.
    public var steps: [Float]

    public init(starts: [Float], steps: [Float]) {
        self.starts = starts
        self.steps = steps
    }

    /// Python's `ranges` (`ranges[0]` the minimums, `ranges[1]` the maximums), each `[dimension]`.
    ///
    /// - Throws: ``SentenceTransformerError/invalidArgument(_:)`` when the two differ in length or hold a NaN or an
    ///   infinity.
    public init(minimums: [Float], maximums: [Float]) throws {
        guard minimums.count == maximums.count else {
            throw SentenceTransformerError.invalidArgument("quantization ranges: \(minimums.count) minimums, \(maximums.count) maximums")
        }
        guard (minimums + maximums).allSatisfy(\.isFinite) else {
            throw SentenceTransformerError.invalidArgument("quantization ranges must be finite")
        }
        starts = minimums
        steps = zip(minimums, maximums).map { ($1 - $0) / 255 }
    }

    /// The ranges of `calibration`'s columns (`[rows, dimension]`, at least one row: with none every start is +∞;
    /// ``quantizeEmbeddings(_:precision:ranges:calibration:)`` refuses that).
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

    /// The step quantization divides by: `steps[d]`, or 1 where it is 0.
    func effectiveStep(_ d: Int) -> Float { steps[d] == 0 ? 1 : steps[d] }
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

    /// Row `index` as Float again: `[dimension]`. int8/uint8 give the centre of the bucket, `start + (level + ½)·step`
    /// (level 0…255), or `start + level` in a zero-width dimension; binary gives ±1.
    ///
    /// Intentional difference: Python's `_dequantize_embeddings` (used when rescoring) gives the bucket's lower edge,
    /// half a step below. That shift is the same vector for every row, so it changes no ranking by dot product.
    public func dequantized(_ index: Int) -> [Float] {
        let row = self.row(index)
        switch precision {
        case .float32:
            return stride(from: row.startIndex, to: row.endIndex, by: 4).map { offset in
                Float(bitPattern: UInt32(row[offset]) | UInt32(row[offset + 1]) << 8 | UInt32(row[offset + 2]) << 16 | UInt32(row[offset + 3]) << 24)
            }
        case .int8, .uint8:
            let ranges = self.ranges ?? QuantizationRanges(starts: Array(repeating: 0, count: dimension), steps: Array(repeating: 1, count: dimension))
            return row.enumerated().map { d, byte in
                let level = precision == .int8 ? Float(Int8(bitPattern: byte)) + 128 : Float(byte)
                return ranges.steps[d] == 0 ? level + ranges.starts[d] : (level + 0.5) * ranges.steps[d] + ranges.starts[d]
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

/// Quantizes `embeddings` as sentence-transformers 6.2's `quantize_embeddings`.
///
/// - int8/uint8: bucket `floor((v − start) / step)` clipped to 0…255 (minus 128 for int8), with `ranges`, else the
///   ranges of `calibration`, else those of `embeddings` themselves (which then need two rows or more, as in Python:
///   one row has no spread to calibrate on). NaN goes to bucket 0 (NumPy's cast of NaN is unspecified).
/// - binary/ubinary: bit 1 for values above 0 (so 0 and −0 give 0), eight dimensions a byte, the first in the highest
///   bit, the last byte padded with zeros (`np.packbits`); binary subtracts 128 from each byte.
/// - float32: the values' little-endian bytes.
///
/// ```swift
/// let int8 = try quantizeEmbeddings(corpus, precision: .int8, calibration: calibrationRows)
/// int8.row(0)   // dimension bytes
/// ```
///
/// - Parameters:
///   - embeddings: `[rows, dimension]` (no rows gives an empty result).
///   - ranges: int8/uint8 only: per-dimension `[dimension]` starts and steps.
///   - calibration: int8/uint8 only, when `ranges` is nil: `[calibrationRows, dimension]`, at least one row.
/// - Returns: `rows` rows of ``QuantizationPrecision/bytesPerRow(dimension:)`` bytes, with the ranges used.
/// - Throws: ``SentenceTransformerError/invalidArgument(_:)`` when the ranges or calibration rows have another
///   dimension, the calibration has no rows, or int8/uint8 ranges would come from a single embedding.
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
        let chosen: QuantizationRanges
        if let ranges {
            chosen = ranges
        } else if let calibration {
            guard !calibration.isEmpty else { throw SentenceTransformerError.invalidArgument("the calibration embeddings have no rows") }
            guard calibration.dimension == dimension || embeddings.isEmpty else {
                throw SentenceTransformerError.invalidArgument("calibration rows have dimension \(calibration.dimension), the embeddings \(dimension)")
            }
            chosen = QuantizationRanges(calibration: calibration)
        } else if embeddings.isEmpty {
            // Nothing to quantize and nothing to calibrate on (Python returns the empty array at once).
            return QuantizedEmbeddings(precision: precision, dimension: dimension, bytes: [], ranges: nil)
        } else {
            guard embeddings.count > 1 else {
                throw SentenceTransformerError.invalidArgument("cannot compute \(precision.rawValue) quantization ranges from a single embedding: "
                    + "pass ranges or calibration embeddings from a representative set")
            }
            chosen = QuantizationRanges(calibration: embeddings)
        }
        guard chosen.starts.count == dimension, chosen.steps.count == dimension else {
            throw SentenceTransformerError.invalidArgument("quantization ranges have \(chosen.starts.count) dimensions, the embeddings \(dimension)")
        }
        usedRanges = chosen
        for row in 0..<embeddings.count {
            for d in 0..<dimension {
                let level = ((embeddings.values[row * dimension + d] - chosen.starts[d]) / chosen.effectiveStep(d)).rounded(.down)
                let clipped = level.isNaN ? 0 : Int(max(0, min(255, level)))
                bytes.append(precision == .int8 ? UInt8(bitPattern: Int8(clipped - 128)) : UInt8(clipped))
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
/// int8/uint8 quantization, dequantized). Without `rescoreCorpus` the `topK` nearest by Hamming distance `h` are
/// returned with the score `dimension − 2h` (the dot product of the ±1 vectors).
///
/// Without rescoring this ranks as sentence-transformers 6.2's `semantic_search_usearch(corpus_precision="ubinary"
/// or "binary", rescore=False, exact=True)`, which reports `h` itself. Intentional differences: ties come out by lower
/// corpus id; and Python rescores binary candidates by the float query's dot product with the 0/1 bits, where ours
/// rescores by cosine against `rescoreCorpus`.
///
/// - Parameters:
///   - queries: `[queries, dimension]` float vectors (quantized here to the corpus' precision).
///   - corpus: a binary or ubinary quantization of `[corpus, dimension]`.
///   - topK: hits per query (0 gives none; more than the corpus gives all of it).
///   - rescoreMultiplier: candidates per hit to rescore (≥ 1).
///   - rescoreCorpus: the same rows at a finer precision.
/// - Returns: for each query, `min(topK, corpus.count)` hits, best first (ties by lower corpus id).
/// - Throws: ``SentenceTransformerError/invalidArgument(_:)`` when the corpus is not binary, `topK` is negative,
///   `rescoreMultiplier` below 1, the dimensions differ, or `rescoreCorpus` holds other rows.
public func quantizedSearch(queries: Embeddings, corpus: QuantizedEmbeddings, topK: Int = 10, rescoreMultiplier: Int = 4,
                            rescoreCorpus: QuantizedEmbeddings? = nil) throws -> [[SearchHit]] {
    guard corpus.precision == .binary || corpus.precision == .ubinary else {
        throw SentenceTransformerError.invalidArgument("quantizedSearch needs a binary or ubinary corpus, got \(corpus.precision.rawValue)")
    }
    guard topK >= 0 else { throw SentenceTransformerError.invalidArgument("topK must not be negative, got \(topK)") }
    guard rescoreMultiplier > 0 else { throw SentenceTransformerError.invalidArgument("rescoreMultiplier must be positive, got \(rescoreMultiplier)") }
    guard queries.dimension == corpus.dimension || queries.isEmpty else {
        throw SentenceTransformerError.invalidArgument("queries have dimension \(queries.dimension), the corpus \(corpus.dimension)")
    }
    if let rescoreCorpus, rescoreCorpus.count != corpus.count || rescoreCorpus.dimension != corpus.dimension {
        throw SentenceTransformerError.invalidArgument("the rescoring corpus must hold the same rows as the binary corpus")
    }
    guard topK > 0, corpus.count > 0 else { return Array(repeating: [], count: queries.count) }
    let packedQueries = try quantizeEmbeddings(queries, precision: corpus.precision)
    let bytesPerRow = corpus.bytesPerRow
    let (oversampled, overflow) = topK.multipliedReportingOverflow(by: rescoreCorpus == nil ? 1 : rescoreMultiplier)
    let candidates = overflow ? corpus.count : min(corpus.count, oversampled)
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
        let queryVector = Embeddings(uncheckedValues: queries[query], dimension: queries.dimension).normalized().values
        var rescored = TopK(min(topK, candidates))
        for hit in best.sorted {
            let vector = Embeddings(uncheckedValues: rescoreCorpus.dequantized(hit.corpusID), dimension: corpus.dimension).normalized().values
            var score: Float = 0
            for d in 0..<vector.count { score += queryVector[d] * vector[d] }
            rescored.insert(SearchHit(corpusID: hit.corpusID, score: score))
        }
        results.append(rescored.sorted)
    }
    return results
}
