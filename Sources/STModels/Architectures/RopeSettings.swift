/// The rotary settings of configs written by different `transformers` versions: `rope_parameters` (5.x; one object,
/// or one per layer type `full_attention` / `sliding_attention`) or the older flat keys.
struct RopeSettings {
    /// The theta of each layer type.
    var full: Double
    var sliding: Double

    /// Reads `rope_parameters`, else `fullKey` / `slidingKey`, else the defaults.
    static func read(_ config: ModelConfig, fullKey: String, slidingKey: String?, fullDefault: Double,
                     slidingDefault: Double) throws -> RopeSettings {
        var settings = RopeSettings(full: try config.double(fullKey, default: fullDefault),
                                    sliding: try slidingKey.map { try config.double($0, default: slidingDefault) } ?? slidingDefault)
        if slidingKey == nil { settings.sliding = settings.full }
        if let parameters = try config.object("rope_parameters") {
            if let full = try parameters.object("full_attention") {
                try check(full)
                settings.full = try full.double("rope_theta", default: settings.full)
                if let sliding = try parameters.object("sliding_attention") {
                    try check(sliding)
                    settings.sliding = try sliding.double("rope_theta", default: settings.sliding)
                }
            } else {
                try check(parameters)
                settings.full = try parameters.double("rope_theta", default: settings.full)
                if slidingKey == nil { settings.sliding = settings.full }
            }
        }
        guard settings.full > 0, settings.sliding > 0, settings.full.isFinite, settings.sliding.isFinite else {
            throw ModelError.unreadableConfig(path: config.path, reason: "rope_theta must be a positive number")
        }
        return settings
    }

    /// Only the default RoPE is implemented: scaled variants (linear, dynamic, YaRN, …) are refused, not ignored.
    private static func check(_ parameters: ModelConfig) throws {
        let type = try parameters.string("rope_type", default: "default")
        guard type == "default" else {
            throw ModelError.unreadableConfig(path: parameters.path, reason: "rope_type '\(type)' is not supported (only 'default')")
        }
    }
}

/// Which layers use full attention and which a sliding window: `layer_types` when the config has it (transformers 5),
/// else the architecture's own rule.
enum LayerTypes {
    static func read(_ config: ModelConfig, layers: Int, isSliding: (Int) -> Bool) throws -> [Bool] {
        guard let types = try config.strings("layer_types") else { return (0..<max(0, layers)).map(isSliding) }
        guard types.count >= layers else {
            throw ModelError.unreadableConfig(path: config.path, reason: "layer_types lists \(types.count) layers; num_hidden_layers is \(layers)")
        }
        return try types.prefix(layers).map { type in
            switch type {
            case "full_attention": return false
            case "sliding_attention": return true
            default: throw ModelError.unreadableConfig(path: config.path, reason: "layer type '\(type)' is not supported")
            }
        }
    }
}
