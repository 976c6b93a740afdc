import Foundation
import STTensor

/// Reading `config.json` and finding the weights of a model directory, with errors that name the file.
public enum ConfigFile {
    public static func decode<T: Decodable>(_ type: T.Type, from url: URL) throws -> T {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw ModelError.unreadableConfig(path: url.path, reason: "file not found or unreadable")
        }
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch {
            throw ModelError.unreadableConfig(path: url.path, reason: "\(error)")
        }
    }

    /// `model.safetensors` of `directory`, or the shards its `model.safetensors.index.json` lists; a directory with
    /// only PyTorch pickle weights gets an error saying how to convert them.
    public static func weights(in directory: URL, variant: String? = nil) throws -> Checkpoint {
        let weightsURL = directory.appendingPathComponent(variant.map { "model.\($0).safetensors" } ?? "model.safetensors")
        guard FileManager.default.fileExists(atPath: weightsURL.path) else {
            let index = URL(fileURLWithPath: weightsURL.path + ".index.json")
            if FileManager.default.fileExists(atPath: index.path) { return try Checkpoint(index: index) }
            let pickle = directory.appendingPathComponent("pytorch_model.bin")
            if FileManager.default.fileExists(atPath: pickle.path) {
                throw ModelError.unreadableConfig(
                    path: pickle.path,
                    reason: "PyTorch pickle weights are not read; convert them to model.safetensors (Python: "
                        + "`from safetensors.torch import save_file; save_file(torch.load(path), \"model.safetensors\")`)")
            }
            throw ModelError.unreadableConfig(path: weightsURL.path, reason: "file not found")
        }
        return Checkpoint(file: try SafeTensorsFile(path: weightsURL.path))
    }
}
