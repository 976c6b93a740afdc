import ArgumentParser
import Foundation

/// `sbert serve`, as `sbert` lists it: the server is the `sbert-serve` executable, which this command runs in place
/// of `sbert` with the same arguments (so `sbert serve --help` prints the server's own options).
struct ServeForwardingCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve a model over HTTP: TEI routes (/embed, /rerank, /predict, POST /, …), OpenAI /v1/embeddings, a playground at /. Runs sbert-serve; `sbert serve --help` lists its options."
    )

    @Argument(parsing: .captureForPassthrough, help: "The options of sbert-serve.")
    var arguments: [String] = []

    func run() throws {
        try CompanionExecutable.serve.exec(arguments: arguments, purpose: "sbert serve")
    }
}

extension SbertCommand {
    /// Runs `sbert-serve` in place of this process when the command line is `sbert serve …`, before the argument
    /// parser sees it: the parser would answer `sbert serve --help` itself, with none of the server's options.
    /// Returns otherwise; when `sbert-serve` is not found or cannot be started, prints why and exits with status 1.
    public static func runCompanionIfNeeded() {
        let arguments = CommandLine.arguments
        guard arguments.count >= 2, arguments[1] == "serve" else { return }
        do {
            try CompanionExecutable.serve.exec(arguments: Array(arguments.dropFirst(2)), purpose: "sbert serve")
        } catch {
            FileHandle.standardError.write(Data("Error: \(error)\n".utf8))
            Foundation.exit(1)
        }
    }
}
