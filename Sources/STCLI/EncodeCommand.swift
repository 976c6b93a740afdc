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

    @Option(help: "Quantize the output as Python's encode(precision=): float32, int8 or uint8 (buckets calibrated on all the texts of the run, so at least two), binary or ubinary (sign bits, eight dimensions a byte).")
    var precision: QuantizationPrecision = .float32

    @Option(help: "Truncate inputs to N tokens instead of the model's max_seq_length (Python: model.max_seq_length = N).")
    var maxSeqLength: Int?

    @Option(help: "sentence_embedding, or token_embeddings: one vector per token, special tokens included, one array of them per line (dense models).")
    var outputValue: OutputValue = .sentenceEmbedding

    @Option(help: "Output format: \(EmbeddingFormat.allCases.map(\.rawValue).joined(separator: ", ")).")
    var format: EmbeddingFormat = .jsonl

    @Option(name: .shortAndLong, help: "Write to this file (atomically) instead of standard output.")
    var output: String?

    /// Python's `output_value`.
    enum OutputValue: String, ExpressibleByArgument, CaseIterable {
        case sentenceEmbedding = "sentence_embedding"
        case tokenEmbeddings = "token_embeddings"
    }

    func validate() throws {
        guard batchSize > 0 else { throw ValidationError("--batch-size must be positive") }
        if let truncateDim, truncateDim <= 0 { throw ValidationError("--truncate-dim must be positive") }
        if let maxActiveDims, maxActiveDims <= 0 { throw ValidationError("--max-active-dims must be positive") }
        if let maxSeqLength, maxSeqLength <= 0 { throw ValidationError("--max-seq-length must be positive") }
        if !texts.isEmpty, input != nil { throw ValidationError("give texts as arguments or --input, not both") }
        if format == .npy, output == nil, isatty(STDOUT_FILENO) == 1 {
            throw ValidationError("--format npy is binary: use --output FILE or redirect standard output")
        }
        if outputValue == .tokenEmbeddings {
            // Python ignores these for token embeddings; here they are refused rather than silently dropped.
            for (given, flag) in [(normalize, "--normalize"), (truncateDim != nil, "--truncate-dim"), (task != nil, "--task")] where given {
                throw ValidationError("\(flag) applies to sentence embeddings, not to --output-value token_embeddings")
            }
            guard format == .jsonl else { throw ValidationError("--output-value token_embeddings writes JSON lines only (--format jsonl)") }
        }
    }

    /// Lines encoded and written at a time: memory stays flat whatever the input's length, and batches of similar
    /// length still form within a chunk. (int8 / uint8 output keeps every vector until the end: its buckets are
    /// calibrated on all of them, as Python's are.)
    static let chunkLines = 4096

    func run() throws {
        let reader = texts.isEmpty ? try LineReader(path: input) : nil
        let directory = try modelOptions.directory()
        let kind = try ModelKind.of(directory: directory)
        try refuseUnusedOptions(kind: kind)
        let writer = try EmbeddingWriter(format: format, path: output)
        let encode: ([String]) throws -> Void
        var finish: () throws -> Void = {}
        switch kind {
        case .sentenceTransformer:
            let model = try SentenceTransformer(directory: directory, compute: modelOptions.compute, maxSeqLength: maxSeqLength)
            let quantizer = OutputQuantizer(precision: precision, writer: writer)
            finish = quantizer.finish
            switch outputValue {
            case .sentenceEmbedding:
                encode = { chunk in
                    try quantizer.add(model.encode(chunk, batchSize: batchSize, normalize: normalize, prompt: prompt, promptName: promptName,
                                                   truncateDim: truncateDim, task: task))
                }
            case .tokenEmbeddings:
                encode = { chunk in
                    try quantizer.add(tokenMatrices: model.tokenEmbeddings(chunk, batchSize: batchSize, prompt: prompt, promptName: promptName))
                }
            }
        case .sparseEncoder:
            let model = try SparseEncoder(directory: directory, compute: modelOptions.compute, maxSeqLength: maxSeqLength)
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
            let model = try MultiVectorEncoder(directory: directory, compute: modelOptions.compute, maxSeqLength: maxSeqLength)
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
        try finish()
        try writer.finish()
    }

    /// Options this kind of model has no use for are refused, never dropped (Python raises for most of them too).
    func refuseUnusedOptions(kind: ModelKind) throws {
        var unused: [String] = []
        switch kind {
        case .sentenceTransformer:
            if maxActiveDims != nil { unused.append("--max-active-dims") }
            if decode { unused.append("--decode") }
        case .sparseEncoder, .multiVectorEncoder:
            if normalize { unused.append("--normalize") }
            if truncateDim != nil { unused.append("--truncate-dim") }
            if precision != .float32 { unused.append("--precision \(precision.rawValue)") }
            if outputValue != .sentenceEmbedding { unused.append("--output-value \(outputValue.rawValue)") }
            if kind == .multiVectorEncoder, maxActiveDims != nil { unused.append("--max-active-dims") }
            if kind == .multiVectorEncoder, decode { unused.append("--decode") }
            if format != .jsonl { unused.append("--format \(format.rawValue) (JSON lines only)") }
        }
        if !unused.isEmpty {
            throw CLIError("\(unused.joined(separator: ", ")): not used by a \(kind.rawValue)")
        }
    }
}

extension QuantizationPrecision: ExpressibleByArgument {}
