/// One entry of `modules.json`: which module class, and the folder holding its files.
public struct ModuleDescription: Decodable, Sendable, Equatable {
    public var idx: Int?
    public var name: String?
    public var path: String
    public var type: String

    public init(idx: Int? = nil, name: String? = nil, path: String, type: String) {
        self.idx = idx
        self.name = name
        self.path = path
        self.type = type
    }

    /// The class name without its module path: `sentence_transformers.models.Pooling` → `Pooling`.
    public var className: String { type.split(separator: ".").last.map(String.init) ?? type }
}
