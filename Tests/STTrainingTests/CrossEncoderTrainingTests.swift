import Foundation
import SentenceTransformers
import STTensor
import STTestSupport
import STTraining
import Testing

/// Cross-encoder training against sentence-transformers 6.2 (Tests/Fixtures/cross-encoder-training, made by its
/// make_goldens.py): for each loss, one step on cross-encoder-stsb-MiniLM-L6 (the 3-label model for
/// CrossEntropyLoss) gives PyTorch's loss and every parameter's gradient; and the backward pass agrees with finite
/// differences of the loss.
@Suite struct CrossEncoderTrainingTests {
    static func goldens() throws -> [String: [String: Any]] {
        let url = TestResources.fixture("cross-encoder-training/goldens.json")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        return try #require(object["cases"] as? [String: [String: Any]])
    }

    static func loss(for name: String, _ golden: [String: Any]) -> any CrossEncoderLoss {
        switch name {
        case "bce": return CrossEncoderLosses.BinaryCrossEntropyLoss()
        case "bce_pos_weight": return CrossEncoderLosses.BinaryCrossEntropyLoss(posWeight: golden["pos_weight"] as? Double)
        case "mse": return CrossEncoderLosses.MSELoss()
        case "cross_entropy": return CrossEncoderLosses.CrossEntropyLoss()
        case "margin_mse": return CrossEncoderLosses.MarginMSELoss()
        default: return CrossEncoderLosses.MultipleNegativesRankingLoss(numNegatives: golden["num_negatives"] as? Int,
                                                                         scale: golden["scale"] as? Double ?? 10)
        }
    }

    /// One step: the loss's pair groups through the model, the loss, every group's backward pass.
    static func step(_ model: TrainableCrossEncoder, _ loss: any CrossEncoderLoss, columns: [[String]], labels: [Float],
                     labelVectors: [Float], random: inout TrainingRandom?) throws -> Double {
        model.parameters.zeroGradients()
        let passes = try loss.pairGroups(columns).map { try model.forward($0, random: &random) }
        let output = try loss.compute(LossInput(columns: passes.map(\.logits), dimension: model.numLabels, labels: labels,
                                                labelVectors: labelVectors))
        for (pass, gradient) in zip(passes, output.gradients) { try model.backward(pass, dLogits: gradient) }
        return output.loss
    }

    static func close(_ a: Double, _ b: Double, relative: Double, absolute: Double = 1e-6) -> Bool {
        abs(a - b) <= max(absolute, relative * abs(b))
    }

    @Test func gradientsEqualPyTorchsForEveryLoss() throws {
        let goldens = try Self.goldens()
        #expect(goldens.count == 7)
        let one = try TrainableCrossEncoder(directory: TestResources.model("cross-encoder-stsb-MiniLM-L6"))
        let three = try TrainableCrossEncoder(directory: TestResources.model("cross-encoder-stsb-MiniLM-L6-3labels"))
        for (name, golden) in goldens.sorted(by: { $0.key < $1.key }) {
            let model = name == "cross_entropy" ? three : one
            let loss = Self.loss(for: name, golden)
            let columns = try #require(golden["columns"] as? [[String]])
            let raw = golden["labels"] as? [Any] ?? []
            let labels = raw.compactMap { ($0 as? Double).map(Float.init) }
            let labelVectors = raw.compactMap { $0 as? [Double] }.flatMap { $0.map(Float.init) }
            var random: TrainingRandom? = nil
            let value = try Self.step(model, loss, columns: columns, labels: labels, labelVectors: labelVectors, random: &random)
            let expected = try #require(golden["loss"] as? Double)
            #expect(Self.close(value, expected, relative: 1e-4), "\(name): loss \(value), PyTorch \(expected)")
            let norm = model.parameters.gradientNorm()
            let expectedNorm = try #require(golden["global_grad_norm"] as? Double)
            #expect(Self.close(norm, expectedNorm, relative: 1e-3), "\(name): gradient norm \(norm), PyTorch \(expectedNorm)")
            var worst = 0.0, checked = 0
            let entries = try #require(golden["grads"] as? [[String: Any]])
            for entry in entries {
                let key = try #require(entry["name"] as? String)
                let parameter = try #require(model.parameters.entry(key: key), "\(name): no parameter \(key)")
                let gradient = model.parameters.gradient(of: parameter)
                let norm = gradient.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
                let expected = try #require(entry["grad_norm"] as? Double)
                #expect(Self.close(norm, expected, relative: 2e-3, absolute: 1e-5), "\(name) \(key): norm \(norm), PyTorch \(expected)")
                if expected > 1e-4 { worst = max(worst, abs(norm - expected) / expected) }
                for (ours, reference) in zip(gradient.prefix(16), TestResources.floats(entry["grad_first16"])) {
                    #expect(Self.close(Double(ours), Double(reference), relative: 5e-3, absolute: 2e-6), "\(name) \(key): \(ours) vs \(reference)")
                }
                checked += 1
            }
            #expect(checked == model.parameters.entries.count, "\(name): \(checked) of \(model.parameters.entries.count) parameters checked")
            print("cross-encoder \(loss.name) (\(name)) parity: loss \(value) (PyTorch \(expected)); worst relative gradient-norm error \(worst)")
        }
    }

    /// The directional derivative along the gradient, `(L(θ + εg) − L(θ − εg)) / 2ε`, equals `‖g‖²`.
    @Test func backwardMatchesFiniteDifferences() throws {
        let model = try TrainableCrossEncoder(directory: TestResources.model("cross-encoder-stsb-MiniLM-L6"))
        let columns = [["A man is playing a guitar.", "What is the capital of France?", "A dog runs."],
                       ["Someone plays music.", "Berlin is in Germany.", "The dog is running in a park."]]
        for loss in [CrossEncoderLosses.BinaryCrossEntropyLoss(posWeight: 2) as any CrossEncoderLoss, CrossEncoderLosses.MultipleNegativesRankingLoss()] {
            var random: TrainingRandom? = nil
            _ = try Self.step(model, loss, columns: columns, labels: [1, 0, 1], labelVectors: [], random: &random)
            let gradient = Array(UnsafeBufferPointer(start: model.parameters.gradients, count: model.parameters.count))
            let squared = gradient.reduce(0.0) { $0 + Double($1) * Double($1) }
            // A step that moves the loss by about 1e-3: small enough to be linear, large against float rounding.
            let epsilon = 1e-3 / squared
            func moved(_ sign: Double) throws -> Double {
                for i in gradient.indices { model.parameters.values[i] += Float(sign * epsilon) * gradient[i] }
                defer { for i in gradient.indices { model.parameters.values[i] -= Float(sign * epsilon) * gradient[i] } }
                var random: TrainingRandom? = nil
                return try Self.step(model, loss, columns: columns, labels: [1, 0, 1], labelVectors: [], random: &random)
            }
            let slope = (try moved(1) - moved(-1)) / (2 * epsilon)
            #expect(abs(slope - squared) <= 0.02 * squared, "\(loss.name): finite differences \(slope), backward \(squared)")
            print("cross-encoder \(loss.name): finite differences \(slope), backward ‖g‖² \(squared)")
        }
    }

    @Test func lossesRefuseWhatTheyCannotTrain() throws {
        let bce = CrossEncoderLosses.BinaryCrossEntropyLoss()
        #expect(throws: TrainingError.self) { try bce.pairGroups([["a"], ["b"], ["c"]]) }
        #expect(throws: TrainingError.self) { try bce.compute(LossInput(columns: [[0.5, 0.1]], dimension: 1, labels: [1])) }
        #expect(throws: TrainingError.self) { try bce.compute(LossInput(columns: [[0.5]], dimension: 1, labels: [.nan])) }
        #expect(throws: TrainingError.self) { try CrossEncoderLosses.CrossEntropyLoss().compute(LossInput(columns: [[0.5, 0.1]], dimension: 2, labels: [2])) }
        #expect(throws: TrainingError.self) { try CrossEncoderLosses.CrossEntropyLoss().compute(LossInput(columns: [[0.5]], dimension: 1, labels: [0])) }
        #expect(throws: TrainingError.self) { try CrossEncoderLosses.MarginMSELoss().pairGroups([["a"], ["b"]]) }
        #expect(throws: TrainingError.self) { try CrossEncoderLosses.MultipleNegativesRankingLoss(numNegatives: -1).pairGroups([["a"], ["b"]]) }
        // In-batch negatives: all other examples' candidates in order, or a seeded draw of `numNegatives` of them.
        let groups = try CrossEncoderLosses.MultipleNegativesRankingLoss(numNegatives: 4).pairGroups([["q0", "q1", "q2"], ["d0", "d1", "d2"]])
        #expect(groups.map { $0.map(\.1) } == [["d0", "d1", "d2"], ["d1", "d0", "d0"], ["d2", "d2", "d1"]])
        let drawn = try CrossEncoderLosses.MultipleNegativesRankingLoss(numNegatives: 1, seed: 3).pairGroups([["q0", "q1", "q2"], ["d0", "d1", "d2"]])
        #expect(drawn.count == 2 && zip(drawn[1], ["d0", "d1", "d2"]).allSatisfy { $0.1 != $1 })
    }

    /// A bi-encoder starts a reranker as Python's `CrossEncoder("all-MiniLM-L6-v2")` does: its encoder under
    /// `bert.`, its pooler kept, a new classifier drawn from N(0, 0.02²) with a zero bias; a model with a head keeps it.
    @Test func aBiEncoderGetsANewHead() throws {
        let base = try TestResources.model("all-MiniLM-L6-v2")
        let model = try TrainableCrossEncoder(directory: base, numLabels: 1, seed: 7)
        #expect(model.numLabels == 1 && model.model.activation == .sigmoid)
        let parameters = model.parameters
        let weight = parameters.values(of: try #require(parameters.entry(key: "classifier.weight")))
        #expect(weight.count == 384)
        let mean = weight.reduce(0.0) { $0 + Double($1) } / Double(weight.count)
        let deviation = (weight.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(weight.count)).squareRoot()
        #expect(abs(mean) < 0.004 && abs(deviation - 0.02) < 0.003, "mean \(mean), deviation \(deviation)")
        #expect(parameters.values(of: try #require(parameters.entry(key: "classifier.bias"))) == [0])
        let checkpoint = try SafeTensorsFile(path: base.appendingPathComponent("model.safetensors").path)
        for key in ["embeddings.word_embeddings.weight", "pooler.dense.weight", "encoder.layer.5.output.dense.bias"] {
            let entry = try #require(parameters.entry(key: "bert.\(key)"), "bert.\(key)")
            let original = try checkpoint.tensor(named: key).values
            #expect(parameters.values(of: entry) == original, "\(key)")
        }
        let again = try TrainableCrossEncoder(directory: base, seed: 7)
        #expect(again.parameters.values(of: try #require(again.parameters.entry(key: "classifier.weight"))) == weight, "seeded")
        #expect(throws: TrainingError.self) { try TrainableCrossEncoder(directory: TestResources.model("cross-encoder-stsb-MiniLM-L6"), numLabels: 3) }
        let three = try TrainableCrossEncoder(directory: base, numLabels: 3)
        #expect(three.numLabels == 3 && three.model.activation == .identity)
    }
}
