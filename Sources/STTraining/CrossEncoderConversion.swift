import Foundation
import SentenceTransformers
import STModels
import STTensor

/// Turns a checkpoint without a classification head (a bi-encoder such as all-MiniLM-L6-v2, or a bare `BertModel`)
/// into a cross-encoder directory, as sentence-transformers 6.2's `CrossEncoder(name)` does for such a model: its
/// Transformer with a new `…ForSequenceClassification` head of `numLabels` logits, the head's linear maps drawn from
/// N(0, `initializer_range`²) with zero biases (transformers' `_init_weights`), and the configs Python writes for a
/// cross-encoder (`modules.json` with the one Transformer, `transformer_task: sequence-classification`,
/// `model_type: CrossEncoder`, Sigmoid for one label). The head's draws are seeded, so a run is reproducible; they
/// are not PyTorch's. The bi-encoder's Pooling, Dense and Normalize modules are dropped, as in Python.
enum CrossEncoderConversion {
    /// The classification model of each supported `model_type`: its class, the prefix its encoder's keys take
    /// (`base_model_prefix`), and where its head lives.
    struct Target {
        var className: String
        var basePrefix: String
        var layout: SequenceClassificationHead.Layout
    }

    static let targets: [String: Target] = [
        "bert": Target(className: "BertForSequenceClassification", basePrefix: "bert", layout: .bertPooler),
        "roberta": Target(className: "RobertaForSequenceClassification", basePrefix: "roberta", layout: .robertaClassifier),
        "xlm-roberta": Target(className: "XLMRobertaForSequenceClassification", basePrefix: "roberta", layout: .robertaClassifier),
        "camembert": Target(className: "CamembertForSequenceClassification", basePrefix: "roberta", layout: .robertaClassifier),
        "mpnet": Target(className: "MPNetForSequenceClassification", basePrefix: "mpnet", layout: .robertaClassifier),
        "distilbert": Target(className: "DistilBertForSequenceClassification", basePrefix: "distilbert", layout: .distilBert),
    ]

    /// Whether `directory`'s `config.json` names architectures none of which has a sequence-classification head.
    static func lacksHead(_ directory: URL) throws -> Bool {
        let config = try jsonObject(directory.appendingPathComponent("config.json"))
        guard let architectures = config["architectures"] as? [String], !architectures.isEmpty else { return false }
        return !architectures.contains { $0.hasSuffix("ForSequenceClassification") }
    }

    /// Writes the cross-encoder made from the model in `source` to `target`.
    /// - Throws: ``TrainingError/unsupported(_:)`` for an architecture whose classification head we do not build;
    ///   ``TrainingError/invalidArgument(_:)`` for a label count outside 1…65,536; the reading and writing errors.
    static func convert(_ source: URL, to target: URL, numLabels: Int, seed: UInt64) throws {
        guard (1...65_536).contains(numLabels) else {
            throw TrainingError.invalidArgument("a classification head takes 1 to 65,536 labels, got \(numLabels)")
        }
        let configURL = source.appendingPathComponent("config.json")
        var config = try jsonObject(configURL)
        let modelType = (config["model_type"] as? String ?? "").replacingOccurrences(of: "_", with: "-")
        guard let spec = targets[modelType] else {
            throw TrainingError.unsupported("a new classification head for model_type '\(modelType)' (\(configURL.path)); "
                + "supported: \(targets.keys.sorted().joined(separator: ", "))")
        }
        guard let hidden = config[modelType == "distilbert" ? "dim" : "hidden_size"] as? Int, hidden > 0, hidden <= 16_384 else {
            throw TrainingError.invalidCheckpoint(path: configURL.path, reason: "no usable hidden size")
        }
        let deviation = config["initializer_range"] as? Double ?? 0.02
        guard deviation.isFinite, deviation >= 0, deviation <= 1 else {
            throw TrainingError.invalidCheckpoint(path: configURL.path, reason: "initializer_range \(deviation) is not in [0, 1]")
        }

        let checkpoint = try ConfigFile.weights(in: source)
        let known = Architectures.all.first { $0.modelTypes.contains(modelType) }?.weightPrefixes.filter { !$0.isEmpty } ?? []
        var tensors: [String: Tensor] = [:]
        for key in checkpoint.tensorNames {
            // The encoder's keys under the class's prefix, as Python saves them; another model's prefix is replaced.
            let bare = known.first(where: key.hasPrefix).map { String(key.dropFirst($0.count)) } ?? key
            do {
                tensors["\(spec.basePrefix).\(bare)"] = try checkpoint.tensor(named: key)
            } catch SafeTensorsError.unsupportedDType {
                continue  // integer buffers (position_ids): transformers rebuilds them and does not save them
            }
        }
        var random = TrainingRandom(seed: seed)
        func linear(_ name: String, out: Int) {
            tensors["\(name).weight"] = Tensor(uncheckedShape: [out, hidden], values: (0..<(out * hidden)).map { _ in Float(normal(&random) * deviation) })
            tensors["\(name).bias"] = Tensor(uncheckedShape: [out], values: [Float](repeating: 0, count: out))
        }
        switch spec.layout {
        case .bertPooler:
            if tensors["bert.pooler.dense.weight"] == nil { linear("bert.pooler.dense", out: hidden) }
            linear("classifier", out: numLabels)
        case .distilBert:
            linear("pre_classifier", out: hidden)
            linear("classifier", out: numLabels)
        case .robertaClassifier:
            linear("classifier.dense", out: hidden)
            linear("classifier.out_proj", out: numLabels)
        }

        config["architectures"] = [spec.className]
        config["id2label"] = Dictionary(uniqueKeysWithValues: (0..<numLabels).map { ("\($0)", "LABEL_\($0)") })
        config["label2id"] = Dictionary(uniqueKeysWithValues: (0..<numLabels).map { ("LABEL_\($0)", $0) })
        try ModelDirectory.write(to: target) { staging in
            try copyTokenizerFiles(from: source, to: staging)
            try ModelDirectory.writeJSON(config, to: staging.appendingPathComponent("config.json"))
            try SafeTensorsWriter.write(tensors, metadata: ["format": "pt"], to: staging.appendingPathComponent("model.safetensors").path)
            try ModelDirectory.writeJSON([["idx": 0, "name": "0", "path": "", "type": "sentence_transformers.base.modules.transformer.Transformer"]],
                                         to: staging.appendingPathComponent("modules.json"))
            try ModelDirectory.writeJSON(["transformer_task": "sequence-classification", "module_output_name": "scores",
                                          "modality_config": ["text": ["method": "forward", "method_output_name": "logits"]]],
                                         to: staging.appendingPathComponent("sentence_bert_config.json"))
            try ModelDirectory.writeJSON(["model_type": "CrossEncoder", "prompts": [String: String](), "default_prompt_name": NSNull(),
                                          "activation_fn": numLabels == 1 ? "torch.nn.modules.activation.Sigmoid" : "torch.nn.modules.linear.Identity"],
                                         to: staging.appendingPathComponent("config_sentence_transformers.json"))
        }
    }

    static func jsonObject(_ url: URL) throws -> [String: Any] {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw TrainingError.invalidCheckpoint(path: url.path, reason: "cannot be read")
        }
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw TrainingError.invalidCheckpoint(path: url.path, reason: "not a JSON object")
        }
        return object
    }

    /// The top-level files of `source` that are not weights or sentence-transformers configs: the tokenizer's.
    static func copyTokenizerFiles(from source: URL, to staging: URL) throws {
        let replaced: Set<String> = ["config.json", "modules.json", "sentence_bert_config.json", "config_sentence_transformers.json", "README.md"]
        for name in try FileManager.default.contentsOfDirectory(atPath: source.path).sorted() where !replaced.contains(name) {
            let url = source.appendingPathComponent(name).resolvingSymlinksInPath()
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue,
                  !ModelSaver.skipped(name), !name.hasSuffix(".index.json") else { continue }
            try FileManager.default.copyItem(at: url, to: staging.appendingPathComponent(name))
        }
    }

    /// A standard normal draw (Box–Muller on two uniform 53-bit draws).
    static func normal(_ random: inout TrainingRandom) -> Double {
        let u = (Double(random.next() >> 11) + 1) / 9_007_199_254_740_993, v = Double(random.next() >> 11) / 9_007_199_254_740_992
        return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
    }
}
