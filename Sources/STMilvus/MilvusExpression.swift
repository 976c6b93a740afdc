import Foundation

/// A boolean filter expression for search, query and delete, built from typed values only: field names are
/// checked, and every value is written as an escaped literal, so that a value holding quotes, brackets or operators
/// (`x" || id != "`) stays data and never becomes part of the expression.
///
/// ```swift
/// let filter = try MilvusExpression.equals("category", .string("news"))
///     .and(try .jsonEquals("metadata", key: "lang", .string("en")))
/// ```
public struct MilvusExpression: Sendable, Equatable, CustomStringConvertible {
    /// A literal value in an expression.
    public enum Literal: Sendable, Equatable {
        case string(String)
        case int(Int64)
        case double(Double)
        case bool(Bool)

        /// The literal as expression text: strings double-quoted with `\\`, `\"`, `\n`, `\r` and `\t` escaped
        /// (the escapes Milvus's parser and milvus-lite's both read).
        /// - Throws: ``MilvusError/invalidArgument(_:)`` for a non-finite number.
        func text() throws -> String {
            switch self {
            case let .string(value): return MilvusExpression.quoted(value)
            case let .int(value): return String(value)
            case let .bool(value): return value ? "true" : "false"
            case let .double(value):
                guard value.isFinite else { throw MilvusError.invalidArgument("a filter value must be finite, got \(value)") }
                return "\(value)"
            }
        }
    }

    /// The expression's text, as sent to the server.
    public let text: String

    public var description: String { text }

    private init(text: String) { self.text = text }

    /// `field == value`.
    /// - Throws: ``MilvusError/invalidArgument(_:)`` for a field name that is not an identifier, or a non-finite number.
    public static func equals(_ field: String, _ value: Literal) throws -> MilvusExpression {
        MilvusExpression(text: "\(try identifier(field)) == \(try value.text())")
    }

    /// `field in [values…]`; an empty list matches nothing.
    /// - Throws: ``MilvusError/invalidArgument(_:)`` as for ``equals(_:_:)``.
    public static func isIn(_ field: String, _ values: [Literal]) throws -> MilvusExpression {
        MilvusExpression(text: "\(try identifier(field)) in [\(try values.map { try $0.text() }.joined(separator: ", "))]")
    }

    /// `field["key"] == value` on a JSON field.
    /// - Throws: ``MilvusError/invalidArgument(_:)`` as for ``equals(_:_:)``.
    public static func jsonEquals(_ field: String, key: String, _ value: Literal) throws -> MilvusExpression {
        MilvusExpression(text: "\(try identifier(field))[\(quoted(key))] == \(try value.text())")
    }

    /// `field["key"] in [values…]` on a JSON field.
    /// - Throws: ``MilvusError/invalidArgument(_:)`` as for ``equals(_:_:)``.
    public static func jsonIn(_ field: String, key: String, _ values: [Literal]) throws -> MilvusExpression {
        MilvusExpression(text: "\(try identifier(field))[\(quoted(key))] in [\(try values.map { try $0.text() }.joined(separator: ", "))]")
    }

    /// `field > value` (or `>=`, `<`, `<=`, `!=` with `operator`).
    /// - Throws: ``MilvusError/invalidArgument(_:)`` as for ``equals(_:_:)``.
    public static func compare(_ field: String, _ comparison: Comparison, _ value: Literal) throws -> MilvusExpression {
        MilvusExpression(text: "\(try identifier(field)) \(comparison.rawValue) \(try value.text())")
    }

    /// A comparison operator of ``compare(_:_:_:)``.
    public enum Comparison: String, Sendable {
        case less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">=", notEqual = "!="
    }

    /// Both expressions.
    public func and(_ other: MilvusExpression) -> MilvusExpression { MilvusExpression(text: "(\(text)) and (\(other.text))") }

    /// Either expression.
    public func or(_ other: MilvusExpression) -> MilvusExpression { MilvusExpression(text: "(\(text)) or (\(other.text))") }

    /// The negation.
    public func negated() -> MilvusExpression { MilvusExpression(text: "not (\(text))") }

    /// A field name as it may stand in an expression: ASCII letters, digits and `_`, not starting with a digit.
    static func identifier(_ name: String) throws -> String {
        let bytes = Array(name.utf8)
        let valid = !bytes.isEmpty && bytes.count <= 255 && bytes.allSatisfy { $0 == UInt8(ascii: "_") || (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) }
            && !(0x30...0x39).contains(bytes[0])
        guard valid else { throw MilvusError.invalidArgument("\(String(reflecting: name)) is not a field name (letters, digits and _ only)") }
        return name
    }

    /// A double-quoted string literal.
    static func quoted(_ value: String) -> String {
        var out = "\""
        out.reserveCapacity(value.utf8.count + 2)
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
