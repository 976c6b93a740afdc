import STModels

/// What a training step gives the modules: the values and gradients of the parameters being trained, and dropout
/// (nil: evaluation mode, no dropout).
public struct TrainingContext {
    public let bank: ParameterBank
    public let dropout: Dropout?

    public init(bank: ParameterBank, dropout: Dropout?) {
        self.bank = bank
        self.dropout = dropout
    }
}

/// The gradient of a loss with respect to ``Features``' dense outputs, handed from module to module backwards.
public struct FeatureGradients {
    /// `[tokens, tokenDimension]`: the gradient of ``Features/tokenEmbeddings`` (empty until a module reads tokens).
    public var tokenEmbeddings: [Float] = []
    /// `[sequences, sentenceDimension]`: the gradient of ``Features/sentenceEmbeddings``.
    public var sentenceEmbeddings: [Float] = []

    public init(tokenEmbeddings: [Float] = [], sentenceEmbeddings: [Float] = []) {
        self.tokenEmbeddings = tokenEmbeddings
        self.sentenceEmbeddings = sentenceEmbeddings
    }
}

/// What one module's training forward pass keeps for its backward pass; each module reads back its own kind.
public protocol ModuleTape {}

/// A module that training runs: the forward of inference on the trained weights (loaded through a training
/// ``WeightSourceProvider``), keeping what the backward pass needs, and a backward pass from the gradient of its
/// output to the gradient of its input and of its parameters.
///
/// To make a module trainable, conform it here; ``ModulePipeline/trainableModules()`` refuses a pipeline with a
/// module that is not, naming it.
public protocol TrainableModule: SentenceModule {
    /// Runs the module as ``SentenceModule/forward(_:)`` does, on the weights in `context.bank`.
    /// - Throws: ``SentenceTransformerError`` when the features are not what the module reads.
    func forward(_ features: inout Features, context: TrainingContext) throws -> any ModuleTape
    /// Replaces the gradient of the module's output in `gradients` by the gradient of its input, and accumulates the
    /// gradients of its parameters into `context.bank.gradients`.
    /// - Throws: ``SentenceTransformerError/invalidArgument(_:)`` when `tape` or the gradient's shape is not this
    ///   module's.
    func backward(_ gradients: inout FeatureGradients, tape: any ModuleTape, context: TrainingContext) throws
}

extension TrainableModule {
    /// `tape` as this module's kind.
    func tape<Tape: ModuleTape>(_ tape: any ModuleTape, as type: Tape.Type) throws -> Tape {
        guard let tape = tape as? Tape else {
            throw SentenceTransformerError.invalidArgument("\(summary): backward got the tape of another module (\(Swift.type(of: tape)))")
        }
        return tape
    }

    /// Checks that a gradient has the shape of the output it belongs to.
    func check(_ gradient: [Float], count: Int, _ what: String) throws {
        guard gradient.count == count else {
            throw SentenceTransformerError.invalidArgument("\(summary): the gradient of the \(what) has \(gradient.count) values, the output \(count)")
        }
    }
}

extension ModulePipeline {
    /// The modules after the input module, each trainable, in order.
    /// - Throws: ``SentenceTransformerError/invalidArgument(_:)`` naming the first module that cannot be trained yet
    ///   (never skipped: its output would be missing from training).
    public func trainableModules() throws -> [any TrainableModule] {
        try modules.dropFirst().map { module in
            guard let trainable = module as? any TrainableModule else {
                throw SentenceTransformerError.invalidArgument("\(module.summary) cannot be trained yet: training runs every module of the model, "
                    + "and this one has no backward pass")
            }
            return trainable
        }
    }

    /// Runs `modules` on `features` for training: each module's tape, in order.
    /// - Throws: what a module throws.
    public static func forward(_ modules: [any TrainableModule], _ features: inout Features,
                               context: TrainingContext) throws -> [any ModuleTape] {
        try modules.map { try $0.forward(&features, context: context) }
    }

    /// The backward pass of `modules` from the gradient of their output, with the tapes of their forward pass.
    /// - Throws: what a module throws.
    public static func backward(_ modules: [any TrainableModule], tapes: [any ModuleTape], _ gradients: inout FeatureGradients,
                                context: TrainingContext) throws {
        for (module, tape) in zip(modules, tapes).reversed() { try module.backward(&gradients, tape: tape, context: context) }
    }
}
