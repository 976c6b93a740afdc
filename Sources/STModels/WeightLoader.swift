import STTensor

/// Looks weights up by their verbatim Hugging Face keys, built from prefixes as the module tree nests:
/// `weights.scoped("encoder").scoped("layer.3").tensor("output.dense.weight")` reads
/// `encoder.layer.3.output.dense.weight` (or `bert.encoder.layer.3.output.dense.weight`, when the checkpoint was saved
/// from a model with a head: the loader finds which prefix the file uses once, from a probe key).
public struct WeightLoader: Sendable {
    public let file: SafeTensorsFile
    /// The key prefix, with its trailing dot (or empty).
    public let prefix: String
    /// The arithmetic the projections built from these weights use.
    public var precision: Precision = .float32

    /// Opens `file` and detects the checkpoint's root prefix among `candidates` from a key every checkpoint of the
    /// architecture has (`probe`, e.g. `"embeddings.word_embeddings.weight"`); an empty probe takes the first candidate.
    public init(file: SafeTensorsFile, probe: String, candidates: [String]) throws {
        self.file = file
        if probe.isEmpty, let first = candidates.first {
            prefix = first
            return
        }
        guard let root = candidates.first(where: { file.entries["\($0)\(probe)"] != nil }) else {
            throw ModelError.missingWeight(key: probe, file: file.path, tried: candidates.map { "\($0)\(probe)" })
        }
        prefix = root
    }

    private init(file: SafeTensorsFile, prefix: String) {
        self.file = file
        self.prefix = prefix
    }

    /// A loader whose keys start with `component` inside this one.
    public func scoped(_ component: String) -> WeightLoader {
        var scoped = WeightLoader(file: file, prefix: "\(prefix)\(component).")
        scoped.precision = precision
        return scoped
    }

    /// Whether the checkpoint has `name` under this prefix.
    public func contains(_ name: String) -> Bool { file.entries["\(prefix)\(name)"] != nil }

    /// The tensor `name` under this prefix, checked against `shape`.
    public func tensor(_ name: String, shape: [Int]) throws -> Tensor {
        let key = "\(prefix)\(name)"
        guard file.entries[key] != nil else {
            throw ModelError.missingWeight(key: key, file: file.path, tried: [key])
        }
        let tensor = try file.tensor(named: key)
        guard tensor.shape == shape else {
            throw ModelError.wrongShape(key: key, file: file.path, expected: shape, actual: tensor.shape)
        }
        return tensor
    }
}
