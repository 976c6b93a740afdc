import Foundation
import STModels
import STTensor
import STTestSupport
import SentenceTransformers
import Testing

/// Model directories edited by an attacker (or a broken conversion), one edit each: every one is a typed error that
/// names the file and field, never a crash, an allocation of what the config claims, or a NaN in the output.
@Suite struct HostileModelTests {
    /// A copy of `name` with `edit` applied to the text of `file`.
    static func edited(_ name: String, _ file: String, _ edit: (String) -> String) throws -> URL {
        let directory = try LoadingErrorTests.copy(name)
        let url = directory.appendingPathComponent(file)
        try LoadingErrorTests.write(edit(try String(contentsOf: url, encoding: .utf8)), to: url)
        return directory
    }

    static func replacing(_ pattern: String, with value: String) -> (String) -> String {
        { text in text.replacingOccurrences(of: pattern, with: value, options: .regularExpression) }
    }

    /// RoBERTa numbers positions after `pad_token_id`: an index outside the position table read memory before or
    /// after it (a segmentation fault at -1000, an overflow trap at -2^62, one row before the table at -2).
    @Test(arguments: ["-1000", "-2", "-4611686018427387904", "129", "100000"])
    func robertaPaddingIndexOutsideThePositionTable(value: String) throws {
        let directory = try Self.edited("tiny-roberta-max", "config.json", Self.replacing(#""pad_token_id": 1"#, with: "\"pad_token_id\": \(value)"))
        do {
            let model = try SentenceTransformer(directory: directory)
            Issue.record("pad_token_id \(value) loaded (dimension \(model.embeddingDimension))")
        } catch let error as ModelError {
            #expect(error.description.contains("pad_token_id"), "\(error)")
        }
    }

    /// A layer count far beyond the weights fails on the first missing layer, without reserving memory for a billion.
    @Test func layerCountBeyondTheWeights() throws {
        let directory = try Self.edited("tiny-bert-legacy-pooling", "config.json",
                                        Self.replacing(#""num_hidden_layers": \d+"#, with: #""num_hidden_layers": 1000000000"#))
        #expect(throws: ModelError.self) { try SentenceTransformer(directory: directory) }
    }

    /// `type_vocab_size: 0` beside token-type weights would drop a summand of every embedding: refused, as PyTorch's
    /// loader refuses the shape.
    @Test func noTokenTypesBesideTokenTypeWeights() throws {
        let directory = try Self.edited("tiny-bert-legacy-pooling", "config.json", Self.replacing(#""type_vocab_size": \d+"#, with: #""type_vocab_size": 0"#))
        #expect(throws: ModelError.self) { try SentenceTransformer(directory: directory) }
    }

    @Test(arguments: ["-1", "NaN", "1e400"])
    func layerNormEpsilonThatGivesNaN(value: String) throws {
        let directory = try Self.edited("tiny-bert-legacy-pooling", "config.json",
                                        Self.replacing(#""layer_norm_eps": [^,}]+"#, with: "\"layer_norm_eps\": \(value)"))
        #expect(throws: (any Error).self) { try SentenceTransformer(directory: directory) }
    }

    @Test func modulePathOutsideTheModelDirectory() throws {
        let directory = try Self.edited("tiny-bert-lasttoken-mean-sqrt", "modules.json", Self.replacing(#""path": "1_Pooling""#, with: #""path": "../../other""#))
        #expect(throws: SentenceTransformerError.self) { try SentenceTransformer(directory: directory) }
    }

    static func withDense(_ configuration: String, weight: [Float], shape: [Int]) throws -> URL {
        let directory = try LoadingErrorTests.copy("tiny-bert-lasttoken-mean-sqrt")
        let dense = directory.appendingPathComponent("2_Dense")
        try FileManager.default.createDirectory(at: dense, withIntermediateDirectories: true)
        try Data(configuration.utf8).write(to: dense.appendingPathComponent("config.json"))
        try SafeTensorsWriter.write(["linear.weight": Tensor(shape: shape, values: weight)],
                                    to: dense.appendingPathComponent("model.safetensors").path)
        try LoadingErrorTests.write("""
            [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
             {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
             {"idx": 2, "name": "2", "path": "2_Dense", "type": "sentence_transformers.models.Dense"}]
            """, to: directory.appendingPathComponent("modules.json"))
        return directory
    }

    @Test func denseWithNoOutputs() throws {
        let directory = try Self.withDense(#"{"in_features": 128, "out_features": 0, "bias": false, "activation_function": "torch.nn.modules.linear.Identity"}"#,
                                           weight: [], shape: [0, 128])
        #expect(throws: SentenceTransformerError.self) { try SentenceTransformer(directory: directory) }
    }

    @Test func denseThatDoesNotChain() throws {
        let directory = try Self.withDense(#"{"in_features": 64, "out_features": 8, "bias": false, "activation_function": "torch.nn.modules.linear.Identity"}"#,
                                           weight: [Float](repeating: 0.1, count: 8 * 64), shape: [8, 64])
        #expect(throws: SentenceTransformerError.self) { try SentenceTransformer(directory: directory) }
    }

    /// NaN weights give NaN vectors: an error that names the text, never `null` in the output.
    @Test func nanWeightsAreAnErrorNamingTheText() throws {
        var weight = [Float](repeating: 0.1, count: 8 * 128)
        weight[5] = .nan
        let directory = try Self.withDense(#"{"in_features": 128, "out_features": 8, "bias": false, "activation_function": "torch.nn.modules.linear.Identity"}"#,
                                           weight: weight, shape: [8, 128])
        let model = try SentenceTransformer(directory: directory)
        #expect(throws: SentenceTransformerError.nonFiniteEmbedding(input: 0, text: "a text")) {
            try model.encode(["a text"], prompt: "")
        }
    }

    /// A vocabulary id above 2^31 in tokenizer.json was truncated to 32 bits: another token's vector came back.
    @Test func vocabularyIDBeyond32BitsIsAnError() throws {
        let directory = try Self.edited("tiny-bert-legacy-pooling", "tokenizer.json", Self.replacing(#""hello": ?7592"#, with: #""hello": 4294974888"#))
        let model = try SentenceTransformer(directory: directory)
        #expect(try model.tokenize("hello").ids.contains(4_294_974_888))
        do {
            _ = try model.encode(["hello"])
            Issue.record("an id beyond 32 bits was embedded")
        } catch let error as ModelError {
            #expect("\(error)".contains("4294974888"), "\(error)")
        }
    }

    /// A backtracking regular expression in tokenizer.json took 18 s at 84 characters and more than 30 s at 6 KB.
    /// `(\w+\s?)+$` is caught at load; `(x+x+)+y` passes the load-time probes and is stopped by the work budget.
    static func withSplitRegex(_ regex: String) throws -> URL {
        let split = #"{"type": "Sequence", "pretokenizers": [{"type": "Split", "pattern": {"Regex": "REGEX"}, "behavior": "Isolated", "invert": false}, {"type": "BertPreTokenizer"}]}"#
            .replacingOccurrences(of: "REGEX", with: regex.replacingOccurrences(of: "\\", with: "\\\\"))
        return try Self.edited("tiny-bert-legacy-pooling", "tokenizer.json", Self.replacing(#""pre_tokenizer": ?\{"type": ?"BertPreTokenizer"\}"#,
                                                                                         with: NSRegularExpression.escapedTemplate(for: "\"pre_tokenizer\": \(split)")))
    }

    @Test func catastrophicRegexFailsTheLoad() throws {
        do {
            _ = try SentenceTransformer(directory: try Self.withSplitRegex(#"(\w+\s?)+$"#))
            Issue.record("a pattern with exponential backtracking loaded")
        } catch {
            #expect("\(error)".contains("catastrophic backtracking"), "\(error)")
        }
    }

    /// The issue's reproducer as it was: a `Replace` normalizer, before the BERT normalizer.
    @Test func catastrophicReplaceNormalizerFailsTheLoad() throws {
        let replace = #"{"type": "Replace", "pattern": {"Regex": "(\\w+\\s?)+$"}, "content": " "}"#
        let directory = try Self.edited("tiny-bert-legacy-pooling", "tokenizer.json", Self.replacing(
            #""normalizer": ?(\{[^{}]*\})"#,
            with: NSRegularExpression.escapedTemplate(for: #""normalizer": {"type": "Sequence", "normalizers": ["# + replace + ", ") + "$1]}"))
        do {
            _ = try SentenceTransformer(directory: directory)
            Issue.record("a Replace normalizer with exponential backtracking loaded")
        } catch {
            #expect("\(error)".contains("catastrophic backtracking") && "\(error)".contains("Replace"), "\(error)")
        }
    }

    @Test func catastrophicRegexOnATextIsAnErrorNotAHang() throws {
        let model = try SentenceTransformer(directory: try Self.withSplitRegex("(x+x+)+y"))
        #expect(try model.encode(["hello world", "xxy"]).count == 2)
        for length in [84, 2_000] {
            let text = String(repeating: "x", count: length) + "!"
            let start = Date()
            do {
                _ = try model.encode(["fine", text])
                Issue.record("a \(length)-character text went through an exponential regex")
            } catch let SentenceTransformerError.untokenizableInput(input, _, reason) {
                #expect(input == 1 && reason.contains("backtracks"), "\(reason)")
            }
            print("catastrophic regex, \(length + 1) characters: error after \(String(format: "%.3f", Date().timeIntervalSince(start))) s")
        }
    }
}
