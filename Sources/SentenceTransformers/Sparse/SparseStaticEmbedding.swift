import Foundation
import STTensor
import STTokenizers

/// The `SparseStaticEmbedding` module: the query side of an inference-free SPLADE model. A text's vector holds
/// `weight[v]` for every distinct token id `v` it contains (presence, not count) and 0 elsewhere; no transformer
/// runs. Tokenization has no special tokens and truncates at the tokenizer's `model_max_length`.
/// Formula: sentence-transformers 6.2 `SparseStaticEmbedding.forward`.
public struct SparseStaticEmbedding: InputModule {
    /// `[vocabularySize]`: one weight per token (an IDF table).
    public let weight: Tensor
    public let tokenizer: Tokenizer
    public let maxSeqLength: Int
    /// `frozen` of `config.json` (training only; kept so a saved model says the same).
    public let frozen: Bool
    /// The folder holding the tokenizer files (``save(to:)`` copies them).
    public let sourceDirectory: URL
    public var doLowerCase: Bool { false }
    public var addsSpecialTokens: Bool { false }
    public var vocabularySize: Int { weight.count }
    public var outputDimension: Int { weight.count }
    public var output: ModuleOutput { .sparseEmbedding }

    /// Loads `model.safetensors` (`weight`), the tokenizer and `tokenizer_config.json`'s `model_max_length`.
    /// - Throws: ``SentenceTransformerError`` for a missing or misshapen file.
    public init(directory: URL) throws {
        let url = directory.appendingPathComponent("model.safetensors")
        guard FileManager.default.fileExists(atPath: url.path) else { throw SentenceTransformerError.missingFile(path: url.path) }
        let file = try SafeTensorsFile(path: url.path)
        guard file.entries["weight"] != nil else {
            throw SentenceTransformerError.invalidConfig(path: url.path, reason: "no tensor 'weight'")
        }
        let weight = try file.tensor(named: "weight")
        guard weight.shape.count == 1, weight.count > 0 else {
            throw SentenceTransformerError.invalidConfig(path: url.path, reason: "'weight' must be a vector, got shape \(weight.shape)")
        }
        self.weight = weight
        sourceDirectory = directory
        struct ModuleConfig: Decodable { var frozen: Bool? }
        frozen = try JSONFile.decodeIfPresent(ModuleConfig.self, from: directory.appendingPathComponent("config.json"))?.frozen ?? false
        struct TokenizerConfig: Decodable {
            var modelMaxLength: Double?
            enum CodingKeys: String, CodingKey { case modelMaxLength = "model_max_length" }
        }
        let configured = try JSONFile.decodeIfPresent(TokenizerConfig.self, from: directory.appendingPathComponent("tokenizer_config.json"))?
            .modelMaxLength
        maxSeqLength = configured.flatMap { $0.isFinite && $0 > 0 && $0 < Double(Int32.max) ? Int($0) : nil } ?? Int.max
        var tokenizer = try Tokenizer(directory: directory)
        tokenizer.padding = nil
        tokenizer.truncation = maxSeqLength == Int.max ? nil : Truncation(maxLength: maxSeqLength, strategy: .longestFirst, direction: .right)
        self.tokenizer = tokenizer
    }

    public var parameterCount: Int { weight.count }
    public var summary: String { "SparseStaticEmbedding(dimension: \(vocabularySize))" }

    /// Writes `config.json`, `model.safetensors` (`weight`) and copies the tokenizer files.
    public func save(to folder: URL) throws {
        try ModelDirectory.copy(ModelDirectory.tokenizerFiles, from: sourceDirectory, to: folder)
        try ModelDirectory.writeJSON(["frozen": frozen], to: folder.appendingPathComponent("config.json"))
        try SafeTensorsWriter.write(["weight": weight], metadata: ["format": "pt"], to: folder.appendingPathComponent("model.safetensors").path)
    }

    public func tokenize(_ text: String, task: String?) throws -> Encoding {
        try tokenizer.encode(text, addSpecialTokens: false)
    }

    public func promptLength(of prompt: String) throws -> Int {
        prompt.isEmpty ? 0 : try tokenizer.encode(prompt, addSpecialTokens: false).count
    }

    /// One sparse vector per text.
    /// - Throws: ``SentenceTransformerError/invalidArgument(_:)`` for an id outside the weight vector.
    public func forward(_ features: inout Features) throws {
        features.sparseEmbeddings = try features.encodings.map { encoding in
            var entries: [Int: Float] = [:]
            for id in encoding.ids {
                guard id >= 0, id < vocabularySize else {
                    throw SentenceTransformerError.invalidArgument("token id \(id) is outside the SparseStaticEmbedding weights of \(vocabularySize)")
                }
                entries[id] = weight.baseAddress[id]
            }
            let kept = entries.filter { $0.value != 0 }.sorted { $0.key < $1.key }
            return SparseVector(trustedIndices: kept.map(\.key), values: kept.map(\.value), dimension: vocabularySize)
        }
        features.sentenceDimension = vocabularySize
        features.sequences = features.encodings.map { _ in 0..<0 }
    }
}
