/// One field of a collection's schema.
public struct MilvusField: Sendable, Equatable {
    /// The field's name: letters, digits and underscores, not starting with a digit.
    public var name: String
    public var type: MilvusDataType
    /// Whether this is the primary key (exactly one field is; `int64` or `varChar`).
    public var isPrimaryKey: Bool
    /// Whether the server assigns the primary key (then inserts leave it out).
    public var autoID: Bool
    public var description: String

    /// - Parameters:
    ///   - name: The field's name.
    ///   - type: Its type and type parameters.
    ///   - isPrimaryKey: Whether it is the primary key.
    ///   - autoID: Whether the server assigns primary keys.
    ///   - description: Free text kept in the schema.
    public init(name: String, type: MilvusDataType, isPrimaryKey: Bool = false, autoID: Bool = false, description: String = "") {
        self.name = name
        self.type = type
        self.isPrimaryKey = isPrimaryKey
        self.autoID = autoID
        self.description = description
    }

    var wire: PBFieldSchema {
        var field = PBFieldSchema()
        field.name = name
        field.dataType = type.wire
        field.isPrimaryKey = isPrimaryKey
        field.autoID = autoID
        field.description_p = description
        field.typeParams = type.typeParameters.sorted { $0.key < $1.key }.map { PBKeyValuePair(key: $0.key, value: $0.value) }
        return field
    }

    init(wire: PBFieldSchema) {
        self.init(name: wire.name, type: MilvusDataType(wire: wire.dataType, parameters: wire.typeParams),
                  isPrimaryKey: wire.isPrimaryKey, autoID: wire.autoID, description: wire.description_p)
    }
}

extension PBKeyValuePair {
    init(key: String, value: String) {
        self.init()
        self.key = key
        self.value = value
    }
}
