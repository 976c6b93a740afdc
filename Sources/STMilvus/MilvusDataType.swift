/// A field's type in a Milvus collection, with the parameters the type needs (vector dimensions, string lengths).
public enum MilvusDataType: Sendable, Equatable {
    case bool, int8, int16, int32, int64, float, double
    /// A UTF-8 string of at most `maxLength` bytes (Milvus allows 1…65,535).
    case varChar(maxLength: Int)
    /// A JSON document (filterable as `field["key"]`).
    case json
    /// `dimension` fp32 values.
    case floatVector(dimension: Int)
    /// `dimension` bits (a multiple of 8), packed 8 to a byte, first bit in the lowest… as Milvus stores them.
    case binaryVector(dimension: Int)
    /// `dimension` fp16 values.
    case float16Vector(dimension: Int)
    /// Sparse fp32 vectors (Milvus 2.4+; milvus-lite), no fixed dimension.
    case sparseFloatVector
    /// A type this client does not model, by its wire number.
    case other(Int)

    var wire: PBDataType {
        switch self {
        case .bool: return .bool
        case .int8: return .int8
        case .int16: return .int16
        case .int32: return .int32
        case .int64: return .int64
        case .float: return .float
        case .double: return .double
        case .varChar: return .varChar
        case .json: return .json
        case .floatVector: return .floatVector
        case .binaryVector: return .binaryVector
        case .float16Vector: return .float16Vector
        case .sparseFloatVector: return .sparseFloatVector
        case let .other(number): return PBDataType(rawValue: number) ?? .none
        }
    }

    var typeParameters: [String: String] {
        switch self {
        case let .varChar(maxLength): return ["max_length": String(maxLength)]
        case let .floatVector(dimension), let .binaryVector(dimension), let .float16Vector(dimension): return ["dim": String(dimension)]
        default: return [:]
        }
    }

    /// The type of a field the server describes; unknown or malformed parameters give `.other` or a zero size.
    init(wire: PBDataType, parameters: [PBKeyValuePair]) {
        func integer(_ key: String) -> Int { parameters.first { $0.key == key }.flatMap { Int($0.value) } ?? 0 }
        switch wire {
        case .bool: self = .bool
        case .int8: self = .int8
        case .int16: self = .int16
        case .int32: self = .int32
        case .int64: self = .int64
        case .float: self = .float
        case .double: self = .double
        case .varChar, .string: self = .varChar(maxLength: integer("max_length"))
        case .json: self = .json
        case .floatVector: self = .floatVector(dimension: integer("dim"))
        case .binaryVector: self = .binaryVector(dimension: integer("dim"))
        case .float16Vector: self = .float16Vector(dimension: integer("dim"))
        case .sparseFloatVector: self = .sparseFloatVector
        default: self = .other(wire.rawValue)
        }
    }
}
