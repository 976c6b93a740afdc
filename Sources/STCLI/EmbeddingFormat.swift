import ArgumentParser
import Foundation
import SentenceTransformers

/// How `sbert encode` writes embeddings.
enum EmbeddingFormat: String, ExpressibleByArgument, CaseIterable {
    /// One JSON array of arrays.
    case json
    /// One JSON array of floats per line, in input order.
    case jsonl
    /// One comma-separated row per text.
    case csv
    /// A NumPy `.npy` file (float32, shape `(texts, dimension)`; int8 or uint8 bytes for quantized output).
    case npy

    /// The bytes of `embeddings`' rows in this format, following `previous` rows already written: what goes between
    /// the opening (`[` for json, the header for npy) and the closing (`]` for json) of ``EmbeddingWriter``'s output.
    func rows(_ embeddings: Embeddings, after previous: Int) -> Data {
        switch self {
        case .json:
            return Data(((previous > 0 ? "," : "") + embeddings.map(Self.jsonArray).joined(separator: ",")).utf8)
        case .jsonl:
            return Data(embeddings.map { Self.jsonArray($0) + "\n" }.joined().utf8)
        case .csv:
            return Data(embeddings.map { $0.map(Self.number).joined(separator: ",") + "\n" }.joined().utf8)
        case .npy:
            return Self.npyRows(embeddings)
        }
    }

    /// The bytes of quantized rows in this format (integers: signed for int8 and binary, as NumPy's arrays hold them).
    func rows(_ quantized: QuantizedEmbeddings, after previous: Int) -> Data {
        let rows = 0..<quantized.count
        switch self {
        case .json:
            return Data(((previous > 0 ? "," : "") + rows.map { Self.jsonIntegers(quantized, row: $0) }.joined(separator: ",")).utf8)
        case .jsonl:
            return Data(rows.map { Self.jsonIntegers(quantized, row: $0) + "\n" }.joined().utf8)
        case .csv:
            return Data(rows.map { Self.integers(quantized, row: $0).map(String.init).joined(separator: ",") + "\n" }.joined().utf8)
        case .npy:
            return Data(quantized.bytes)
        }
    }

    /// Row `row` of `quantized` as the integers NumPy shows: int8 / binary bytes signed, uint8 / ubinary unsigned.
    static func integers(_ quantized: QuantizedEmbeddings, row: Int) -> [Int] {
        let signed = quantized.precision == .int8 || quantized.precision == .binary
        return quantized.row(row).map { signed ? Int(Int8(bitPattern: $0)) : Int($0) }
    }

    static func jsonIntegers(_ quantized: QuantizedEmbeddings, row: Int) -> String {
        "[" + integers(quantized, row: row).map(String.init).joined(separator: ",") + "]"
    }

    /// NumPy's type string for quantized bytes.
    static func npyDescriptor(_ precision: QuantizationPrecision) -> String {
        switch precision {
        case .float32: return "<f4"
        case .int8, .binary: return "|i1"
        case .uint8, .ubinary: return "|u1"
        }
    }

    /// Shortest decimal that reads back as the same `Float`; JSON has no infinities or NaN, so those are `null`.
    static func number(_ value: Float) -> String {
        value.isFinite ? "\(value)" : "null"
    }

    static func jsonArray(_ row: [Float]) -> String {
        "[" + row.map(number).joined(separator: ",") + "]"
    }

    /// The `.npy` header (NumPy format version 1.0: magic, header length, a Python-dict header), always
    /// ``npyHeaderLength`` bytes (a multiple of 64, as NumPy writes them) so that a streamed file can reserve it
    /// before the row count is known.
    static func npyHeader(rows: Int, dimension: Int, descriptor: String = "<f4") -> Data {
        var header = "{'descr': '\(descriptor)', 'fortran_order': False, 'shape': (\(rows), \(dimension)), }"
        header += String(repeating: " ", count: max(0, npyHeaderLength - 10 - header.utf8.count - 1)) + "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        withUnsafeBytes(of: UInt16(header.utf8.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(contentsOf: Array(header.utf8))
        return data
    }

    /// Room for a shape of two 20-digit numbers: 128 bytes.
    static let npyHeaderLength = 128

    static func npyRows(_ embeddings: Embeddings) -> Data {
        var data = Data(capacity: 4 * embeddings.values.count)
        for value in embeddings.values {
            withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) }
        }
        return data
    }
}
