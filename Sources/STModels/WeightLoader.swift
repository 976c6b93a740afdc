import STTensor

/// Looks weights up by their verbatim Hugging Face keys, built from prefixes as the module tree nests:
/// `weights.scoped("encoder").scoped("layer.3").tensor("output.dense.weight")` reads
/// `encoder.layer.3.output.dense.weight` (or `bert.encoder.layer.3.output.dense.weight`, when the checkpoint was saved
/// from a model with a head: the loader finds which prefix the file uses once, from a probe key).
public struct WeightLoader: Sendable {
    public let checkpoint: Checkpoint
    /// The key prefix, with its trailing dot (or empty).
    public let prefix: String
    /// Detects the checkpoint's root prefix among `candidates` from a key every checkpoint of the architecture has
    /// (`probe`, e.g. `"embeddings.word_embeddings.weight"`); an empty probe takes the first candidate.
    public init(checkpoint: Checkpoint, probe: String, candidates: [String]) throws {
        self.checkpoint = checkpoint
        if probe.isEmpty, let first = candidates.first {
            prefix = first
            return
        }
        guard let root = candidates.first(where: { checkpoint.contains("\($0)\(probe)") }) else {
            throw ModelError.missingWeight(key: probe, file: checkpoint.path, tried: candidates.map { "\($0)\(probe)" })
        }
        prefix = root
    }

    /// A loader over one file.
    public init(file: SafeTensorsFile, probe: String, candidates: [String]) throws {
        try self.init(checkpoint: Checkpoint(file: file), probe: probe, candidates: candidates)
    }

    private init(checkpoint: Checkpoint, prefix: String) {
        self.checkpoint = checkpoint
        self.prefix = prefix
    }

    /// A loader whose keys start with `component` inside this one.
    public func scoped(_ component: String) -> WeightLoader {
        WeightLoader(checkpoint: checkpoint, prefix: "\(prefix)\(component).")
    }

    /// Whether the checkpoint has `name` under this prefix.
    public func contains(_ name: String) -> Bool { checkpoint.contains("\(prefix)\(name)") }

    /// The tensor `name` under this prefix, checked against `shape`.
    public func tensor(_ name: String, shape: [Int]) throws -> Tensor {
        let key = "\(prefix)\(name)"
        let tensor = try checkpoint.tensor(named: key)
        guard tensor.shape == shape else {
            throw ModelError.wrongShape(key: key, file: checkpoint.path, expected: shape, actual: tensor.shape)
        }
        return tensor
    }
}
