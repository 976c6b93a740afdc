import Foundation
import STTensor

/// Chooses the encoder implementation from a model directory's `config.json` (`model_type`).
public enum Architectures {
    /// The `model_type` values this library runs.
    public static let supported = ["bert"]

    private struct Probe: Decodable {
        var modelType: String?
        var architectures: [String]?
        enum CodingKeys: String, CodingKey { case modelType = "model_type", architectures }
    }

    /// Loads the encoder stored in `directory` (`config.json` + `model.safetensors`).
    public static func loadEncoder(from directory: URL) throws -> any TransformerEncoder {
        let configURL = directory.appendingPathComponent("config.json")
        guard FileManager.default.fileExists(atPath: configURL.path) else {
            throw ModelError.unreadableConfig(path: configURL.path, reason: "file not found")
        }
        let data: Data
        do { data = try Data(contentsOf: configURL) } catch {
            throw ModelError.unreadableConfig(path: configURL.path, reason: "cannot read the file")
        }
        let probe: Probe
        do { probe = try JSONDecoder().decode(Probe.self, from: data) } catch {
            throw ModelError.unreadableConfig(path: configURL.path, reason: "not a JSON object")
        }
        let weightsURL = directory.appendingPathComponent("model.safetensors")
        guard FileManager.default.fileExists(atPath: weightsURL.path) else {
            let pickle = directory.appendingPathComponent("pytorch_model.bin")
            if FileManager.default.fileExists(atPath: pickle.path) {
                throw ModelError.unreadableConfig(
                    path: pickle.path,
                    reason: "PyTorch pickle weights are not read; convert them to model.safetensors (Python: safetensors.torch.save_file)")
            }
            throw ModelError.unreadableConfig(path: weightsURL.path, reason: "file not found")
        }
        let modelType = probe.modelType ?? (probe.architectures?.first?.lowercased().hasPrefix("bert") == true ? "bert" : "")
        switch modelType {
        case "bert":
            let config: BertConfig
            do { config = try JSONDecoder().decode(BertConfig.self, from: data) } catch {
                throw ModelError.unreadableConfig(path: configURL.path, reason: "\(error)")
            }
            return try BertModel(config: config, weights: SafeTensorsFile(path: weightsURL.path), configPath: configURL.path)
        default:
            throw ModelError.unsupportedArchitecture(modelType: modelType.isEmpty ? "(no model_type)" : modelType, supported: supported)
        }
    }
}
