import ArgumentParser
import Foundation
import SentenceTransformers

/// The texts a whole-collection command (paraphrase mining, clustering) works on: arguments, or the lines of
/// `--input` or standard input, embedded with a progress bar.
struct TextCollection: ParsableArguments {
    @Argument(help: "Texts. Without any, lines are read from --input or standard input.")
    var texts: [String] = []

    @Option(name: .shortAndLong, help: "A file with one text per line ('-' = standard input).")
    var input: String?

    @Option(help: "Texts per forward pass.")
    var batchSize: Int = 32

    @Option(help: "A prompt put before every text (overrides --prompt-name and the model's default prompt).")
    var prompt: String?

    @Option(help: "One of the model's named prompts (Python: prompt_name).")
    var promptName: String?

    func validate() throws {
        guard batchSize > 0 else { throw ValidationError("--batch-size must be positive") }
        if !texts.isEmpty, input != nil { throw ValidationError("give texts as arguments or --input, not both") }
    }

    /// The texts, in order.
    /// - Throws: ``CLIError`` for an unreadable input.
    func read() throws -> [String] {
        texts.isEmpty ? try InputLines.read(path: input) : texts
    }

    /// `texts` embedded as Python's `model.encode(texts, prompt=…, prompt_name=…)`, with a bar on a terminal.
    /// - Throws: ``SentenceTransformerError`` from the model.
    func encode(_ texts: [String], model: SentenceTransformer, label: String, truncateDim: Int? = nil, normalize: Bool = false) throws -> Embeddings {
        let bar = ProgressBar(total: texts.count, label: label)
        defer { bar.finish() }
        return try model.encode(texts, batchSize: batchSize, normalize: normalize, prompt: prompt, promptName: promptName,
                                truncateDim: truncateDim) { done, _ in bar.update(done) }
    }
}
