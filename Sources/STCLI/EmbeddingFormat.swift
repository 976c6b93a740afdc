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
    /// A NumPy `.npy` file (float32, shape `(texts, dimension)`).
    case npy

    /// The bytes of `embeddings` in this format.
    func encode(_ embeddings: Embeddings) -> Data {
        switch self {
        case .json:
            return Data(("[" + embeddings.map(Self.jsonArray).joined(separator: ",") + "]\n").utf8)
        case .jsonl:
            return Data(embeddings.map { Self.jsonArray($0) + "\n" }.joined().utf8)
        case .csv:
            return Data(embeddings.map { $0.map(Self.number).joined(separator: ",") + "\n" }.joined().utf8)
        case .npy:
            return Self.npy(embeddings)
        }
    }

    /// Shortest decimal that reads back as the same `Float`; JSON has no infinities or NaN, so those are `null`.
    static func number(_ value: Float) -> String {
        value.isFinite ? "\(value)" : "null"
    }

    static func jsonArray(_ row: [Float]) -> String {
        "[" + row.map(number).joined(separator: ",") + "]"
    }

    /// NumPy format version 1.0: magic, header length, a Python-dict header padded to 64 bytes, raw little-endian data.
    static func npy(_ embeddings: Embeddings) -> Data {
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (\(embeddings.count), \(embeddings.dimension)), }"
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        withUnsafeBytes(of: UInt16(header.utf8.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(contentsOf: Array(header.utf8))
        for value in embeddings.values {
            withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) }
        }
        return data
    }
}
