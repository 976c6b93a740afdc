import Foundation
import STModels

/// Where one module is loaded from, and how.
public struct ModuleLoadContext: Sendable {
    /// The module's folder (`modules.json`'s `path` inside the model directory).
    public var directory: URL
    /// The model directory (the root that holds `modules.json`).
    public var modelDirectory: URL
    /// The full type name from `modules.json` or `router_config.json`.
    public var type: String
    /// The weight file variant (`model.VARIANT.safetensors`) of the model's transformer.
    public var variant: String?
    public var compute: ComputePrecision
    /// Overrides the input module's `max_seq_length` (Python: `model.max_seq_length = n`); `nil` keeps the configured one.
    public var maxSeqLength: Int? = nil
    /// What the modules' weights are built on: inference weights, or a training parameter set.
    public var weights: any WeightSourceProvider = InferenceWeightProvider()

    /// The path of `name` in the module's folder relative to the model directory (where training saves the tensors
    /// read from it).
    public func relativePath(of name: String) -> String {
        let root = modelDirectory.standardizedFileURL.path, folder = directory.standardizedFileURL.path
        guard folder.hasPrefix(root) else { return name }
        let inside = folder.dropFirst(root.count).split(separator: "/").joined(separator: "/")
        return inside.isEmpty ? name : "\(inside)/\(name)"
    }
}

/// The one registry of module types: `modules.json`'s `type` → a loader, by class name (the last component, so the
/// sentence-transformers 6.2 paths, the 5.x `sentence_transformers.models.…` / `sparse_encoder.models.…` paths and
/// the legacy ones all resolve). Register a loader to add a module type of your own.
///
/// ```swift
/// ModuleRegistry.shared.register("MyPooling") { context in try MyPooling(directory: context.directory) }
/// ```
public final class ModuleRegistry: @unchecked Sendable {
    public typealias Loader = @Sendable (ModuleLoadContext) throws -> any SentenceModule

    /// The registry every model load uses.
    public static let shared = ModuleRegistry()

    // Guarded by `lock` (Mutex needs macOS 15; the package supports 14).
    private var loaders: [String: Loader]
    private let lock = NSLock()

    init() {
        loaders = [
            "Transformer": { try Transformer(context: $0) },
            "MLMTransformer": { try Transformer(context: $0, defaultTask: .fillMask) },
            "Pooling": { try Pooling(directory: $0.directory) },
            "Dense": { try Dense(context: $0) },
            "Normalize": { try Normalize(directory: $0.directory) },
            "StaticEmbedding": { try StaticEmbedding(directory: $0.directory) },
            "SpladePooling": { try SpladePooling(directory: $0.directory) },
            "SparseStaticEmbedding": { try SparseStaticEmbedding(directory: $0.directory) },
            "MultiVectorMask": { try MultiVectorMask(directory: $0.directory) },
            "Router": { try Router(context: $0) },
        ]
    }

    /// Adds (or replaces) the loader of modules whose type's class name is `className`.
    public func register(_ className: String, loader: @escaping Loader) {
        lock.withLock { loaders[className] = loader }
    }

    /// The class names with a loader.
    public var classNames: [String] { lock.withLock { loaders.keys.sorted() } }

    /// Loads the module of `context.type`.
    /// - Throws: ``SentenceTransformerError/unsupportedModule(type:path:)`` for a type without a loader, else what
    ///   the module's loader throws.
    public func load(_ context: ModuleLoadContext, manifest: String) throws -> any SentenceModule {
        let className = context.type.split(separator: ".").last.map(String.init) ?? context.type
        guard let loader = lock.withLock({ loaders[className] }) else {
            throw SentenceTransformerError.unsupportedModule(type: context.type, path: manifest)
        }
        return try loader(context)
    }
}
