import ArgumentParser
import Foundation
import SentenceTransformers

/// `--model`, shared by every command that loads a model.
struct ModelOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: "A model directory, or a Hugging Face model id (from the local cache, else downloaded).")
    var model: String = ModelLocator.defaultModel

    @Option(help: "The revision (branch, tag or commit) of a model id.")
    var revision: String = "main"

    @Option(help: "fp32 (exact) or int8 (quantized projections, AVX-512 VNNI; faster, slightly less exact).")
    var precision: Precision = .float32

    func load() throws -> SentenceTransformer {
        let progress = DownloadProgress()
        let directory = try ModelLocator.resolveOrDownload(model, revision: revision, progress: progress.report)
        progress.finish()
        return try SentenceTransformer(directory: directory, precision: precision)
    }
}

extension Precision: ExpressibleByArgument {}
