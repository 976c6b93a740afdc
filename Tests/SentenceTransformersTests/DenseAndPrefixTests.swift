import Foundation
import STTensor
import STTestSupport
import SentenceTransformers
import Testing

/// A Dense module built here by hand, and encoder weights saved under a `bert.` prefix.
@Suite struct DenseAndPrefixTests {
    static func temporaryCopy(_ name: String) throws -> URL {
        let target = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: try TestResources.model(name), to: target)
        return target
    }

    @Test func denseAppliesWeightsBiasAndActivation() throws {
        let directory = try Self.temporaryCopy("tiny-bert-legacy-pooling")
        // Pooling (max ‖ mean_sqrt: 128) → Dense(128 → 2, tanh) → Normalize.
        let dense = directory.appendingPathComponent("2_Dense")
        try FileManager.default.createDirectory(at: dense, withIntermediateDirectories: true)
        try Data(#"{"in_features": 128, "out_features": 2, "bias": true, "activation_function": "torch.nn.modules.activation.Tanh"}"#.utf8)
            .write(to: dense.appendingPathComponent("config.json"))
        var weights = [Float](repeating: 0, count: 2 * 128)
        for c in 0..<128 { weights[c] = c.isMultiple(of: 2) ? 0.01 : -0.02; weights[128 + c] = Float(c) / 1000 }
        try SafeTensorsWriter.write(
            ["linear.weight": Tensor(shape: [2, 128], values: weights), "linear.bias": Tensor(shape: [2], values: [0.1, -0.3])],
            to: dense.appendingPathComponent("model.safetensors").path)
        let plain = try SentenceTransformer(directory: directory)
        let pooled = try plain.encode("Dense layers map pooled vectors.")
        try Data(#"""
            [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
             {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
             {"idx": 2, "name": "2", "path": "2_Dense", "type": "sentence_transformers.models.Dense"},
             {"idx": 3, "name": "3", "path": "3_Normalize", "type": "sentence_transformers.models.Normalize"}]
            """#.utf8).write(to: directory.appendingPathComponent("modules.json"), options: .atomic)
        let model = try SentenceTransformer(directory: directory)
        #expect(model.embeddingDimension == 2)
        let output = try model.encode("Dense layers map pooled vectors.")
        let biases: [Double] = [0.1, -0.3]
        var expected: [Double] = []
        for row in 0..<2 {
            var sum = biases[row]
            for c in 0..<128 { sum += Double(weights[row * 128 + c]) * Double(pooled[c]) }
            expected.append(tanh(sum))
        }
        let norm = (expected[0] * expected[0] + expected[1] * expected[1]).squareRoot()
        let first = abs(Double(output[0]) - expected[0] / norm)
        let second = abs(Double(output[1]) - expected[1] / norm)
        #expect(first < 1e-5 && second < 1e-5, "\(output) vs \(expected)")
    }

    @Test func encoderWeightsUnderABertPrefix() throws {
        let directory = try Self.temporaryCopy("tiny-bert-legacy-pooling")
        let path = directory.appendingPathComponent("model.safetensors").path
        let original = try SafeTensorsFile(path: path)
        var renamed: [String: Tensor] = [:]
        for name in original.tensorNames where original.entries[name]?.dtype != .I64 {
            renamed["bert.\(name)"] = try original.tensor(named: name)
        }
        let reference = try SentenceTransformer(directory: try TestResources.model("tiny-bert-legacy-pooling")).encode("prefix test")
        try SafeTensorsWriter.write(renamed, to: path)
        let prefixed = try SentenceTransformer(directory: directory).encode("prefix test")
        #expect(prefixed == reference)
    }
}
