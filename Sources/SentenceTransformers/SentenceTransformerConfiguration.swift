/// `config_sentence_transformers.json`: prompts, the default prompt, the similarity function, the Matryoshka
/// truncation. Every key is optional.
public struct SentenceTransformerConfiguration: Decodable, Sendable, Equatable {
    public var prompts: [String: String] = [:]
    public var defaultPromptName: String?
    public var similarityFnName: String?
    public var truncateDim: Int?

    enum CodingKeys: String, CodingKey {
        case prompts, defaultPromptName = "default_prompt_name", similarityFnName = "similarity_fn_name", truncateDim = "truncate_dim"
    }

    public init() {}

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        prompts = try c.decodeIfPresent([String: String].self, forKey: .prompts) ?? [:]
        defaultPromptName = try c.decodeIfPresent(String.self, forKey: .defaultPromptName)
        similarityFnName = try c.decodeIfPresent(String.self, forKey: .similarityFnName)
        truncateDim = try c.decodeIfPresent(Int.self, forKey: .truncateDim)
    }
}
