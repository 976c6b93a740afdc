/// A collection's schema: its fields, one of them the primary key.
///
/// ```swift
/// let schema = MilvusCollectionSchema(name: "docs", fields: [
///     MilvusField(name: "id", type: .varChar(maxLength: 512), isPrimaryKey: true),
///     MilvusField(name: "embedding", type: .floatVector(dimension: 384)),
/// ])
/// ```
public struct MilvusCollectionSchema: Sendable, Equatable {
    /// The collection's name.
    public var name: String
    public var description: String
    public var fields: [MilvusField]
    /// Whether rows may carry fields the schema does not name (kept in Milvus's hidden `$meta` JSON field).
    public var enableDynamicField: Bool

    public init(name: String, description: String = "", fields: [MilvusField], enableDynamicField: Bool = false) {
        self.name = name
        self.description = description
        self.fields = fields
        self.enableDynamicField = enableDynamicField
    }

    /// The field named `name`, if any.
    public func field(_ name: String) -> MilvusField? { fields.first { $0.name == name } }

    /// The primary key field, if the schema has one.
    public var primaryKey: MilvusField? { fields.first { $0.isPrimaryKey } }

    var wire: PBCollectionSchema {
        var schema = PBCollectionSchema()
        schema.name = name
        schema.description_p = description
        schema.fields = fields.map(\.wire)
        schema.enableDynamicField = enableDynamicField
        return schema
    }

    init(wire: PBCollectionSchema) {
        // The server lists its hidden dynamic field (`$meta`) among the fields; it is not the user's.
        self.init(name: wire.name, description: wire.description_p,
                  fields: wire.fields.filter { !$0.isDynamic }.map(MilvusField.init(wire:)),
                  enableDynamicField: wire.enableDynamicField)
    }
}

/// What ``MilvusClient/describeCollection(_:)`` tells of a collection.
public struct MilvusCollectionDescription: Sendable, Equatable {
    public var schema: MilvusCollectionSchema
    /// The server's id of the collection.
    public var collectionID: Int64
    /// The number of shards (virtual channels) the collection's data is spread over.
    public var shardsNumber: Int
    /// The collection's properties (key-value pairs set at creation or altered since).
    public var properties: [String: String]
}
