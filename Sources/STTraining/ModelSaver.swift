import Foundation
import SentenceTransformers
import STTensor

/// Writes a trained model in the Sentence Transformers directory format, so that this library and Python's
/// `SentenceTransformer(path)` load it: the source directory's configs and tokenizer files, `model.safetensors` with
/// the verbatim Hugging Face keys (plus untouched tensors such as BERT's pooler), each Dense module's
/// `model.safetensors`, `max_seq_length` in `sentence_bert_config.json`, and a `README.md` model card.
///
/// The directory is written by ``ModelDirectory/write(to:merge:_:)``, so a crash leaves either the previous directory
/// or the complete new one (or, when merging into a run's output directory, each file either old or new).
enum ModelSaver {
    /// Files of a source model that are never copied: weights we rewrite, and formats we do not produce.
    static func skipped(_ relativePath: String) -> Bool {
        let name = (relativePath as NSString).lastPathComponent
        return name.hasSuffix(".safetensors") || name.hasSuffix(".bin") || name.hasSuffix(".onnx") || name.hasSuffix(".pt")
            || name.hasSuffix(".h5") || name.hasSuffix(".msgpack") || name == "README.md"
            || relativePath.hasPrefix("onnx/") || relativePath.hasPrefix("openvino/") || relativePath.hasPrefix("checkpoint-")
            || name.hasPrefix(".")
    }

    /// Writes the model loaded from `source` with the values of `parameters` (each into its file under its key) and
    /// the `untrained` tensors of the Transformer's checkpoint. With `merge`, the model's files replace their
    /// namesakes in an existing `target` one by one (each by an atomic rename) and everything else there stays: the
    /// final model lands beside the run's checkpoints.
    static func save(source: URL, parameters: ParameterSet, untrained: [String: Tensor], maxSeqLength: Int, to target: URL,
                     card: String, merge: Bool = false) throws {
        try ModelDirectory.write(to: target, merge: merge) { staging in
            try copyConfigs(from: source.resolvingSymlinksInPath(), to: staging)
            var tensors = parameters.tensorsByFile()
            for (key, tensor) in untrained { tensors[TrainableSentenceTransformer.transformerFile, default: [:]][key] = tensor }
            for (file, group) in tensors {
                let url = staging.appendingPathComponent(file)
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try SafeTensorsWriter.write(group, metadata: ["format": "pt"], to: url.path)
            }
            try updateSentenceBertConfig(in: staging, maxSeqLength: maxSeqLength)
            try Data(card.utf8).write(to: staging.appendingPathComponent("README.md"))
        }
    }

    /// The name the model card gives the base model: the hub id when `source` is a hub cache snapshot, else the
    /// directory name.
    static func baseModelName(of source: URL) -> String {
        let components = source.resolvingSymlinksInPath().pathComponents
        if let index = components.lastIndex(where: { $0.hasPrefix("models--") }) {
            return components[index].dropFirst("models--".count).replacingOccurrences(of: "--", with: "/")
        }
        return source.lastPathComponent
    }

    private static func copyConfigs(from source: URL, to destination: URL) throws {
        let fileManager = FileManager.default
        guard let enumerator = fileManager.enumerator(at: source, includingPropertiesForKeys: [.isDirectoryKey]) else { return }
        let base = source.path.hasSuffix("/") ? source.path : source.path + "/"
        for case let url as URL in enumerator {
            let resolved = url.resolvingSymlinksInPath()
            let relative = url.path.hasPrefix(base) ? String(url.path.dropFirst(base.count)) : url.lastPathComponent
            var isDirectory: ObjCBool = false
            fileManager.fileExists(atPath: resolved.path, isDirectory: &isDirectory)
            if isDirectory.boolValue {
                if skipped(relative + "/") { enumerator.skipDescendants() }
                continue
            }
            if skipped(relative) { continue }
            let target = destination.appendingPathComponent(relative)
            try fileManager.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try fileManager.copyItem(at: resolved, to: target)
        }
    }

    /// Sets `max_seq_length` (keeping every other key), creating the file when the source had none.
    private static func updateSentenceBertConfig(in directory: URL, maxSeqLength: Int) throws {
        let url = directory.appendingPathComponent("sentence_bert_config.json")
        var object: [String: Any] = [:]
        if let data = try? Data(contentsOf: url), let existing = try JSONSerialization.jsonObject(with: data) as? [String: Any] {
            object = existing
        } else {
            object["do_lower_case"] = false
        }
        object["max_seq_length"] = maxSeqLength
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
        try data.write(to: url, options: .atomic)
    }
}
