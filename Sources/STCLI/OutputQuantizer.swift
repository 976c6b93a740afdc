import SentenceTransformers
import STServerAPI

/// `sbert encode --precision`: quantizes what the encoder gives before the writer gets it, as sentence-transformers
/// 6.2's `encode(precision=…)` does.
///
/// binary / ubinary rows are quantized and written a chunk at a time. int8 / uint8 buckets come from the spread of
/// every vector of the run (Python calibrates on the whole `encode` call), so those vectors are kept until
/// ``finish()``; token matrices share one set of buckets across all texts, as Python's list form does.
final class OutputQuantizer {
    private let precision: QuantizationPrecision
    private let writer: EmbeddingWriter
    /// int8 / uint8: the vectors seen so far, row after row.
    private var pending: [Float] = []
    private var dimension = 0
    /// int8 / uint8 token output: the number of rows of each text's matrix, in order.
    private var matrixRows: [Int]?

    init(precision: QuantizationPrecision, writer: EmbeddingWriter) {
        self.precision = precision
        self.writer = writer
    }

    /// Sentence embeddings `[texts, dimension]`.
    /// - Throws: ``CLIError`` when a write fails; ``SentenceTransformerError`` from quantizing.
    func add(_ embeddings: Embeddings) throws {
        switch precision {
        case .float32: try writer.write(embeddings)
        case .binary, .ubinary: try writer.write(quantizeEmbeddings(embeddings, precision: precision))
        case .int8, .uint8: keep(embeddings)
        }
    }

    /// One `[tokens, dimension]` matrix per text, each written as one JSON line.
    /// - Throws: ``CLIError`` when a write fails; ``SentenceTransformerError`` from quantizing.
    func add(tokenMatrices matrices: [Embeddings]) throws {
        switch precision {
        case .float32:
            try writer.write(jsonLines: matrices.map { JSONNumbers.rows($0.arrays) })
        case .binary, .ubinary:
            try writer.write(jsonLines: matrices.map { try Self.jsonRows(quantizeEmbeddings($0, precision: precision), rows: 0..<$0.count) })
        case .int8, .uint8:
            matrixRows = (matrixRows ?? []) + matrices.map(\.count)
            matrices.forEach(keep)
        }
    }

    /// Writes what int8 / uint8 kept, quantized with buckets from all of it.
    /// - Throws: ``SentenceTransformerError/invalidArgument(_:)`` for a single vector (no spread to calibrate on);
    ///   ``CLIError`` when a write fails.
    func finish() throws {
        guard precision == .int8 || precision == .uint8, !pending.isEmpty else { return }
        guard pending.count > dimension else {
            throw CLIError("--precision \(precision.rawValue) calibrates its buckets on the vectors of the run, and one has no spread: "
                + "give at least two texts (Python raises too)")
        }
        let quantized = try quantizeEmbeddings(Embeddings(values: pending, dimension: dimension), precision: precision)
        guard let matrixRows else { return try writer.write(quantized) }
        var start = 0
        try writer.write(jsonLines: matrixRows.map { count in
            defer { start += count }
            return Self.jsonRows(quantized, rows: start..<(start + count))
        })
    }

    private func keep(_ embeddings: Embeddings) {
        guard embeddings.count > 0 else { return }
        dimension = embeddings.dimension
        pending += embeddings.values
    }

    /// Rows of `quantized` as a JSON array of integer arrays (int8 and binary signed, as NumPy's `tolist()` gives).
    static func jsonRows(_ quantized: QuantizedEmbeddings, rows: Range<Int>) -> String {
        "[" + rows.map { EmbeddingFormat.jsonIntegers(quantized, row: $0) }.joined(separator: ",") + "]"
    }
}
