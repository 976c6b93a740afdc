/// Hands a command whose `--store` this executable cannot open (a `milvus://` location in `sbert`) to the
/// executable that can: `sbert-milvus`, run with the same arguments in place of this process.
enum StoreForwarding {
    /// Replaces this process with `sbert-milvus` when `location` needs it; returns when this executable opens it.
    /// - Throws: ``CLIError`` when `sbert-milvus` is not found or cannot be started.
    static func forwardIfNeeded(_ location: String?) throws {
        guard let location, !StoreSchemes.opensHere(location) else { return }
        try CompanionExecutable.milvus.exec(arguments: Array(CommandLine.arguments.dropFirst()),
                                            purpose: "\(location): a \(StoreSchemes.scheme(of: location) ?? "")://… store")
    }
}
