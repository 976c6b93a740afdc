import Foundation

/// `config_sentence_transformers.json`: prompts, the default prompt, the similarity function, the Matryoshka
/// truncation, the model kind and a sparse model's active-dimension limit. Every key is optional.
public struct SentenceTransformerConfiguration: Decodable, Sendable, Equatable {
    public var prompts: [String: String] = [:]
    public var defaultPromptName: String?
    public var similarityFnName: String?
    public var truncateDim: Int?
    /// `"SentenceTransformer"`, `"SparseEncoder"`, `"MultiVectorEncoder"` (absent in files saved before 5.0).
    public var modelType: String?
    /// A sparse model's default `max_active_dims`.
    public var maxActiveDims: Int?

    enum CodingKeys: String, CodingKey {
        case prompts, defaultPromptName = "default_prompt_name", similarityFnName = "similarity_fn_name", truncateDim = "truncate_dim",
             modelType = "model_type", maxActiveDims = "max_active_dims"
    }

    public init() {}

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        prompts = try c.decodeIfPresent([String: String].self, forKey: .prompts) ?? [:]
        defaultPromptName = try c.decodeIfPresent(String.self, forKey: .defaultPromptName)
        similarityFnName = try c.decodeIfPresent(String.self, forKey: .similarityFnName)
        truncateDim = try c.decodeIfPresent(Int.self, forKey: .truncateDim)
        modelType = try c.decodeIfPresent(String.self, forKey: .modelType)
        maxActiveDims = try c.decodeIfPresent(Int.self, forKey: .maxActiveDims)
    }

    /// The file's keys (`model_type` set to `kind`), for saving.
    func jsonObject(kind: String) -> [String: Any] {
        var object: [String: Any] = ["prompts": prompts, "model_type": kind,
                                     "default_prompt_name": defaultPromptName.map { $0 as Any } ?? NSNull()]
        if let similarityFnName { object["similarity_fn_name"] = similarityFnName }
        if let truncateDim { object["truncate_dim"] = truncateDim }
        if let maxActiveDims { object["max_active_dims"] = maxActiveDims }
        return object
    }

    /// The prompt text for an explicit `prompt`, a `promptName`, the task's own prompt (`encodeQuery`: `"query"`;
    /// `encodeDocument`: `"document"`, else `"passage"`, else `"corpus"`), or the default prompt, in that order.
    /// - Throws: ``SentenceTransformerError/unknownPromptName(_:available:)`` for a name the model lacks.
    public func resolvePrompt(prompt: String?, promptName: String?, task: String? = nil) throws -> String? {
        if let prompt { return prompt }
        if let promptName {
            guard let text = prompts[promptName] else {
                throw SentenceTransformerError.unknownPromptName(promptName, available: prompts.keys.sorted())
            }
            return text
        }
        let taskNames: [String] = switch task {
        case "query": ["query"]
        case "document": ["document", "passage", "corpus"]
        default: []
        }
        if let name = taskNames.first(where: { prompts[$0] != nil }) { return prompts[name] }
        return defaultPromptName.flatMap { prompts[$0] }
    }
}
