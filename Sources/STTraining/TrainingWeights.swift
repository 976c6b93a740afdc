import Foundation
import STModels
import STTensor
import Synchronization

/// The training ``WeightSourceProvider``: every tensor a module's layers ask for is copied into the parameter set
/// under its file and verbatim key, and the layers get its offset. The modules are the inference modules, loaded once.
struct TrainingWeights: WeightSourceProvider {
    let collector: ParameterCollector

    func source(_ loader: WeightLoader, file: String, compute: ComputePrecision) throws -> any WeightSource {
        guard compute == .float32 else {
            throw TrainingError.invalidArgument("training computes in fp32; compute precision \(compute.rawValue) is for inference")
        }
        collector.record(loader, file: file)
        return Source(loader: loader, file: file, collector: collector)
    }

    /// The parameters collected while a model loads, and the checkpoint each file was read from.
    final class ParameterCollector: Sendable {
        private struct State {
            var builder = ParameterSet.Builder()
            var checkpoints: [String: WeightLoader] = [:]
        }

        private let state = Mutex(State())

        func add(file: String, key: String, tensor: Tensor) -> Int {
            state.withLock { $0.builder.add(file: file, key: key, tensor: tensor) }
        }

        func record(_ loader: WeightLoader, file: String) {
            state.withLock { state in
                if state.checkpoints[file] == nil { state.checkpoints[file] = loader }
            }
        }

        var builder: ParameterSet.Builder { state.withLock { $0.builder } }

        /// The floating-point tensors of the checkpoint read for `file` that are not parameters (BERT's pooler in a
        /// bi-encoder), saved back unchanged. Integer buffers (`position_ids`) are left out: transformers rebuilds them.
        func untrainedTensors(of file: String, parameters: ParameterSet) throws -> [String: Tensor] {
            guard let root = state.withLock({ $0.checkpoints[file] }) else { return [:] }
            let trained = Set(parameters.entries.filter { $0.file == file }.map(\.key))
            var tensors: [String: Tensor] = [:]
            for name in root.checkpoint.tensorNames where !trained.contains(name) {
                do {
                    tensors[name] = try root.checkpoint.tensor(named: name)
                } catch SafeTensorsError.unsupportedDType {
                    continue
                }
            }
            return tensors
        }
    }

    /// Fused projections (`[Q; K; V]`, `[gate; up]`) are laid out weight after weight, then bias after bias, so
    /// each fused weight and bias is one contiguous block.
    struct Source: WeightSource {
        let loader: WeightLoader
        let file: String
        let collector: ParameterCollector

        func scoped(_ component: String) -> Source { Source(loader: loader.scoped(component), file: file, collector: collector) }

        private func add(_ name: String, shape: [Int]) throws -> Int {
            collector.add(file: file, key: "\(loader.prefix)\(name)", tensor: try loader.tensor(name, shape: shape))
        }

        func parameter(_ name: String, shape: [Int]) throws -> Parameter {
            Parameter(.slot(try add(name, shape: shape)), shape: shape)
        }

        func linear(_ names: [String], inFeatures: Int, outFeatures: [Int], bias: Bool) throws -> LinearLayer {
            var weight: Int?
            for (name, out) in zip(names, outFeatures) {
                let offset = try add("\(name).weight", shape: [out, inFeatures])
                if weight == nil { weight = offset }
            }
            var biasOffset: Int?
            if bias {
                for (name, out) in zip(names, outFeatures) {
                    let offset = try add("\(name).bias", shape: [out])
                    if biasOffset == nil { biasOffset = offset }
                }
            }
            return LinearLayer(trainableWeight: weight ?? 0, bias: biasOffset, inFeatures: inFeatures, outFeatures: outFeatures.reduce(0, +))
        }
    }
}

/// The training generator as the layers' dropout source.
final class RandomDropoutSource: DropoutSource {
    var random: TrainingRandom

    init(_ random: TrainingRandom) { self.random = random }

    func fillDropoutMask(_ mask: UnsafeMutablePointer<Float>, count: Int, probability: Float) {
        random.fillDropoutMask(mask, count: count, probability: probability)
    }
}
