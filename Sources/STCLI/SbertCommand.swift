import ArgumentParser

/// `sbert`: Sentence Transformers from the command line.
public struct SbertCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "sbert",
        abstract: "Sentence embeddings with Sentence Transformers models, natively in Swift.",
        discussion: "The default model is sentence-transformers/all-MiniLM-L6-v2, looked up in the Hugging Face cache. The kernel path is the CPU's best, or SBERT_ISA (portable, avx2, avx2-vnni, avx512, avx512-vnni, neon, neon-dotprod, neon-i8mm); `sbert info` shows it. The server load test is the separate `sbert-bench-server` executable.",
        subcommands: [EncodeCommand.self, ServeForwardingCommand.self, SimilarityCommand.self, ParaphraseMiningCommand.self, ClusterCommand.self, MineCommand.self, SearchCommand.self, RerankCommand.self, IndexCommand.self, EvalCommand.self, TrainCommand.self, TrainBenchCommand.self, TokenizeCommand.self, InfoCommand.self, DownloadCommand.self, BenchCommand.self, TokenizerBenchCommand.self, SearchBenchCommand.self, AttentionBenchCommand.self]
    )

    public init() {}
}
