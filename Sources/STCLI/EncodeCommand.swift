import ArgumentParser
import Foundation
import SentenceTransformers
import STServerAPI

/// `sbert encode`: embeddings of texts given as arguments, or of the lines of a file or of standard input.
struct EncodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encode",
        abstract: "Embed texts (arguments, or one per line from --input or standard input).",
        discussion: """
            With --format jsonl (the default), standard output holds exactly one JSON array of floats per input text, \
            in input order. Example: sbert encode "A man is eating food." "A man is riding a horse."

            A sparse model (SPLADE) writes one {"indices": [...], "values": [...]} object per text (with --decode, also \
            "tokens": the vocabulary string of each index); a multi-vector model (ColBERT) one array of token vectors \
            per text. --task query / document routes as encode_query / encode_document do.
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

    @Option(help: "query or document: the route and prompt of encode_query / encode_document (Router, sparse and multi-vector models).")
    var task: String?

    @Option(help: "Sparse models: keep only the N largest entries of each vector.")
    var maxActiveDims: Int?

    @Flag(help: "Sparse models: add the token of each index (\"tokens\").")
    var decode = false

    @Option(help: "Output format: \(EmbeddingFormat.allCases.map(\.rawValue).joined(separator: ", ")).")
    var format: EmbeddingFormat = .jsonl

    @Option(name: .shortAndLong, help: "Write to this file (atomically) instead of standard output.")
    var output: String?

    func validate() throws {
        guard batchSize > 0 else { throw ValidationError("--batch-size must be positive") }
        if let truncateDim, truncateDim <= 0 { throw ValidationError("--truncate-dim must be positive") }
        if let maxActiveDims, maxActiveDims <= 0 { throw ValidationError("--max-active-dims must be positive") }
        if !texts.isEmpty, input != nil { throw ValidationError("give texts as arguments or --input, not both") }
        if format == .npy, output == nil, isatty(STDOUT_FILENO) == 1 {
            throw ValidationError("--format npy is binary: use --output FILE or redirect standard output")
        }
    }

    /// Lines encoded and written at a time: memory stays flat whatever the input's length, and batches of similar
    /// length still form within a chunk.
    static let chunkLines = 4096

    func run() throws {
        let reader = texts.isEmpty ? try LineReader(path: input) : nil
        let directory = try modelOptions.directory()
        let kind = try ModelKind.of(directory: directory)
        if kind != .sentenceTransformer, format != .jsonl {
            throw CLIError("a \(kind.rawValue) writes JSON lines only (--format jsonl)")
        }
        let writer = try EmbeddingWriter(format: format, path: output)
        let encode: ([String]) throws -> Void
        switch kind {
        case .sentenceTransformer:
            let model = try SentenceTransformer(directory: directory, precision: modelOptions.precision)
            encode = { chunk in
                try writer.write(model.encode(chunk, batchSize: batchSize, normalize: normalize, prompt: prompt, promptName: promptName,
                                              truncateDim: truncateDim, task: task))
            }
        case .sparseEncoder:
            let model = try SparseEncoder(directory: directory, precision: modelOptions.precision)
            encode = { chunk in
                let vectors = try model.encode(chunk, batchSize: batchSize, prompt: prompt, promptName: promptName,
                                               maxActiveDims: maxActiveDims, task: task)
                try writer.write(jsonLines: vectors.map { vector in
                    var line = "{\"indices\":[\(vector.indices.map(String.init).joined(separator: ","))],\"values\":\(JSONNumbers.row(vector.values))"
                    if decode {
                        let tokens = vector.indices.map { JSONNumbers.string(model.tokenizer.token(forID: $0) ?? "") }
                        line += ",\"tokens\":[\(tokens.joined(separator: ","))]"
                    }
                    return line + "}"
                })
            }
        case .multiVectorEncoder:
            let model = try MultiVectorEncoder(directory: directory, precision: modelOptions.precision)
            encode = { chunk in
                let matrices = try model.encode(chunk, batchSize: batchSize, prompt: prompt, promptName: promptName, task: task)
                try writer.write(jsonLines: matrices.map { JSONNumbers.rows($0.arrays) })
            }
        }
        if let reader {
            // The input's length is not known ahead: progress counts texts, on a terminal, for long inputs.
            let showProgress = isatty(STDERR_FILENO) == 1
            var done = 0
            while case let chunk = try reader.next(Self.chunkLines), !chunk.isEmpty {
                try encode(chunk)
                done += chunk.count
                if showProgress, done >= 10_000 { FileHandle.standardError.write(Data("\rencode: \(done) texts".utf8)) }
            }
            if showProgress, done >= 10_000 { FileHandle.standardError.write(Data("\n".utf8)) }
        } else {
            try encode(texts)
        }
        try writer.finish()
    }
}
