/// A row's primary key: an integer or a string, as the collection's schema says.
public enum MilvusPrimaryKey: Sendable, Hashable, CustomStringConvertible {
    case int64(Int64)
    case string(String)

    public var description: String {
        switch self {
        case let .int64(value): return String(value)
        case let .string(value): return value
        }
    }

    /// The keys of an `IDs` message, in order.
    static func list(_ ids: PBIDs) -> [MilvusPrimaryKey] {
        switch ids.idField {
        case let .intID(v)?: return v.data.map { .int64($0) }
        case let .strID(v)?: return v.data.map { .string($0) }
        case nil: return []
        }
    }
}
