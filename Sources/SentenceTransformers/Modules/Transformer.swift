import Foundation
import STModels
import STTokenizers

/// The `Transformer` module: the tokenizer and the encoder of a Hugging Face model directory, with the
/// sentence-transformers settings of `sentence_bert_config.json` (`max_seq_length`, `do_lower_case`,
/// `transformer_task`, and a multi-vector model's `query_length` / `document_length` / `query_expansion`).
///
/// Output: token embeddings `[tokens, hiddenSize]`. With `transformer_task: "fill-mask"` (SPLADE; the legacy type
/// `MLMTransformer`) the module also hands on its masked-language-model head (``Features/vocabularyHead``), so the
/// next module reads vocabulary logits.
public struct Transformer: InputModule {
    public let encoder: any TransformerEncoder
    /// Truncates at ``maxSeqLength`` and never pads (batches are packed).
    public let tokenizer: Tokenizer
    /// Inputs longer than this many tokens (special tokens included) are truncated.
    public let maxSeqLength: Int
    /// Lowercase texts before tokenizing (`do_lower_case` in `sentence_bert_config.json`).
    public let doLowerCase: Bool
    /// `transformer_task`: what the module outputs.
    public let task: Task
    /// The masked-language-model head of a `fill-mask` transformer.
    public let vocabularyHead: MaskedLanguageModelHead?
    /// Multi-vector models: queries / documents truncated to these many tokens instead of ``maxSeqLength``.
    public let queryLength: Int?
    public let documentLength: Int?
    /// Multi-vector models: how queries are padded (ColBERT's query augmentation).
    public let queryExpansion: QueryExpansion?
    /// The folder the module was loaded from (``save(to:)`` copies its configuration, tokenizer and weight files).
    public let sourceDirectory: URL

    /// `transformer_task` of `sentence_bert_config.json`.
    public enum Task: String, Sendable {
        case featureExtraction = "feature-extraction"
        case fillMask = "fill-mask"
        /// A cross-encoder's transformer: hidden states here, the classification head in ``CrossEncoder``.
        case sequenceClassification = "sequence-classification"
    }

    /// ColBERT's query expansion (`query_expansion` with strategy `"fixed"`): queries padded to `length` tokens with
    /// `tokenID` (the mask token by default), which the other tokens do not attend to unless `attend`.
    public struct QueryExpansion: Sendable, Equatable {
        public var length: Int
        public var tokenID: Int
        public var attend: Bool
    }

    struct SentenceBertConfig: Decodable {
        var maxSeqLength: Int?
        var doLowerCase: Bool?
        var transformerTask: String?
        var queryLength: Int?
        var documentLength: Int?
        var queryExpansion: QueryExpansionConfig?
        enum CodingKeys: String, CodingKey {
            case maxSeqLength = "max_seq_length", doLowerCase = "do_lower_case", transformerTask = "transformer_task",
                 queryLength = "query_length", documentLength = "document_length", queryExpansion = "query_expansion"
        }
    }

    struct QueryExpansionConfig: Decodable {
        var strategy: String?
        var attend: Bool?
        var token: String?
        var length: Int?
    }

    struct TokenizerConfig: Decodable {
        var modelMaxLength: Double?
        var truncationSide: String?
        enum CodingKeys: String, CodingKey { case modelMaxLength = "model_max_length", truncationSide = "truncation_side" }
    }

    /// Loads the module from its folder in a model directory (the registry's entry point).
    public init(context: ModuleLoadContext, defaultTask: Task = .featureExtraction) throws {
        try self.init(directory: context.directory, variant: context.variant, compute: context.compute, defaultTask: defaultTask,
                      maxSeqLength: context.maxSeqLength, weights: context.weights, weightsFile: context.relativePath(of: "model.safetensors"))
    }

    /// Loads the module from `directory` (the model root for most models); `variant` picks
    /// `model.VARIANT.safetensors` (e.g. `"fp16"`); `maxSeqLength` replaces the configured `max_seq_length`; `weights`
    /// builds the encoder's weights (a training parameter set keeps them under `weightsFile`).
    /// - Throws: ``SentenceTransformerError`` or ``ModelError`` for a missing or invalid file, or a `maxSeqLength`
    ///   outside 1…`max_position_embeddings`.
    public init(directory: URL, variant: String? = nil, compute: ComputePrecision = .float32, defaultTask: Task = .featureExtraction,
                maxSeqLength requested: Int? = nil, weights: any WeightSourceProvider = InferenceWeightProvider(),
                weightsFile: String = "model.safetensors") throws {
        encoder = try Architectures.build(directory: directory, variant: variant, compute: compute, provider: weights, file: weightsFile)
        sourceDirectory = directory
        let sentenceConfigName = try Self.firstConfigName(in: directory)
        let sentenceConfigURL = directory.appendingPathComponent(sentenceConfigName ?? "sentence_bert_config.json")
        let sentenceConfig = try sentenceConfigName.map { try JSONFile.decode(SentenceBertConfig.self, from: directory.appendingPathComponent($0)) }
        let tokenizerConfig = try JSONFile.decodeIfPresent(TokenizerConfig.self, from: directory.appendingPathComponent("tokenizer_config.json"))

        // sentence-transformers: max_seq_length from its own config, else min(model_max_length, max_position_embeddings).
        let configured: Int
        if let value = sentenceConfig?.maxSeqLength {
            configured = value
        } else if let modelMax = tokenizerConfig?.modelMaxLength, modelMax.isFinite, modelMax > 0 {
            configured = Int(min(modelMax, Double(encoder.maxPositionEmbeddings)))
        } else {
            configured = encoder.maxPositionEmbeddings
        }
        guard configured > 0 else {
            throw SentenceTransformerError.invalidConfig(path: sentenceConfigURL.path, reason: "max_seq_length must be positive")
        }
        if let requested {
            // Python's setter takes any value and fails later on a long input; the limit is checked here instead.
            guard requested > 0, requested <= encoder.maxPositionEmbeddings else {
                throw SentenceTransformerError.invalidArgument(
                    "max_seq_length \(requested) is outside 1…\(encoder.maxPositionEmbeddings) (the model's position embeddings)")
            }
        }
        maxSeqLength = requested ?? configured
        doLowerCase = sentenceConfig?.doLowerCase ?? false

        var tokenizer = try Tokenizer(directory: directory)
        // The file's own truncation and padding blocks are replaced, as sentence-transformers does.
        let direction: TruncationDirection = tokenizerConfig?.truncationSide == "left" ? .left : .right
        tokenizer.truncation = Truncation(maxLength: maxSeqLength, strategy: .longestFirst, direction: direction)
        tokenizer.padding = nil
        self.tokenizer = tokenizer

        let taskName = sentenceConfig?.transformerTask ?? defaultTask.rawValue
        guard let task = Task(rawValue: taskName) else {
            throw SentenceTransformerError.invalidConfig(
                path: sentenceConfigURL.path, reason: "transformer_task '\(taskName)' is not supported (feature-extraction, fill-mask, sequence-classification)")
        }
        self.task = task
        vocabularyHead = task == .fillMask ? try MaskedLanguageModelHead(directory: directory, variant: variant, compute: compute) : nil

        for (name, value) in [("query_length", sentenceConfig?.queryLength), ("document_length", sentenceConfig?.documentLength)] {
            if let value, value <= 0 {
                throw SentenceTransformerError.invalidConfig(path: sentenceConfigURL.path, reason: "\(name) must be positive, got \(value)")
            }
        }
        queryLength = sentenceConfig?.queryLength
        documentLength = sentenceConfig?.documentLength
        if let expansion = sentenceConfig?.queryExpansion {
            queryExpansion = try Self.queryExpansion(expansion, tokenizer: tokenizer, path: sentenceConfigURL.path)
        } else {
            queryExpansion = nil
        }
    }

    private static func queryExpansion(_ config: QueryExpansionConfig, tokenizer: Tokenizer, path: String) throws -> QueryExpansion? {
        let strategy = config.strategy ?? "fixed"
        guard strategy == "fixed" else {
            throw SentenceTransformerError.invalidConfig(path: path, reason: "query_expansion strategy '\(strategy)' is not supported (fixed)")
        }
        guard let length = config.length, length > 0 else {
            throw SentenceTransformerError.invalidConfig(path: path, reason: "query_expansion needs a positive length")
        }
        let tokenText = config.token ?? "[MASK]"
        guard let id = tokenizer.id(forToken: tokenText) ?? (config.token == nil ? tokenizer.id(forToken: "<mask>") : nil) else {
            throw SentenceTransformerError.invalidConfig(path: path, reason: "query_expansion token '\(tokenText)' is not in the vocabulary")
        }
        return QueryExpansion(length: length, tokenID: id, attend: config.attend ?? false)
    }

    private static func firstConfigName(in directory: URL) throws -> String? {
        ["sentence_bert_config.json", "sentence_roberta_config.json", "sentence_distilbert_config.json",
         "sentence_camembert_config.json", "sentence_albert_config.json", "sentence_xlm-roberta_config.json",
         "sentence_xlnet_config.json"].first { FileManager.default.fileExists(atPath: directory.appendingPathComponent($0).path) }
    }

    public var vocabularySize: Int { encoder.vocabSize }
    public var addsSpecialTokens: Bool { true }
    /// The width of the module's output: the hidden size, or the vocabulary size of a `fill-mask` transformer
    /// (whose output, as in Python, is the logits; ``Features/vocabularyHead`` computes them when read).
    public var outputDimension: Int { vocabularyHead?.vocabularySize ?? encoder.hiddenSize }
    /// Token rows; a fill-mask Transformer's are read through its vocabulary head by SpladePooling.
    public var output: ModuleOutput { .tokenEmbeddings }
    public var parameterCount: Int { encoder.parameterCount + (vocabularyHead?.parameterCount ?? 0) }
    public var summary: String {
        "Transformer(max_seq_length: \(maxSeqLength), do_lower_case: \(doLowerCase), architecture: \(encoder.architectureName)"
            + (task == .fillMask ? ", transformer_task: fill-mask)" : ")")
    }

    /// Copies the Hugging Face files (config, tokenizer, weights as loaded) and writes `sentence_bert_config.json`
    /// with this module's settings (every other key of the original kept).
    public func save(to folder: URL) throws {
        let fileManager = FileManager.default
        let weights = (try? fileManager.contentsOfDirectory(atPath: sourceDirectory.path))?
            .filter { $0.hasSuffix(".safetensors") || $0.hasSuffix(".safetensors.index.json") } ?? []
        try ModelDirectory.copy(["config.json"] + ModelDirectory.tokenizerFiles + weights, from: sourceDirectory, to: folder)
        let name = try Self.firstConfigName(in: sourceDirectory) ?? "sentence_bert_config.json"
        var object: [String: Any] = [:]
        if let data = fileManager.contents(atPath: sourceDirectory.appendingPathComponent(name).path),
           let existing = try? JSONSerialization.jsonObject(with: data) as? [String: Any] {
            object = existing
        }
        object["max_seq_length"] = maxSeqLength
        object["do_lower_case"] = doLowerCase
        object["transformer_task"] = task.rawValue
        try ModelDirectory.writeJSON(object, to: folder.appendingPathComponent("sentence_bert_config.json"))
    }

    /// Tokenizes one text as the model sees it (lowercased if configured, truncated to ``maxSeqLength``).
    /// - Throws: ``TokenizerError`` when the tokenizer cannot process the text.
    public func tokenize(_ text: String) throws -> Encoding {
        try tokenize(text, task: nil)
    }

    /// Tokenizes one text for `task`: a multi-vector model truncates queries to `query_length` and documents to
    /// `document_length`, and pads queries with its expansion token (attention mask 0 unless `attend`).
    /// - Throws: ``TokenizerError`` when the tokenizer cannot process the text.
    public func tokenize(_ text: String, task: String?) throws -> Encoding {
        let input = doLowerCase ? text.lowercased() : text
        let limit: Int? = switch task {
        case "query": queryLength ?? queryExpansion?.length
        case "document": documentLength
        default: nil
        }
        var truncating = tokenizer
        if let limit, var truncation = truncating.truncation {
            truncation.maxLength = min(limit, maxSeqLength)
            truncating.truncation = truncation
        }
        var encoding = try truncating.encode(input)
        if task == "query", let expansion = queryExpansion, encoding.ids.count < expansion.length {
            let extra = expansion.length - encoding.ids.count
            encoding.ids += Array(repeating: expansion.tokenID, count: extra)
            encoding.typeIDs += Array(repeating: 0, count: extra)
            encoding.tokens += Array(repeating: tokenizer.token(forID: expansion.tokenID) ?? "", count: extra)
            encoding.offsets += Array(repeating: 0..<0, count: extra)
            encoding.specialTokensMask += Array(repeating: 1, count: extra)
            encoding.attentionMask += Array(repeating: expansion.attend ? 1 : 0, count: extra)
        }
        return encoding
    }

    /// sentence-transformers counts a prompt's tokens with the leading special token, without the trailing one.
    public func promptLength(of prompt: String) throws -> Int {
        prompt.isEmpty ? 0 : max(0, try tokenize(prompt).count - 1)
    }

    /// Runs the encoder on ``Features/encodings``: token embeddings, and the vocabulary head when `fill-mask`.
    /// - Throws: ``ModelError/invalidInput(_:)`` for an id outside the vocabulary.
    public func forward(_ features: inout Features) throws {
        let batch = try batch(of: features)
        let output = try encoder.forward(batch, outputHiddenStates: false)
        features.tokenEmbeddings = output.lastHiddenState
        features.tokenDimension = output.hiddenSize
        features.sequences = batch.sequences
        features.vocabularyHead = vocabularyHead
    }

    /// The packed batch of ``Features/encodings``.
    /// - Throws: ``ModelError/invalidInput(_:)`` for an id outside 32 bits.
    func batch(of features: Features) throws -> TokenBatch {
        var batch = TokenBatch()
        for encoding in features.encodings {
            // Attention mask 0 only ever trails (query expansion): the attended tokens are the leading ones.
            let attended = encoding.attentionMask.count == encoding.ids.count
                ? (encoding.attentionMask.lastIndex(of: 1).map { $0 + 1 } ?? 0) : encoding.ids.count
            try batch.append(inputIDs: encoding.ids, tokenTypeIDs: encoding.typeIDs, attendedLength: attended)
        }
        return batch
    }
}
