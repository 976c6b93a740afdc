import ArgumentParser
import Foundation
import SentenceTransformers

/// `sbert download`: fetch a model from the Hugging Face Hub into the shared cache.
struct DownloadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "download",
        abstract: "Download a model from the Hugging Face Hub into the Hugging Face cache (shared with Python).",
        discussion: "Honours HF_ENDPOINT, HF_TOKEN, HF_HOME / HF_HUB_CACHE and HF_HUB_OFFLINE. Prints the snapshot directory."
    )

    @Argument(help: "A model id (ORG/NAME; a bare NAME means sentence-transformers/NAME).")
    var model: String

    @Option(help: "A branch, tag or commit.")
    var revision: String = "main"

    func run() throws {
        let progress = DownloadProgress()
        let directory = try HubClient().download(model, revision: revision, progress: progress.report)
        progress.finish()
        print(directory.path)
    }
}

/// One progress line per file on standard error, when it is a terminal.
final class DownloadProgress: @unchecked Sendable {
    private let lock = NSLock()
    private var bars: [String: ProgressBar] = [:]

    var report: HubClient.Progress {
        { [self] file, received, total in
            lock.lock()
            defer { lock.unlock() }
            let bar = bars[file] ?? ProgressBar(total: Int(total ?? 0), label: file, minimumTotal: 1 << 20)
            bars[file] = bar
            bar.update(Int(received))
        }
    }

    func finish() {
        lock.lock()
        defer { lock.unlock() }
        for bar in bars.values { bar.finish() }
    }
}
