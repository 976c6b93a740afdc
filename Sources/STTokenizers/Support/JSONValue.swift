/// A parsed JSON document, as `tokenizer.json` components are read: dispatch on `"type"`, then read fields.
public enum JSONValue: Sendable, Equatable, Decodable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    public subscript(key: String) -> JSONValue? {
        if case let .object(fields) = self { return fields[key] }
        return nil
    }

    public var stringValue: String? { if case let .string(value) = self { return value }; return nil }
    public var boolValue: Bool? { if case let .bool(value) = self { return value }; return nil }
    public var doubleValue: Double? { if case let .number(value) = self { return value }; return nil }
    public var intValue: Int? {
        if case let .number(value) = self, let integer = Int(exactly: value) { return integer }
        return nil
    }
    public var arrayValue: [JSONValue]? { if case let .array(value) = self { return value }; return nil }
    public var objectValue: [String: JSONValue]? { if case let .object(value) = self { return value }; return nil }
    public var isNull: Bool { self == .null }
}

/// Typed field access for a component's JSON object, with errors that name the component and the field.
struct ComponentFields {
    let component: String
    let json: JSONValue

    func string(_ key: String) throws -> String {
        guard let value = json[key]?.stringValue else { throw TokenizerError.invalidField(component: component, field: key, expected: "a string") }
        return value
    }

    func optionalString(_ key: String) throws -> String? {
        guard let value = json[key], !value.isNull else { return nil }
        guard let text = value.stringValue else { throw TokenizerError.invalidField(component: component, field: key, expected: "a string or null") }
        return text
    }

    func bool(_ key: String, default defaultValue: Bool) throws -> Bool {
        guard let value = json[key], !value.isNull else { return defaultValue }
        guard let flag = value.boolValue else { throw TokenizerError.invalidField(component: component, field: key, expected: "a boolean") }
        return flag
    }

    func optionalBool(_ key: String) throws -> Bool? {
        guard let value = json[key], !value.isNull else { return nil }
        guard let flag = value.boolValue else { throw TokenizerError.invalidField(component: component, field: key, expected: "a boolean or null") }
        return flag
    }

    func int(_ key: String, default defaultValue: Int) throws -> Int {
        guard let value = json[key], !value.isNull else { return defaultValue }
        guard let number = value.intValue else { throw TokenizerError.invalidField(component: component, field: key, expected: "an integer") }
        return number
    }

    func array(_ key: String) throws -> [JSONValue] {
        guard let value = json[key]?.arrayValue else { throw TokenizerError.invalidField(component: component, field: key, expected: "an array") }
        return value
    }

    func object(_ key: String) throws -> [String: JSONValue] {
        guard let value = json[key]?.objectValue else { throw TokenizerError.invalidField(component: component, field: key, expected: "an object") }
        return value
    }
}
