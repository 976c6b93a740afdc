/// One architecture: which configs it reads, where its checkpoint keeps the weights, and how its layers are built
/// from the layer vocabulary. Adding an architecture is one file conforming to this protocol plus one line in
/// ``Architectures/all``; inference and training both build it through ``build(_:weights:)``.
public protocol ArchitectureDefinition {
    /// The `model_type` values of its `config.json`.
    static var modelTypes: [String] { get }
    /// Lowercased prefixes of `architectures` class names, for old configs without `model_type`.
    static var classNamePrefixes: [String] { get }
    /// Key prefixes under which checkpoints store the encoder (a bare model, or one inside a model with a head).
    static var weightPrefixes: [String] { get }
    /// A key every checkpoint of the architecture has, relative to its prefix; finds the prefix.
    static var probe: String { get }
    /// Reads the sizes from `config` and builds the encoder from `weights` (already scoped to the prefix).
    /// - Throws: ``ModelError`` naming the key or tensor that is missing or wrong.
    static func build(_ config: ModelConfig, weights: some WeightSource) throws -> TransformerModel
    /// Where its `…ForSequenceClassification` checkpoints (cross-encoders) keep the head.
    static var classificationHead: SequenceClassificationHead.Layout { get }
}

extension ArchitectureDefinition {
    public static var classNamePrefixes: [String] { [] }
    public static var classificationHead: SequenceClassificationHead.Layout { .robertaClassifier }
}
