import FuzzSupport
import STTensor

/// Fuzz target for the safetensors header parser: the input is a whole file. Validation either throws or promises
/// that every tensor lies inside the data section, so each tensor is then read in full (AddressSanitizer sees any
/// read past the input: ``SafeTensorsFile`` parses an exact-size copy, not a page-rounded mapping).
@main
enum FuzzSafeTensors {
    static func main() {
        FuzzDriver.main { data, count in
            FuzzSafeTensors.test(UnsafeRawBufferPointer(start: data, count: count))
            return 0
        }
    }

    /// Where the values read go, so that the optimizer cannot drop the reads.
    nonisolated(unsafe) static var sink: Float = 0

    static func test(_ input: UnsafeRawBufferPointer) {
        guard let file = try? SafeTensorsFile(contents: input, path: "fuzz.safetensors") else { return }
        var covered = 0
        for name in file.tensorNames {
            guard let entry = file.entries[name] else { continue }
            let elementCount = entry.shape.reduce(1, *)
            FuzzInvariant.require(entry.dataRange.count == elementCount * entry.dtype.byteCount,
                                  "\(name): \(entry.dataRange.count) bytes for shape \(entry.shape) of \(entry.dtype)")
            covered += entry.dataRange.count
            if let tensor = try? file.tensor(named: name) {
                FuzzInvariant.require(tensor.shape == entry.shape && tensor.count == elementCount,
                                      "\(name): tensor of shape \(tensor.shape), \(tensor.count) values for \(entry.shape)")
                // Touch every value: an out-of-bounds element is a read past the input.
                sink = tensor.withUnsafeBufferPointer { $0.reduce(sink, +) }
            }
            if entry.dtype == .I64, let values = try? file.int64Values(named: name) {
                FuzzInvariant.require(values.count == elementCount, "\(name): \(values.count) I64 values for \(entry.shape)")
            }
        }
        // The tensors tile the data section exactly: the header length, the tensors' bytes and the file size agree.
        let headerLength = input.loadUnaligned(as: UInt64.self)
        FuzzInvariant.require(8 + Int(UInt64(littleEndian: headerLength)) + covered == input.count,
                              "tensors cover \(covered) bytes of a \(input.count)-byte file whose header has \(headerLength) bytes")
    }
}
