import STKernels
import STTensor

/// Every trainable parameter of a model in one contiguous buffer, with a gradient buffer of the same layout
/// (llm.c style): optimizers, clipping and checkpoints work on flat arrays, while each parameter keeps its verbatim
/// checkpoint key and shape.
///
/// Shapes follow PyTorch's layout (`nn.Linear.weight` is `[out, in]`). Entries may be laid out in any order; BERT's
/// query, key and value weights sit next to each other so that they form one `[3·hidden, hidden]` projection.
public final class ParameterSet: @unchecked Sendable {
    /// One named parameter.
    public struct Entry: Sendable {
        /// The safetensors file (relative to the model directory) that stores the parameter.
        public let file: String
        /// The verbatim key in that file.
        public let key: String
        public let shape: [Int]
        /// Where the parameter starts in ``values`` and ``gradients``.
        public let offset: Int
        public var count: Int { shape.reduce(1, *) }
        /// Whether AdamW applies weight decay to it (HF Trainer: not to biases and LayerNorm weights).
        public let decays: Bool
    }

    public let entries: [Entry]
    public let count: Int
    /// The parameter values `[count]`.
    public let values: UnsafeMutablePointer<Float>
    /// The gradients `[count]`; backward passes accumulate into them.
    public let gradients: UnsafeMutablePointer<Float>
    private let positions: [String: Int]

    /// Collects parameters before the buffers are allocated.
    public struct Builder {
        var pending: [(file: String, key: String, shape: [Int], initial: [Float])] = []

        public init() {}

        /// Adds a parameter with its initial values; returns its offset in the final buffer.
        @discardableResult
        public mutating func add(file: String, key: String, shape: [Int], initial: [Float]) -> Int {
            precondition(shape.reduce(1, *) == initial.count, "ParameterSet: \(key) has \(initial.count) values for shape \(shape)")
            let offset = pending.reduce(0) { $0 + $1.initial.count }
            pending.append((file, key, shape, initial))
            return offset
        }

        /// Adds a tensor read from a checkpoint.
        @discardableResult
        public mutating func add(file: String, key: String, tensor: Tensor) -> Int {
            add(file: file, key: key, shape: tensor.shape, initial: tensor.values)
        }
    }

    public init(_ builder: Builder) {
        var entries: [Entry] = []
        var offset = 0
        for item in builder.pending {
            entries.append(Entry(file: item.file, key: item.key, shape: item.shape, offset: offset,
                                 decays: Self.decays(key: item.key)))
            offset += item.initial.count
        }
        self.entries = entries
        count = offset
        let values = UnsafeMutablePointer<Float>.allocate(capacity: max(1, offset))
        for (entry, item) in zip(entries, builder.pending) {
            item.initial.withUnsafeBufferPointer { source in
                if let base = source.baseAddress { (values + entry.offset).initialize(from: base, count: entry.count) }
            }
        }
        self.values = values
        gradients = .allocate(capacity: max(1, offset))
        gradients.initialize(repeating: 0, count: max(1, offset))
        var positions: [String: Int] = [:]
        for (index, entry) in entries.enumerated() { positions["\(entry.file)/\(entry.key)"] = index }
        self.positions = positions
    }

    deinit {
        values.deallocate()
        gradients.deallocate()
    }

    /// The HF Trainer's rule (`get_decay_parameter_names`): no decay for biases and normalization weights — names
    /// holding `bias`, `layernorm`, `rmsnorm`, a `norm` component or a component ending in `_norm` (`q_norm`,
    /// `attn_norm`, `final_norm`, `input_layernorm`).
    static func decays(key: String) -> Bool {
        let lowered = key.lowercased()
        if lowered.contains("bias") || lowered.contains("layernorm") || lowered.contains("layer_norm") || lowered.contains("rmsnorm") {
            return false
        }
        return !lowered.split(separator: ".").contains { $0 == "norm" || $0.hasSuffix("_norm") }
    }

    /// The entry stored under `key` in `file`.
    public func entry(file: String = "model.safetensors", key: String) -> Entry? {
        positions["\(file)/\(key)"].map { entries[$0] }
    }

    /// The values of one parameter, copied.
    public func values(of entry: Entry) -> [Float] { Array(UnsafeBufferPointer(start: values + entry.offset, count: entry.count)) }

    /// The gradient of one parameter, copied.
    public func gradient(of entry: Entry) -> [Float] { Array(UnsafeBufferPointer(start: gradients + entry.offset, count: entry.count)) }

    /// Sets every gradient to zero (done once per optimizer step; backward passes accumulate).
    public func zeroGradients() { gradients.update(repeating: 0, count: count) }

    /// The L2 norm of all gradients together, in `Double`.
    public func gradientNorm() -> Double { squaredGradientNorm().squareRoot() }

    /// Σ g², summed in `Double` over fixed blocks of 64 Ki values whose partial sums are added in order, so the result
    /// does not depend on how many workers shared the blocks.
    func squaredGradientNorm() -> Double {
        let block = 65_536
        let blocks = (count + block - 1) / block
        var partials = [Double](repeating: 0, count: blocks)
        let gradients = self.gradients, count = self.count
        partials.withUnsafeMutableBufferPointer { partials in
            guard let sums = partials.baseAddress else { return }
            Parallel.forEachChunk(count: blocks, minimumChunk: 4) { range in
                for b in range {
                    // Four accumulators break the dependency chain of one running sum.
                    var lanes: (Double, Double, Double, Double) = (0, 0, 0, 0)
                    let end = min(count, (b + 1) * block)
                    var i = b * block
                    while i + 4 <= end {
                        lanes.0 += Double(gradients[i]) * Double(gradients[i])
                        lanes.1 += Double(gradients[i + 1]) * Double(gradients[i + 1])
                        lanes.2 += Double(gradients[i + 2]) * Double(gradients[i + 2])
                        lanes.3 += Double(gradients[i + 3]) * Double(gradients[i + 3])
                        i += 4
                    }
                    while i < end {
                        lanes.0 += Double(gradients[i]) * Double(gradients[i])
                        i += 1
                    }
                    sums[b] = (lanes.0 + lanes.1) + (lanes.2 + lanes.3)
                }
            }
        }
        return partials.reduce(0, +)
    }

    /// Scales the gradients so that their global norm is at most `maxNorm`, as `torch.nn.utils.clip_grad_norm_`
    /// does (factor `maxNorm / (norm + 1e-6)`, applied only when below 1); returns the norm before clipping.
    @discardableResult
    public func clipGradients(maxNorm: Double) -> Double { Self.clipGradients(of: [self], maxNorm: maxNorm) }

    /// ``clipGradients(maxNorm:)`` over several parameter sets together (a model and a loss's own parameters): one
    /// global norm, one factor.
    @discardableResult
    public static func clipGradients(of sets: [ParameterSet], maxNorm: Double) -> Double {
        let norm = sets.reduce(0.0) { $0 + $1.squaredGradientNorm() }.squareRoot()
        let factor = maxNorm / (norm + 1e-6)
        guard factor < 1 else { return norm }
        let scale = Float(factor)
        for set in sets {
            let gradients = set.gradients
            Parallel.forEachChunk(count: set.count, minimumChunk: 65_536) { range in
                for i in range { gradients[i] *= scale }
            }
        }
        return norm
    }

    /// Tensors grouped by the file that stores them, for saving.
    public func tensorsByFile() -> [String: [String: Tensor]] {
        var result: [String: [String: Tensor]] = [:]
        for entry in entries {
            result[entry.file, default: [:]][entry.key] = Tensor(uncheckedShape: entry.shape, values: values(of: entry))
        }
        return result
    }
}
