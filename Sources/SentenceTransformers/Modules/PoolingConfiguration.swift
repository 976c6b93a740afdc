/// `1_Pooling/config.json`, in either format sentence-transformers has written.
///
/// - v6: `{"embedding_dimension": 384, "pooling_mode": "mean" | ["max", "mean"], "include_prompt": true}`.
/// - before v6: `word_embedding_dimension` and one boolean per mode (`pooling_mode_mean_tokens`, …).
///
/// Defaults follow sentence-transformers 6.2: with legacy keys, the modes are those set to true, a missing key
/// counts as false, and none true means `mean`; with no mode keys at all the mode is `mean`.
public struct PoolingConfiguration: Decodable, Sendable, Equatable {
    public var embeddingDimension: Int?
    public var poolingModes: [PoolingMode]
    public var includePrompt: Bool

    public init(embeddingDimension: Int?, poolingModes: [PoolingMode], includePrompt: Bool = true) {
        self.embeddingDimension = embeddingDimension
        self.poolingModes = poolingModes
        self.includePrompt = includePrompt
    }

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        embeddingDimension = try c.decodeIfPresent(Int.self, forKey: Key("embedding_dimension"))
            ?? c.decodeIfPresent(Int.self, forKey: Key("word_embedding_dimension"))
        includePrompt = try c.decodeIfPresent(Bool.self, forKey: Key("include_prompt")) ?? true
        if c.contains(Key("pooling_mode")) {
            if let single = try? c.decode(PoolingMode.self, forKey: Key("pooling_mode")) {
                poolingModes = [single]
            } else {
                poolingModes = try c.decode([PoolingMode].self, forKey: Key("pooling_mode"))
            }
            guard !poolingModes.isEmpty else {
                throw DecodingError.dataCorruptedError(forKey: Key("pooling_mode"), in: c, debugDescription: "no pooling mode")
            }
            return
        }
        var modes: [PoolingMode] = []
        for (key, mode) in PoolingMode.legacyOrder where try c.decodeIfPresent(Bool.self, forKey: Key(key)) == true {
            modes.append(mode)
        }
        poolingModes = modes.isEmpty ? [.mean] : modes
    }
}
