import ArgumentParser
import Foundation
import SentenceTransformers
import STTokenizers

/// `sbert tokenize`: tokens, ids and offsets of texts, for debugging a model's tokenizer.
struct TokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Show how a tokenizer splits texts: tokens, ids and offsets.",
        discussion: """
            Like tokenizer(text) in Python: special tokens added, truncation only with --max-length, never padding \
            (the truncation and padding blocks inside tokenizer.json do not apply). Offsets count Unicode code points \
            of the original text. With --format json, one line per text: {"input_ids": […], "tokens": […], "offsets": [[start, end], …]}.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @Option(name: .shortAndLong, help: "A model directory or model id whose tokenizer to use (default: the default model).")
    var model: String?

    @Option(help: "A tokenizer.json file (instead of --model).")
    var tokenizer: String?

    @Option(help: "A second text, encoded as a pair with each text.")
    var pair: String?

    @Option(help: "Truncate to this many tokens, special tokens included (longest first for pairs).")
    var maxLength: Int?

    @Flag(inversion: .prefixedNo, help: "Add the special tokens of the post-processor.")
    var specialTokens = true

    @Option(help: "text or json.")
    var format: Format = .text

    @Argument(help: "Texts to tokenize; without any, lines from standard input.")
    var texts: [String] = []

    func validate() throws {
        if model != nil, tokenizer != nil { throw ValidationError("give --model or --tokenizer, not both") }
        if let maxLength, maxLength <= 0 { throw ValidationError("--max-length must be positive") }
    }

    func run() throws {
        var loaded: Tokenizer
        if let tokenizer {
            loaded = try Tokenizer(contentsOf: URL(fileURLWithPath: tokenizer))
        } else {
            loaded = try Tokenizer(directory: try ModelLocator.resolve(model ?? ModelLocator.defaultModel))
        }
        loaded.truncation = maxLength.map { Truncation(maxLength: $0) }
        loaded.padding = nil
        let inputs = texts.isEmpty ? try InputLines.read(path: nil) : texts
        for text in inputs {
            let encoding = try loaded.encode(text, pair: pair, addSpecialTokens: specialTokens)
            let tokens = encoding.ids.map { loaded.token(forID: $0) ?? "" }
            switch format {
            case .json:
                let object: [String: Any] = [
                    "input_ids": encoding.ids, "tokens": tokens,
                    "offsets": encoding.offsets.map { [$0.lowerBound, $0.upperBound] },
                ]
                let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
                print(String(decoding: data, as: UTF8.self))
            case .text:
                print("\(encoding.count) tokens: \(text)")
                for (index, id) in encoding.ids.enumerated() {
                    let offsets = encoding.offsets[index]
                    print(String(format: "%6ld  %8ld  %5ld..%-5ld  ", index, id, offsets.lowerBound, offsets.upperBound) + tokens[index])
                }
            }
        }
    }
}
