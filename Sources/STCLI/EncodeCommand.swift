import ArgumentParser
import Foundation
import SentenceTransformers

/// `sbert encode`: embeddings of texts given as arguments, or of the lines of a file or of standard input.
struct EncodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encode",
        abstract: "Embed texts (arguments, or one per line from --input or standard input).",
        discussion: """
            With --format jsonl (the default), standard output holds exactly one JSON array of floats per input text, \
            in input order. Example: sbert encode "A man is eating food." "A man is riding a horse."
            """
    )

    @OptionGroup var modelOptions: ModelOptions

    @Argument(help: "Texts to embed. Without any, lines are read from --input or standard input.")
    var texts: [String] = []

    @Option(name: .shortAndLong, help: "A file with one text per line ('-' = standard input).")
    var input: String?

    @Option(help: "Texts per forward pass.")
    var batchSize: Int = 32

    @Flag(help: "Scale every embedding to unit length.")
    var normalize = false

    @Option(help: "A prompt put before every text (overrides --prompt-name and the model's default prompt).")
    var prompt: String?

    @Option(help: "One of the model's named prompts (e.g. query, document).")
    var promptName: String?

    @Option(help: "Keep only the first N dimensions (Matryoshka models).")
    var truncateDim: Int?

    @Option(help: "Output format: \(EmbeddingFormat.allCases.map(\.rawValue).joined(separator: ", ")).")
    var format: EmbeddingFormat = .jsonl

    @Option(name: .shortAndLong, help: "Write to this file (atomically) instead of standard output.")
    var output: String?

    func validate() throws {
        guard batchSize > 0 else { throw ValidationError("--batch-size must be positive") }
        if let truncateDim, truncateDim <= 0 { throw ValidationError("--truncate-dim must be positive") }
        if !texts.isEmpty, input != nil { throw ValidationError("give texts as arguments or --input, not both") }
        if format == .npy, output == nil, isatty(STDOUT_FILENO) == 1 {
            throw ValidationError("--format npy is binary: use --output FILE or redirect standard output")
        }
    }

    func run() throws {
        let inputs = texts.isEmpty ? try InputLines.read(path: input) : texts
        let model = try modelOptions.load()
        let progress = ProgressBar(total: inputs.count, label: "encode")
        let embeddings = try model.encode(
            inputs, batchSize: batchSize, normalize: normalize, prompt: prompt, promptName: promptName,
            truncateDim: truncateDim, progress: { done, _ in progress.update(done) })
        progress.finish()
        try OutputFile.write(format.encode(embeddings), to: output)
    }
}
