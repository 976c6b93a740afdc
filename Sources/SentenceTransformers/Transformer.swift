import Foundation
import STModels
import STTokenizers

/// The `Transformer` module: the tokenizer and the encoder of a Hugging Face model directory, with the
/// sentence-transformers settings (`max_seq_length`, `do_lower_case`).
public struct Transformer: Sendable {
    public let encoder: any TransformerEncoder
    /// Truncates at ``maxSeqLength`` and never pads (batches are packed).
    public let tokenizer: Tokenizer
    /// Inputs longer than this many tokens (special tokens included) are truncated.
    public let maxSeqLength: Int
    /// Lowercase texts before tokenizing (`do_lower_case` in `sentence_bert_config.json`).
    public let doLowerCase: Bool

    struct SentenceBertConfig: Decodable {
        var maxSeqLength: Int?
        var doLowerCase: Bool?
        enum CodingKeys: String, CodingKey { case maxSeqLength = "max_seq_length", doLowerCase = "do_lower_case" }
    }

    struct TokenizerConfig: Decodable {
        var modelMaxLength: Double?
        var truncationSide: String?
        enum CodingKeys: String, CodingKey { case modelMaxLength = "model_max_length", truncationSide = "truncation_side" }
    }

    /// Loads the module from `directory` (the model root for most models); `variant` picks
    /// `model.VARIANT.safetensors` (e.g. `"fp16"`).
    public init(directory: URL, variant: String? = nil, precision: Precision = .float32) throws {
        encoder = try Architectures.loadEncoder(from: directory, variant: variant, precision: precision)
        let sentenceConfig = try Self.firstConfig(
            in: directory,
            names: ["sentence_bert_config.json", "sentence_roberta_config.json", "sentence_distilbert_config.json",
                    "sentence_camembert_config.json", "sentence_albert_config.json", "sentence_xlm-roberta_config.json",
                    "sentence_xlnet_config.json"])
        let tokenizerConfig = try JSONFile.decodeIfPresent(TokenizerConfig.self, from: directory.appendingPathComponent("tokenizer_config.json"))

        // sentence-transformers: max_seq_length from its own config, else min(model_max_length, max_position_embeddings).
        if let configured = sentenceConfig?.maxSeqLength {
            maxSeqLength = configured
        } else if let modelMax = tokenizerConfig?.modelMaxLength, modelMax.isFinite, modelMax > 0 {
            maxSeqLength = Int(min(modelMax, Double(encoder.maxPositionEmbeddings)))
        } else {
            maxSeqLength = encoder.maxPositionEmbeddings
        }
        guard maxSeqLength > 0 else {
            throw SentenceTransformerError.invalidConfig(path: directory.appendingPathComponent("sentence_bert_config.json").path, reason: "max_seq_length must be positive")
        }
        doLowerCase = sentenceConfig?.doLowerCase ?? false

        var tokenizer = try Tokenizer(directory: directory)
        // The file's own truncation and padding blocks are replaced, as sentence-transformers does.
        let direction: TruncationDirection = tokenizerConfig?.truncationSide == "left" ? .left : .right
        tokenizer.truncation = Truncation(maxLength: maxSeqLength, strategy: .longestFirst, direction: direction)
        tokenizer.padding = nil
        self.tokenizer = tokenizer
    }

    private static func firstConfig(in directory: URL, names: [String]) throws -> SentenceBertConfig? {
        for name in names {
            if let config = try JSONFile.decodeIfPresent(SentenceBertConfig.self, from: directory.appendingPathComponent(name)) {
                return config
            }
        }
        return nil
    }

    /// Tokenizes one text as the model sees it (lowercased if configured, truncated to ``maxSeqLength``).
    /// - Throws: ``TokenizerError`` when the tokenizer cannot process the text.
    public func tokenize(_ text: String) throws -> Encoding {
        try tokenizer.encode(doLowerCase ? text.lowercased() : text)
    }
}
