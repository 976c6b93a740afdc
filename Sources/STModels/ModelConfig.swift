import Foundation
import STKernels

/// A Hugging Face `config.json`, read by key (the verbatim snake_case names) with typed accessors whose errors name the
/// file and the key. Architectures read what they need from it; a missing key takes the default the architecture's
/// `transformers` config class has.
public struct ModelConfig: Sendable {
    /// A JSON value of the file.
    indirect enum Value: Decodable, Sendable {
        case bool(Bool), int(Int), double(Double), string(String), array([Value]), object([String: Value]), null

        init(from decoder: Decoder) throws {
            let container = try decoder.singleValueContainer()
            if container.decodeNil() { self = .null }
            else if let value = try? container.decode(Bool.self) { self = .bool(value) }
            else if let value = try? container.decode(Int.self) { self = .int(value) }
            else if let value = try? container.decode(Double.self) { self = .double(value) }
            else if let value = try? container.decode(String.self) { self = .string(value) }
            else if let value = try? container.decode([Value].self) { self = .array(value) }
            else { self = .object(try container.decode([String: Value].self)) }
        }
    }

    /// The file, for error messages.
    public let path: String
    let values: [String: Value]

    /// Reads `url`.
    /// - Throws: ``ModelError/unreadableConfig(path:reason:)`` when the file is missing or not a JSON object.
    public init(contentsOf url: URL) throws {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw ModelError.unreadableConfig(path: url.path, reason: "file not found or unreadable")
        }
        do {
            self.init(path: url.path, values: try JSONDecoder().decode([String: Value].self, from: data))
        } catch {
            throw ModelError.unreadableConfig(path: url.path, reason: "not a JSON object: \(error)")
        }
    }

    init(path: String, values: [String: Value]) {
        self.path = path
        self.values = values
    }

    private func wrongType(_ key: String, _ expected: String) -> ModelError {
        ModelError.unreadableConfig(path: path, reason: "\(key) must be \(expected)")
    }

    /// Whether `key` is present and not null.
    public func has(_ key: String) -> Bool {
        if case .some(.null) = values[key] { return false }
        return values[key] != nil
    }

    public func int(_ key: String) throws -> Int? {
        switch values[key] {
        case nil, .null?: return nil
        case .int(let value)?: return value
        case .double(let value)? where value.rounded() == value && abs(value) < 1e15: return Int(value)
        default: throw wrongType(key, "an integer")
        }
    }

    public func int(_ key: String, default fallback: Int) throws -> Int { try int(key) ?? fallback }

    public func double(_ key: String) throws -> Double? {
        switch values[key] {
        case nil, .null?: return nil
        case .int(let value)?: return Double(value)
        case .double(let value)?: return value
        default: throw wrongType(key, "a number")
        }
    }

    public func double(_ key: String, default fallback: Double) throws -> Double { try double(key) ?? fallback }

    public func string(_ key: String) throws -> String? {
        switch values[key] {
        case nil, .null?: return nil
        case .string(let value)?: return value
        default: throw wrongType(key, "a string")
        }
    }

    public func string(_ key: String, default fallback: String) throws -> String { try string(key) ?? fallback }

    public func bool(_ key: String, default fallback: Bool) throws -> Bool {
        switch values[key] {
        case nil, .null?: return fallback
        case .bool(let value)?: return value
        default: throw wrongType(key, "true or false")
        }
    }

    public func strings(_ key: String) throws -> [String]? {
        switch values[key] {
        case nil, .null?: return nil
        case .array(let items)?:
            return try items.map { item in
                guard case .string(let value) = item else { throw wrongType(key, "a list of strings") }
                return value
            }
        default: throw wrongType(key, "a list of strings")
        }
    }

    /// The nested object `key` (e.g. `rope_parameters`), as a config of its own.
    public func object(_ key: String) throws -> ModelConfig? {
        switch values[key] {
        case nil, .null?: return nil
        case .object(let value)?: return ModelConfig(path: "\(path) (\(key))", values: value)
        default: throw wrongType(key, "an object")
        }
    }

    /// `model_type`, or a guess from `architectures` for files that lack it (``Architectures/definition(for:)``).
    public var modelType: String? { try? string("model_type") }

    /// The first of `architectures`.
    public var architectureName: String? { (try? strings("architectures"))?.first }

    /// Checks the sizes every transformer has before any weight is read.
    /// - Throws: ``ModelError/unreadableConfig(path:reason:)`` naming the first size that cannot be.
    public func checkSizes(hidden: Int, heads: Int, kvHeads: Int? = nil, headDim: Int? = nil, layers: Int,
                           intermediate: Int, vocab: Int, epsilon: Double) throws {
        let kvHeads = kvHeads ?? heads
        guard hidden > 0, heads > 0, kvHeads > 0, heads % kvHeads == 0 else {
            throw ModelError.unreadableConfig(path: path, reason: "hidden_size \(hidden), num_attention_heads \(heads) and num_key_value_heads \(kvHeads) must be positive, the heads a multiple of the key/value heads")
        }
        if let headDim {
            guard headDim > 0, headDim % 2 == 0 else {
                throw ModelError.unreadableConfig(path: path, reason: "head_dim \(headDim) must be positive and even")
            }
        } else if hidden % heads != 0 {
            throw ModelError.unreadableConfig(path: path, reason: "hidden_size \(hidden) is not a multiple of num_attention_heads \(heads)")
        }
        guard layers >= 0, intermediate > 0, vocab > 0 else {
            throw ModelError.unreadableConfig(path: path, reason: "sizes must be positive (layers \(layers), intermediate \(intermediate), vocabulary \(vocab))")
        }
        guard epsilon.isFinite, epsilon >= 0 else {
            throw ModelError.unreadableConfig(path: path, reason: "the norm epsilon \(epsilon) must be a finite number ≥ 0")
        }
    }

    /// The activation named by `key`.
    public func activation(_ key: String, default fallback: String) throws -> Activation {
        let name = try string(key, default: fallback)
        guard let activation = Activation(configName: name) else { throw ModelError.unsupportedActivation(name: name, path: path) }
        return activation
    }
}
