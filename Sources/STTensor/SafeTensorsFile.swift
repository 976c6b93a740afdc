import Foundation

/// A memory-mapped [safetensors](https://huggingface.co/docs/safetensors) file.
///
/// The header is validated when the file is opened: its length bound, its JSON, every tensor's dtype, shape and
/// byte range (inside the data section, matching shape × dtype size). Reading a tensor afterwards cannot go out of
/// bounds. F32 tensors are returned without copying; F16, BF16 and F64 are converted to `Float` once, and the file
/// pages they were read from leave memory.
///
/// ```swift
/// let file = try SafeTensorsFile(path: "model.safetensors")
/// let embeddings = try file.tensor(named: "embeddings.word_embeddings.weight")   // [30522, 384]
/// ```
public final class SafeTensorsFile: Sendable {
    /// One entry of the header.
    public struct Entry: Sendable, Equatable {
        public let dtype: SafeTensorsDType
        public let shape: [Int]
        /// Byte range inside the data section.
        public let dataRange: Range<Int>
    }

    /// The largest header accepted (the reference implementation's limit).
    public static let maximumHeaderSize = 100_000_000

    public let path: String
    /// Tensor entries by name.
    public let entries: [String: Entry]
    /// The `__metadata__` block, if any.
    public let metadata: [String: String]
    private let mapping: MappedFile
    private let dataStart: Int

    /// Opens and validates `path`.
    public convenience init(path: String) throws {
        try self.init(mapping: MappedFile(path: path))
    }

    /// Validates a file's contents already in memory (the fuzz target's input), with the same checks as a file.
    package convenience init(contents: UnsafeRawBufferPointer, path: String) throws {
        try self.init(mapping: MappedFile(copying: contents, path: path))
    }

    private init(mapping: MappedFile) throws {
        let path = mapping.path
        self.path = path
        self.mapping = mapping
        let bytes = mapping.bytes
        guard bytes.count >= 8 else {
            throw SafeTensorsError.truncated(file: path, reason: "\(bytes.count) bytes, fewer than the 8-byte header length")
        }
        let headerSize = UInt64(littleEndian: bytes.loadUnaligned(as: UInt64.self))
        guard headerSize <= UInt64(Self.maximumHeaderSize) else {
            throw SafeTensorsError.invalidHeader(file: path, reason: "header length \(headerSize) exceeds \(Self.maximumHeaderSize) bytes")
        }
        guard 8 + Int(headerSize) <= bytes.count else {
            throw SafeTensorsError.truncated(file: path, reason: "header of \(headerSize) bytes but the file has \(bytes.count) bytes")
        }
        dataStart = 8 + Int(headerSize)
        let headerData = Data(bytes[8..<dataStart])
        let json: Any
        do {
            json = try JSONSerialization.jsonObject(with: headerData)
        } catch {
            throw SafeTensorsError.invalidHeader(file: path, reason: "not valid JSON")
        }
        guard let object = json as? [String: Any] else {
            throw SafeTensorsError.invalidHeader(file: path, reason: "the header is not a JSON object")
        }
        let dataSize = bytes.count - dataStart
        var entries: [String: Entry] = [:]
        var metadata: [String: String] = [:]
        for (name, value) in object {
            if name == "__metadata__" {
                guard let pairs = value as? [String: Any] else {
                    throw SafeTensorsError.invalidHeader(file: path, reason: "__metadata__ is not an object")
                }
                for (key, item) in pairs {
                    guard let text = item as? String else {
                        throw SafeTensorsError.invalidHeader(file: path, reason: "__metadata__ value '\(key)' is not a string")
                    }
                    metadata[key] = text
                }
                continue
            }
            entries[name] = try Self.parseEntry(name: name, value: value, dataSize: dataSize, path: path)
        }
        try Self.checkContiguous(entries, dataSize: dataSize, path: path)
        self.entries = entries
        self.metadata = metadata
    }

    /// The tensors must tile the data section exactly, as the reference implementation requires: no two tensors share
    /// bytes (one edit would change both), no hole, nothing after the last (a shifted header length shows up here).
    private static func checkContiguous(_ entries: [String: Entry], dataSize: Int, path: String) throws {
        var expected = 0
        for (name, entry) in entries.sorted(by: { ($0.value.dataRange.lowerBound, $0.value.dataRange.upperBound) < ($1.value.dataRange.lowerBound, $1.value.dataRange.upperBound) }) {
            let range = entry.dataRange
            guard range.lowerBound == expected else {
                let problem = range.lowerBound < expected ? "overlaps the tensor before it, which ends at byte \(expected)"
                                                          : "leaves a hole: the tensor before it ends at byte \(expected)"
                throw SafeTensorsError.invalidTensor(file: path, tensor: name, reason: "data_offsets start at byte \(range.lowerBound) and \(problem)")
            }
            expected = range.upperBound
        }
        guard expected == dataSize else {
            throw SafeTensorsError.invalidHeader(file: path, reason: "the tensors cover \(expected) bytes of a \(dataSize)-byte data section")
        }
    }

    private static func parseEntry(name: String, value: Any, dataSize: Int, path: String) throws -> Entry {
        func invalid(_ reason: String) -> SafeTensorsError {
            SafeTensorsError.invalidTensor(file: path, tensor: name, reason: reason)
        }
        guard let fields = value as? [String: Any] else { throw invalid("entry is not an object") }
        guard let dtypeName = fields["dtype"] as? String else { throw invalid("missing dtype") }
        guard let dtype = SafeTensorsDType(rawValue: dtypeName) else { throw invalid("unknown dtype \(dtypeName)") }
        guard let shapeValues = fields["shape"] as? [Any] else { throw invalid("missing shape") }
        var shape: [Int] = []
        var elementCount = 1
        for dimension in shapeValues {
            guard let number = dimension as? NSNumber, let size = Int(exactly: number.doubleValue), size >= 0 else {
                throw invalid("shape \(shapeValues) is not a list of non-negative integers")
            }
            let (product, overflow) = elementCount.multipliedReportingOverflow(by: size)
            guard !overflow else { throw invalid("shape \(shapeValues) is too large") }
            shape.append(size)
            elementCount = product
        }
        guard let offsets = fields["data_offsets"] as? [Any], offsets.count == 2,
              let beginNumber = offsets[0] as? NSNumber, let endNumber = offsets[1] as? NSNumber,
              let begin = Int(exactly: beginNumber.doubleValue), let end = Int(exactly: endNumber.doubleValue)
        else { throw invalid("data_offsets is not a pair of integers") }
        guard begin >= 0, begin <= end else { throw invalid("data_offsets [\(begin), \(end)] are not ordered") }
        guard end <= dataSize else {
            throw SafeTensorsError.truncated(file: path, reason: "tensor '\(name)' ends at byte \(end) of a \(dataSize)-byte data section")
        }
        let (byteCount, overflow) = elementCount.multipliedReportingOverflow(by: dtype.byteCount)
        guard !overflow, byteCount == end - begin else {
            throw invalid("shape \(shape) of \(dtypeName) needs \(elementCount) × \(dtype.byteCount) bytes but data_offsets span \(end - begin)")
        }
        return Entry(dtype: dtype, shape: shape, dataRange: begin..<end)
    }

    /// The names of all tensors, sorted.
    public var tensorNames: [String] { entries.keys.sorted() }

    /// The tensor `name` as `Float` (F32 without a copy; F16, BF16 and F64 converted).
    public func tensor(named name: String) throws -> Tensor {
        guard let entry = entries[name] else { throw SafeTensorsError.missingTensor(file: path, tensor: name) }
        let count = entry.shape.reduce(1, *)
        guard let base = mapping.bytes.baseAddress else {
            return try Tensor(shape: entry.shape, values: [])
        }
        let source = base + dataStart + entry.dataRange.lowerBound
        switch entry.dtype {
        case .F32:
            #if _endian(little)
            if Int(bitPattern: source) % MemoryLayout<Float>.alignment == 0 {
                return Tensor(shape: entry.shape, borrowing: source.assumingMemoryBound(to: Float.self), owner: mapping)
            }
            #endif
            return convert(entry.shape, count, from: entry.dataRange) { i in Float(bitPattern: UInt32(littleEndian: source.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))) }
        case .F16:
            return convert(entry.shape, count, from: entry.dataRange) { i in
                Float(Float16(bitPattern: UInt16(littleEndian: source.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))))
            }
        case .BF16:
            return convert(entry.shape, count, from: entry.dataRange) { i in
                Float(bitPattern: UInt32(UInt16(littleEndian: source.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) << 16)
            }
        case .F64:
            return convert(entry.shape, count, from: entry.dataRange) { i in
                Float(Double(bitPattern: UInt64(littleEndian: source.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))))
            }
        default:
            throw SafeTensorsError.unsupportedDType(file: path, tensor: name, dtype: entry.dtype.rawValue)
        }
    }

    /// The I64 tensor `name` as integers (e.g. `position_ids` buffers).
    public func int64Values(named name: String) throws -> [Int64] {
        guard let entry = entries[name] else { throw SafeTensorsError.missingTensor(file: path, tensor: name) }
        guard entry.dtype == .I64 else {
            throw SafeTensorsError.invalidTensor(file: path, tensor: name, reason: "expected I64, found \(entry.dtype.rawValue)")
        }
        guard let base = mapping.bytes.baseAddress else { return [] }
        let source = base + dataStart + entry.dataRange.lowerBound
        return (0..<entry.shape.reduce(1, *)).map { Int64(littleEndian: source.loadUnaligned(fromByteOffset: 8 * $0, as: Int64.self)) }
    }

    /// A converted copy of one tensor; the file pages it was read from are released at once (``MappedFile/releasePages(_:)``),
    /// so that a BF16 or F16 checkpoint never holds its file bytes and their fp32 conversion in memory together: the
    /// peak while loading stays about the fp32 size, not 1.5 times it.
    private func convert(_ shape: [Int], _ count: Int, from range: Range<Int>, _ element: (Int) -> Float) -> Tensor {
        let pointer = UnsafeMutablePointer<Float>.allocate(capacity: max(1, count))
        for i in 0..<count { pointer[i] = element(i) }
        mapping.releasePages((dataStart + range.lowerBound)..<(dataStart + range.upperBound))
        return Tensor(shape: shape, adopting: pointer)
    }
}
