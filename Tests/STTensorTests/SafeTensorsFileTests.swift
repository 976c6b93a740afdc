import Foundation
import STTensor
import Testing

/// The safetensors reader on files written here byte by byte: every dtype, and every way a file can be broken.
@Suite struct SafeTensorsFileTests {
    /// Writes a safetensors file with `header` (JSON) and `data`, returning its path.
    static func write(header: String, data: [UInt8], name: String = UUID().uuidString) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("\(name).safetensors").path
        var bytes = withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { Array($0) }
        bytes += Array(header.utf8) + data
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func bytes<T>(_ values: [T]) -> [UInt8] { values.withUnsafeBytes { Array($0) } }

    @Test func readsEveryFloatTypeAndInt64() throws {
        let f32: [Float] = [1.5, -2, 3.25, 0]
        let f16: [Float16] = [1.5, -2, 65504]
        let bf16: [UInt16] = [0x3FC0, 0xC000]  // 1.5, -2
        let f64: [Double] = [0.1, -7]
        let i64: [Int64] = [0, 1, -3]
        var data = Self.bytes(f32)
        let f16Start = data.count; data += Self.bytes(f16)
        let bf16Start = data.count; data += Self.bytes(bf16)
        let f64Start = data.count; data += Self.bytes(f64)
        let i64Start = data.count; data += Self.bytes(i64)
        let header = """
            {"__metadata__": {"format": "pt"},
             "a": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 16]},
             "b": {"dtype": "F16", "shape": [3], "data_offsets": [\(f16Start), \(bf16Start)]},
             "c": {"dtype": "BF16", "shape": [2], "data_offsets": [\(bf16Start), \(f64Start)]},
             "d": {"dtype": "F64", "shape": [2], "data_offsets": [\(f64Start), \(i64Start)]},
             "e": {"dtype": "I64", "shape": [3], "data_offsets": [\(i64Start), \(data.count)]}}
            """
        let file = try SafeTensorsFile(path: try Self.write(header: header, data: data))
        #expect(file.metadata == ["format": "pt"])
        #expect(file.tensorNames == ["a", "b", "c", "d", "e"])
        let a = try file.tensor(named: "a")
        #expect(a.shape == [2, 2] && a.values == f32)
        #expect(try file.tensor(named: "b").values == [1.5, -2, 65504])
        #expect(try file.tensor(named: "c").values == [1.5, -2])
        #expect(try file.tensor(named: "d").values == [Float(0.1), -7])
        #expect(try file.int64Values(named: "e") == i64)
        #expect(throws: SafeTensorsError.unsupportedDType(file: file.path, tensor: "e", dtype: "I64")) { try file.tensor(named: "e") }
        #expect(throws: SafeTensorsError.missingTensor(file: file.path, tensor: "z")) { try file.tensor(named: "z") }
    }

    @Test func misalignedF32IsCopiedNotMisread() throws {
        // A header whose length is not a multiple of 4 puts the data off alignment.
        let values: [Float] = [1, 2, 3]
        let header = #"{"x": {"dtype": "F32", "shape": [3], "data_offsets": [0, 12]}} "#
        let file = try SafeTensorsFile(path: try Self.write(header: header, data: Self.bytes(values)))
        #expect(try file.tensor(named: "x").values == values)
    }

    static func expectFailure(header: String, data: [UInt8] = [], _ check: (SafeTensorsError) -> Bool) throws {
        let path = try Self.write(header: header, data: data)
        do {
            _ = try SafeTensorsFile(path: path)
            Issue.record("expected an error for header \(header)")
        } catch let error as SafeTensorsError {
            #expect(check(error), "\(error)")
            #expect(error.description.contains(path))
        }
    }

    @Test func malformedHeadersAreErrorsNamingTheFile() throws {
        try Self.expectFailure(header: "{not json") { if case .invalidHeader = $0 { return true }; return false }
        try Self.expectFailure(header: "[1, 2]") { if case .invalidHeader = $0 { return true }; return false }
        try Self.expectFailure(header: #"{"x": {"dtype": "Q4", "shape": [1], "data_offsets": [0, 4]}}"#, data: [0, 0, 0, 0]) {
            if case let .invalidTensor(_, tensor, reason) = $0 { return tensor == "x" && reason.contains("Q4") }; return false
        }
        try Self.expectFailure(header: #"{"x": {"dtype": "F32", "shape": [2], "data_offsets": [0, 4]}}"#, data: [0, 0, 0, 0]) {
            if case let .invalidTensor(_, _, reason) = $0 { return reason.contains("needs") }; return false
        }
        try Self.expectFailure(header: #"{"x": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}}"#, data: [0, 0, 0, 0]) {
            if case .invalidTensor = $0 { return true }; return false
        }
        try Self.expectFailure(header: #"{"x": {"dtype": "F32", "shape": [1], "data_offsets": [4, 0]}}"#, data: [0, 0, 0, 0]) {
            if case .invalidTensor = $0 { return true }; return false
        }
        try Self.expectFailure(header: #"{"x": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}}"#, data: [0, 0, 0, 0]) {
            if case .truncated = $0 { return true }; return false
        }
        try Self.expectFailure(header: #"{"x": {"dtype": "F32", "shape": [1]}}"#, data: [0, 0, 0, 0]) {
            if case .invalidTensor = $0 { return true }; return false
        }
        try Self.expectFailure(header: #"{"x": {"dtype": "F32", "shape": [3037000500, 3037000500], "data_offsets": [0, 4]}}"#) {
            if case .invalidTensor = $0 { return true }; return false
        }
    }

    /// The data section must be tiled exactly (issue #17: overlapping offsets were accepted, and an edited header
    /// length gave shifted, misread weights).
    @Test func tensorsMustTileTheDataSection() throws {
        let eight = [UInt8](repeating: 0, count: 8)
        try Self.expectFailure(header: #"{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "b": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}}"#,
                               data: eight) {
            if case let .invalidTensor(_, tensor, reason) = $0 { return tensor == "b" && reason.contains("overlaps") }; return false
        }
        try Self.expectFailure(header: #"{"a": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}}"#, data: eight) {
            if case let .invalidTensor(_, _, reason) = $0 { return reason.contains("hole") }; return false
        }
        try Self.expectFailure(header: #"{"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}"#, data: eight) {
            if case let .invalidHeader(_, reason) = $0 { return reason.contains("4 bytes of a 8-byte") }; return false
        }
        // A header length edited upwards by 4 swallows padding spaces and moves the data start.
        let header = #"{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}"# + "    "
        let path = try Self.write(header: header, data: Self.bytes([Float(1), 2]))
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes.replaceSubrange(0..<8, with: withUnsafeBytes(of: UInt64(header.utf8.count + 4).littleEndian) { Array($0) })
        try bytes.write(to: URL(fileURLWithPath: path))
        #expect(throws: SafeTensorsError.self) { try SafeTensorsFile(path: path) }
        // Two zero-size tensors at the same offset share no bytes: allowed, as the reference allows them.
        let empty = try SafeTensorsFile(path: try Self.write(
            header: #"{"e": {"dtype": "F32", "shape": [0], "data_offsets": [0, 0]}, "f": {"dtype": "F32", "shape": [0], "data_offsets": [0, 0]}, "g": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}"#,
            data: [0, 0, 0, 0]))
        #expect(empty.tensorNames == ["e", "f", "g"])
    }

    @Test func truncatedAndMissingFiles() throws {
        let short = FileManager.default.temporaryDirectory.appendingPathComponent("short-\(UUID()).safetensors")
        try Data([1, 2, 3]).write(to: short)
        #expect(throws: SafeTensorsError.truncated(file: short.path, reason: "3 bytes, fewer than the 8-byte header length")) {
            try SafeTensorsFile(path: short.path)
        }
        let huge = FileManager.default.temporaryDirectory.appendingPathComponent("huge-\(UUID()).safetensors")
        try Data(withUnsafeBytes(of: UInt64(1_000).littleEndian) { Array($0) } + Array("{}".utf8)).write(to: huge)
        #expect(throws: SafeTensorsError.self) { try SafeTensorsFile(path: huge.path) }
        let absurd = FileManager.default.temporaryDirectory.appendingPathComponent("absurd-\(UUID()).safetensors")
        try Data(withUnsafeBytes(of: UInt64.max.littleEndian) { Array($0) }).write(to: absurd)
        #expect(throws: SafeTensorsError.self) { try SafeTensorsFile(path: absurd.path) }
        #expect(throws: SafeTensorsError.self) { try SafeTensorsFile(path: "/nonexistent/model.safetensors") }
        #expect(throws: SafeTensorsError.self) { try SafeTensorsFile(path: FileManager.default.temporaryDirectory.path) }
    }

    @Test func everyTruncationOfARealHeaderIsRejectedCleanly() throws {
        let values: [Float] = [1, 2, 3, 4]
        let path = try Self.write(header: #"{"w": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 16]}}"#, data: Self.bytes(values))
        let full = try Data(contentsOf: URL(fileURLWithPath: path))
        for length in 0..<full.count {
            let cut = FileManager.default.temporaryDirectory.appendingPathComponent("cut-\(length)-\(UUID()).safetensors")
            try full.prefix(length).write(to: cut)
            #expect(throws: SafeTensorsError.self, "a file cut at \(length) bytes") { try SafeTensorsFile(path: cut.path) }
        }
    }
}

@Suite struct SafeTensorsWriterTests {
    @Test func roundTripsThroughTheReader() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("written-\(UUID()).safetensors").path
        let weight = try Tensor(shape: [2, 3], values: [1, -2, 3.5, 4, 5, 6])
        let bias = try Tensor(shape: [2], values: [0.25, -0.5])
        try SafeTensorsWriter.write(["linear.weight": weight, "linear.bias": bias], metadata: ["format": "pt"], to: path)
        let file = try SafeTensorsFile(path: path)
        #expect(file.metadata == ["format": "pt"])
        #expect(try file.tensor(named: "linear.weight").values == weight.values)
        #expect(try file.tensor(named: "linear.weight").shape == [2, 3])
        #expect(try file.tensor(named: "linear.bias").values == bias.values)
        let headerLength = try Data(contentsOf: URL(fileURLWithPath: path)).prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
        #expect(headerLength % 8 == 0)
    }

    @Test func unwritableDestinationIsAnError() {
        #expect(throws: SafeTensorsError.self) {
            try SafeTensorsWriter.write(["x": Tensor(shape: [1], values: [1])], to: "/nonexistent/dir/x.safetensors")
        }
    }
}
