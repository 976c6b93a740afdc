import Foundation
import SentenceTransformers

/// One field's values for a batch of rows (column-wise, as Milvus sends and stores them).
///
/// Inserts take one column per schema field (the primary key left out when the server assigns it); queries and
/// searches return the columns asked for.
public struct MilvusColumn: Sendable, Equatable {
    /// The values of one column, row after row.
    public enum Values: Sendable, Equatable {
        case bool([Bool])
        case int32([Int32])
        case int64([Int64])
        case float([Float])
        case double([Double])
        case varChar([String])
        /// One serialized JSON document per row.
        case json([Data])
        /// Rows of `dimension` fp32 values, one after another (`values.count` = rows × dimension).
        case floatVector(dimension: Int, values: [Float])
        /// Rows of `dimension` bits packed into `dimension / 8` bytes, one after another.
        case binaryVector(dimension: Int, bytes: [UInt8])
        /// One sparse fp32 vector per row (Milvus 2.4+, milvus-lite).
        case sparseFloatVector([SparseVector])
    }

    /// The field's name.
    public var name: String
    public var values: Values

    public init(name: String, values: Values) {
        self.name = name
        self.values = values
    }

    /// The number of rows the column holds (0 for a vector column with a non-positive dimension).
    public var count: Int {
        switch values {
        case let .bool(v): return v.count
        case let .int32(v): return v.count
        case let .int64(v): return v.count
        case let .float(v): return v.count
        case let .double(v): return v.count
        case let .varChar(v): return v.count
        case let .json(v): return v.count
        case let .floatVector(dimension, v): return dimension > 0 ? v.count / dimension : 0
        case let .binaryVector(dimension, v): return dimension >= 8 ? v.count / (dimension / 8) : 0
        case let .sparseFloatVector(v): return v.count
        }
    }

    /// The bytes the column takes in a message, roughly (for splitting inserts under the size limit).
    var estimatedBytes: Int {
        switch values {
        case let .bool(v): return v.count
        case let .int32(v): return 4 * v.count
        case let .int64(v): return 8 * v.count
        case let .float(v): return 4 * v.count
        case let .double(v): return 8 * v.count
        case let .varChar(v): return v.reduce(0) { $0 + $1.utf8.count + 3 }
        case let .json(v): return v.reduce(0) { $0 + $1.count + 3 }
        case let .floatVector(_, v): return 4 * v.count
        case let .binaryVector(_, v): return v.count
        case let .sparseFloatVector(v): return v.reduce(0) { $0 + 8 * $1.nonzeroCount + 3 }
        }
    }

    /// Rows `range` of the column.
    func rows(_ range: Range<Int>) -> MilvusColumn {
        func slice<T>(_ v: [T], _ width: Int = 1) -> [T] { Array(v[(range.lowerBound * width)..<(range.upperBound * width)]) }
        switch values {
        case let .bool(v): return MilvusColumn(name: name, values: .bool(slice(v)))
        case let .int32(v): return MilvusColumn(name: name, values: .int32(slice(v)))
        case let .int64(v): return MilvusColumn(name: name, values: .int64(slice(v)))
        case let .float(v): return MilvusColumn(name: name, values: .float(slice(v)))
        case let .double(v): return MilvusColumn(name: name, values: .double(slice(v)))
        case let .varChar(v): return MilvusColumn(name: name, values: .varChar(slice(v)))
        case let .json(v): return MilvusColumn(name: name, values: .json(slice(v)))
        case let .floatVector(d, v): return MilvusColumn(name: name, values: .floatVector(dimension: d, values: slice(v, d)))
        case let .binaryVector(d, v): return MilvusColumn(name: name, values: .binaryVector(dimension: d, bytes: slice(v, d / 8)))
        case let .sparseFloatVector(v): return MilvusColumn(name: name, values: .sparseFloatVector(slice(v)))
        }
    }

    var wire: PBFieldData {
        var field = PBFieldData()
        field.fieldName = name
        var scalars = PBScalarField()
        switch values {
        case let .bool(v): field.type = .bool; scalars.boolData.data = v
        case let .int32(v): field.type = .int32; scalars.intData.data = v
        case let .int64(v): field.type = .int64; scalars.longData.data = v
        case let .float(v): field.type = .float; scalars.floatData.data = v
        case let .double(v): field.type = .double; scalars.doubleData.data = v
        case let .varChar(v): field.type = .varChar; scalars.stringData.data = v
        case let .json(v): field.type = .json; scalars.jsonData.data = v
        case let .floatVector(dimension, v):
            field.type = .floatVector
            field.vectors.dim = Int64(dimension)
            field.vectors.floatVector.data = v
            return field
        case let .binaryVector(dimension, v):
            field.type = .binaryVector
            field.vectors.dim = Int64(dimension)
            field.vectors.binaryVector = Data(v)
            return field
        case let .sparseFloatVector(v):
            field.type = .sparseFloatVector
            var array = PBSparseFloatArray()
            array.contents = v.map(Self.sparseRow)
            array.dim = Int64(v.map(\.dimension).max() ?? 0)
            field.vectors.dim = array.dim
            field.vectors.sparseFloatVector = array
            return field
        }
        field.scalars = scalars
        return field
    }

    /// The column of a server answer; `nil` for a type this client does not read.
    init?(wire: PBFieldData) {
        name = wire.fieldName
        switch wire.field {
        case let .scalars(scalars)?:
            switch scalars.data {
            case let .boolData(v)?: values = .bool(v.data)
            case let .intData(v)?: values = .int32(v.data)
            case let .longData(v)?: values = .int64(v.data)
            case let .floatData(v)?: values = .float(v.data)
            case let .doubleData(v)?: values = .double(v.data)
            case let .stringData(v)?: values = .varChar(v.data)
            case let .jsonData(v)?: values = .json(v.data)
            case nil: values = wire.type == .varChar ? .varChar([]) : .int64([])
            default: return nil
            }
        case let .vectors(vectors)?:
            let dimension = Int(clamping: vectors.dim)
            switch vectors.data {
            case let .floatVector(v)?: values = .floatVector(dimension: dimension, values: v.data)
            case let .binaryVector(v)?: values = .binaryVector(dimension: dimension, bytes: [UInt8](v))
            case let .sparseFloatVector(v)?:
                // The server's `dim` is one past the largest index it holds.
                guard let rows = try? v.contents.map({ try Self.sparseVector($0, dimension: Int(clamping: v.dim)) }) else { return nil }
                values = .sparseFloatVector(rows)
            default: return nil
            }
        case nil:
            return nil
        }
    }

    /// A sparse row as Milvus sends it: (`UInt32` index, `Float32` value) pairs, little-endian, indices ascending.
    static func sparseRow(_ vector: SparseVector) -> Data {
        var data = Data(capacity: 8 * vector.nonzeroCount)
        for (index, value) in zip(vector.indices, vector.values) {
            withUnsafeBytes(of: UInt32(truncatingIfNeeded: index).littleEndian) { data.append(contentsOf: $0) }
            withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) }
        }
        return data
    }

    /// A sparse row read back (see ``sparseRow(_:)``).
    /// - Throws: ``MilvusError/unexpectedResponse(operation:reason:)`` for a length that is not a multiple of 8 or
    ///   indices out of order or past `dimension`.
    static func sparseVector(_ row: Data, dimension: Int) throws -> SparseVector {
        guard row.count % 8 == 0 else {
            throw MilvusError.unexpectedResponse(operation: "Query", reason: "a sparse row of \(row.count) bytes")
        }
        let bytes = [UInt8](row)
        func word(_ offset: Int) -> UInt32 {
            UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16 | UInt32(bytes[offset + 3]) << 24
        }
        let pairs = stride(from: 0, to: bytes.count, by: 8)
        do {
            return try SparseVector(indices: pairs.map { Int(word($0)) }, values: pairs.map { Float(bitPattern: word($0 + 4)) }, dimension: dimension)
        } catch {
            throw MilvusError.unexpectedResponse(operation: "Query", reason: "a malformed sparse row: \(error)")
        }
    }
}
