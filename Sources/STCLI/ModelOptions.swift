import ArgumentParser
import Foundation
import SentenceTransformers

/// `--model`, shared by every command that loads a model.
package struct ModelOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: "A model directory, or a Hugging Face model id (from the local cache, else downloaded).")
    var model: String = ModelLocator.defaultModel

    @Option(help: "The revision (branch, tag or commit) of a model id.")
    var revision: String = "main"

    @Option(help: "The arithmetic of the transformer projections: fp32 (exact) or int8 (quantized projections: faster where the CPU has int8 instructions, slightly less exact).")
    var compute: ComputePrecision = .float32

    package init() {}

    package func load() throws -> SentenceTransformer {
        try load(named: model)
    }

    /// Another model than `--model` (one a store records), with these options.
    func load(named name: String) throws -> SentenceTransformer {
        try SentenceTransformer(directory: try directory(of: name), compute: compute)
    }

    /// The model's directory: `--model` itself, or its snapshot in the Hugging Face cache (downloaded if missing).
    func directory(of name: String? = nil) throws -> URL {
        try Self.directory(of: name ?? model, revision: revision)
    }

    /// `name`'s directory: a path, or its snapshot in the hub cache `environment` names (downloaded if missing, with
    /// a progress line per file).
    package static func directory(of name: String, revision: String,
                                  environment: [String: String] = ProcessInfo.processInfo.environment) throws -> URL {
        var isDirectory: ObjCBool = false
        if revision != "main", FileManager.default.fileExists(atPath: name, isDirectory: &isDirectory), isDirectory.boolValue {
            throw CLIError("--revision \(revision) picks a version of a Hub model id; \(name) is a local directory")
        }
        let progress = DownloadProgress()
        let directory = try ModelLocator.resolveOrDownload(name, revision: revision, environment: environment, progress: progress.report)
        progress.finish()
        return directory
    }
}

extension ComputePrecision: ExpressibleByArgument {}
