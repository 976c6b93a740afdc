import Foundation
import STTensor
import STTokenizers

/// The `StaticEmbedding` module (model2vec, static-retrieval models): a text's embedding is the mean of the rows
/// of one embedding table `[vocabulary, dimension]` over its token ids, with no transformer: thousands of texts per
/// second on one core.
///
/// Tokenization has no special tokens and no padding; the tokenizer file's own truncation (usually none) applies.
/// A text without tokens gets the zero vector. Formula: sentence-transformers 6.2 (`EmbeddingBag(mode="mean")`).
///
/// ```swift
/// let model = try SentenceTransformer(directory: URL(fileURLWithPath: "static-retrieval-mrl-en-v1"))
/// let vectors = try model.encode(["A static embedding is a lookup table."])
/// ```
public struct StaticEmbedding: InputModule {
    /// `[vocabularySize, outputDimension]`.
    public let weight: Tensor
    public let tokenizer: Tokenizer
    /// The folder holding the tokenizer files (``save(to:)`` copies them); `nil` for a module built in memory.
    public let sourceDirectory: URL?
    public var doLowerCase: Bool { false }
    public var addsSpecialTokens: Bool { false }
    public var maxSeqLength: Int { tokenizer.truncation?.maxLength ?? Int.max }
    public var vocabularySize: Int { weight.shape[0] }
    public var outputDimension: Int { weight.shape[1] }
    public var output: ModuleOutput { .sentenceEmbedding }

    /// A module from a table and a tokenizer (its padding is dropped).
    /// - Throws: ``SentenceTransformerError/invalidArgument(_:)`` unless `weight` is a non-empty matrix.
    public init(weight: Tensor, tokenizer: Tokenizer, sourceDirectory: URL? = nil) throws {
        guard weight.shape.count == 2, weight.shape[0] > 0, weight.shape[1] > 0 else {
            throw SentenceTransformerError.invalidArgument("StaticEmbedding: the table must be [vocabulary, dimension], got \(weight.shape)")
        }
        self.weight = weight
        self.sourceDirectory = sourceDirectory
        var tokenizer = tokenizer
        tokenizer.padding = nil
        self.tokenizer = tokenizer
    }

    /// Loads `model.safetensors` (`embedding.weight`, or model2vec's `embeddings`) and `tokenizer.json` from
    /// `directory`: a sentence-transformers module folder or a model2vec model directory.
    /// - Throws: ``SentenceTransformerError`` for a missing or misshapen file.
    public init(directory: URL) throws {
        let url = directory.appendingPathComponent("model.safetensors")
        guard FileManager.default.fileExists(atPath: url.path) else { throw SentenceTransformerError.missingFile(path: url.path) }
        let file = try SafeTensorsFile(path: url.path)
        guard let name = ["embedding.weight", "embeddings"].first(where: { file.entries[$0] != nil }) else {
            throw SentenceTransformerError.invalidConfig(path: url.path, reason: "no tensor 'embedding.weight' (or model2vec's 'embeddings')")
        }
        do {
            try self.init(weight: try file.tensor(named: name), tokenizer: try Tokenizer(directory: directory), sourceDirectory: directory)
        } catch let error as SentenceTransformerError {
            throw SentenceTransformerError.invalidConfig(path: url.path, reason: error.description)
        }
    }

    public var parameterCount: Int { weight.count }
    public var summary: String { "StaticEmbedding(vocabulary: \(vocabularySize), dimension: \(outputDimension))" }

    /// Writes `model.safetensors` (`embedding.weight`) and copies the tokenizer files.
    /// - Throws: ``SentenceTransformerError/invalidArgument(_:)`` for a module built without a tokenizer folder.
    public func save(to folder: URL) throws {
        guard let sourceDirectory else { throw SentenceTransformerError.invalidArgument("StaticEmbedding built in memory has no tokenizer files to save") }
        try ModelDirectory.copy(ModelDirectory.tokenizerFiles, from: sourceDirectory, to: folder)
        try SafeTensorsWriter.write(["embedding.weight": weight], metadata: ["format": "pt"], to: folder.appendingPathComponent("model.safetensors").path)
    }

    public func tokenize(_ text: String, task: String?) throws -> Encoding {
        try tokenizer.encode(text, addSpecialTokens: false)
    }

    /// Prompts are plain text before the input; none of their tokens is special.
    public func promptLength(of prompt: String) throws -> Int {
        prompt.isEmpty ? 0 : try tokenizer.encode(prompt, addSpecialTokens: false).count
    }

    /// Sentence embeddings `[texts, dimension]`: the mean of the table's rows over each text's ids.
    /// - Throws: ``SentenceTransformerError/invalidArgument(_:)`` for an id outside the table.
    public func forward(_ features: inout Features) throws {
        let dimension = outputDimension
        var output = [Float](repeating: 0, count: features.encodings.count * dimension)
        for (index, encoding) in features.encodings.enumerated() {
            if let bad = encoding.ids.first(where: { $0 < 0 || $0 >= vocabularySize }) {
                throw SentenceTransformerError.invalidArgument("token id \(bad) is outside the StaticEmbedding table of \(vocabularySize) rows")
            }
            guard !encoding.ids.isEmpty else { continue }
            output.withUnsafeMutableBufferPointer { buffer in
                guard let y = buffer.baseAddress.map({ $0 + index * dimension }) else { return }
                for id in encoding.ids {
                    let row = weight.baseAddress + id * dimension
                    for c in 0..<dimension { y[c] += row[c] }
                }
                let scale = 1 / Float(encoding.ids.count)
                for c in 0..<dimension { y[c] *= scale }
            }
        }
        features.sentenceEmbeddings = output
        features.sentenceDimension = dimension
        features.sequences = features.encodings.map { _ in 0..<0 }
    }
}
