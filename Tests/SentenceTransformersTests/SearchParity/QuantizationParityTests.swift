import Foundation
import SentenceTransformers
import Testing

/// `quantizeEmbeddings` against `quantize_embeddings` of sentence-transformers 6.2 (`quantize_embeddings.json`):
/// int8/uint8 with ranges from the rows, from calibration rows (values outside clipped), from explicit (min, max)
/// ranges, a zero-width dimension (step 1) in the rows and in the calibration, a value exactly at the maximum (float32 rounding puts it in bucket 254),
/// one row without calibration (an error in both), no rows; binary/ubinary at 10, 13, 8 and 1 dimensions with ±0 and
/// tiny values; float32.
///
/// Intentional difference: ``QuantizedEmbeddings/dequantized(_:)`` returns a bucket's centre, Python's
/// `_dequantize_embeddings` (used to rescore) its lower edge, half a step below. Adding the same vector to every
/// candidate leaves a dot-product ranking unchanged.
@Suite struct QuantizationParityTests {
    struct Case: Decodable, Sendable {
        var name: String
        var embeddings: [[Double]]
        var dimension: Int
        var precision: String
        var ranges: [[Double]]?
        var calibration: [[Double]]?
        var output: [[Double]]?
        var error: String?
        var used_ranges: [[Double]]?
        var dequantized: [[Double]]?
    }

    static let cases = SearchGolden<Case>.cases("quantize_embeddings.json")

    @Test func goldenLoads() throws {
        let golden = try SearchGolden<Case>.load("quantize_embeddings.json")
        #expect(golden.provenance.sentence_transformers == "6.2.0")
        #expect(golden.cases.count == 31)
    }

    @Test(arguments: cases.map(\.name)) func matchesReference(name: String) throws {
        let golden = try #require(Self.cases.first { $0.name == name })
        let precision = try #require(QuantizationPrecision(rawValue: golden.precision))
        let embeddings = SearchParity.embeddings(golden.embeddings, dimension: golden.dimension)
        let ranges = try golden.ranges.map { try QuantizationRanges(minimums: $0[0].map(Float.init), maximums: $0[1].map(Float.init)) }
        let calibration = golden.calibration.map { SearchParity.embeddings($0, dimension: golden.dimension) }
        guard let output = golden.output else {
            #expect(throws: SentenceTransformerError.self, "the reference: \(golden.error ?? "")") {
                try quantizeEmbeddings(embeddings, precision: precision, ranges: ranges, calibration: calibration)
            }
            return
        }
        let quantized = try quantizeEmbeddings(embeddings, precision: precision, ranges: ranges, calibration: calibration)
        #expect(quantized.count == output.count)
        for (row, expected) in output.enumerated() where row < quantized.count {
            let ours: [Double]
            switch precision {
            case .float32: ours = quantized.dequantized(row).map(Double.init)
            case .int8, .binary: ours = quantized.row(row).map { Double(Int8(bitPattern: $0)) }
            case .uint8, .ubinary: ours = quantized.row(row).map(Double.init)
            }
            #expect(ours == expected, "row \(row)")
        }
        guard let used = golden.used_ranges, let dequantized = golden.dequantized else { return }
        let usedRanges = try #require(quantized.ranges)
        #expect(usedRanges.starts == used[0].map(Float.init))
        #expect(usedRanges == (try QuantizationRanges(minimums: used[0].map(Float.init), maximums: used[1].map(Float.init))))
        for (row, expected) in dequantized.enumerated() {
            // Ours is the bucket's centre, Python's the lower edge; in a zero-width dimension both give start + level.
            let lowerEdges = zip(quantized.dequantized(row), usedRanges.steps).map { $0 - 0.5 * $1 }
            for (d, (a, b)) in zip(lowerEdges, expected).enumerated() {
                #expect(SearchParity.close(Double(a), b, tolerance: 1e-6), "row \(row) dimension \(d): \(a), the reference \(b)")
            }
        }
    }

    @Test func badArgumentsThrow() throws {
        let e = try Embeddings(rows: [[1, 0, 2], [0, 1, -1]])
        #expect(throws: SentenceTransformerError.self) { try quantizeEmbeddings(e, precision: .int8, calibration: Embeddings(rows: [[1, 2]])) }
        #expect(throws: SentenceTransformerError.self) { try quantizeEmbeddings(e, precision: .uint8, calibration: Embeddings(values: [], dimension: 3)) }
        #expect(throws: SentenceTransformerError.self) { try QuantizationRanges(minimums: [0, 0], maximums: [1]) }
        #expect(throws: SentenceTransformerError.self) { try QuantizationRanges(minimums: [0, .nan], maximums: [1, 1]) }
    }
}
