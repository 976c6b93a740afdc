import Foundation

/// Which class loads a model directory: sentence-transformers' `model_type` (`config_sentence_transformers.json`),
/// or for files without it, what the modules say (a `SpladePooling` or `SparseStaticEmbedding` makes a sparse model,
/// a `MultiVectorMask` a multi-vector one).
public enum ModelKind: String, Sendable, CaseIterable {
    case sentenceTransformer = "SentenceTransformer"
    case sparseEncoder = "SparseEncoder"
    case multiVectorEncoder = "MultiVectorEncoder"

    /// The kind of the model in `directory`.
    /// - Throws: ``SentenceTransformerError/invalidConfig(path:reason:)`` for an unreadable config.
    public static func of(directory: URL) throws -> ModelKind {
        let configURL = directory.appendingPathComponent("config_sentence_transformers.json")
        if let type = try JSONFile.decodeIfPresent(SentenceTransformerConfiguration.self, from: configURL)?.modelType,
           let kind = ModelKind(rawValue: type) {
            return kind
        }
        var types = (try JSONFile.decodeIfPresent([ModuleDescription].self, from: directory.appendingPathComponent("modules.json")) ?? [])
            .map(\.className)
        if types.contains("Router"), let data = FileManager.default.contents(atPath: directory.appendingPathComponent("router_config.json").path),
           let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any], let routed = object["types"] as? [String: String] {
            types += routed.values.map { $0.split(separator: ".").last.map(String.init) ?? $0 }
        }
        if types.contains(where: { ["SpladePooling", "SparseStaticEmbedding", "MLMTransformer"].contains($0) }) { return .sparseEncoder }
        if types.contains("MultiVectorMask") { return .multiVectorEncoder }
        return .sentenceTransformer
    }
}
