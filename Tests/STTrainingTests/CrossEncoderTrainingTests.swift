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

    static func loss(for name: String, _ golden: [String: Any]) throws -> any CrossEncoderLoss {
        switch name {
        case "bce": return CrossEncoderLosses.BinaryCrossEntropyLoss()
        case "bce_pos_weight": return CrossEncoderLosses.BinaryCrossEntropyLoss(posWeight: golden["pos_weight"] as? Double)
        case "mse": return CrossEncoderLosses.MSELoss()
        case "cross_entropy": return CrossEncoderLosses.CrossEntropyLoss()
        case "margin_mse": return CrossEncoderLosses.MarginMSELoss()
        case "cached_mnrl":
            return try CrossEncoderLosses.CachedMultipleNegativesRankingLoss(numNegatives: golden["num_negatives"] as? Int,
                                                                              miniBatchSize: golden["mini_batch_size"] as? Int ?? 32)
        case "lambda": return try CrossEncoderLosses.LambdaLoss()
        case "listnet": return CrossEncoderLosses.ListNetLoss(miniBatchSize: golden["mini_batch_size"] as? Int)
        default: return CrossEncoderLosses.MultipleNegativesRankingLoss(numNegatives: golden["num_negatives"] as? Int,
                                                                         scale: golden["scale"] as? Double ?? 10)
        }
    }

    /// One step of the trainer without dropout: the loss's pair groups through the model (with the gradient cache for
    /// a cached loss), the loss, every backward pass.
    static func step(_ model: TrainableCrossEncoder, _ loss: any CrossEncoderLoss, examples: [TrainingExample]) throws -> Double {
        model.parameters.zeroGradients()
        var arguments = TrainingArguments(outputDirectory: FileManager.default.temporaryDirectory.path)
        arguments.dropout = false
        return try Trainer(model: model, loss: loss, datasets: [], arguments: arguments).accumulateGradients(examples)
    }

    /// The examples of a golden case: text columns with a label or label vector each, or listwise rows.
    static func examples(_ golden: [String: Any]) throws -> [TrainingExample] {
        if let queries = golden["query"] as? [String] {
            let documents = try #require(golden["documents"] as? [[String]])
            let labels = try #require(golden["list_labels"] as? [[Double]])
            return zip(queries, zip(documents, labels)).map { TrainingExample(texts: [$0], labelVector: $1.1.map(Float.init), candidates: $1.0) }
        }
        let columns = try #require(golden["columns"] as? [[String]])
        let raw = golden["labels"] as? [Any] ?? []
        return (0..<columns[0].count).map { row in
            TrainingExample(texts: columns.map { $0[row] }, label: (raw.count > row ? raw[row] as? Double : nil).map(Float.init),
                            labelVector: (raw.count > row ? raw[row] as? [Double] : nil)?.map(Float.init))
        }
    }

    static func close(_ a: Double, _ b: Double, relative: Double, absolute: Double = 1e-6) -> Bool {
        abs(a - b) <= max(absolute, relative * abs(b))
    }

    @Test func gradientsEqualPyTorchsForEveryLoss() throws {
        let goldens = try Self.goldens()
        #expect(goldens.count == 10)
        let one = try TrainableCrossEncoder(directory: TestResources.model("cross-encoder-stsb-MiniLM-L6"))
        let three = try TrainableCrossEncoder(directory: TestResources.model("cross-encoder-stsb-MiniLM-L6-3labels"))
        for (name, golden) in goldens.sorted(by: { $0.key < $1.key }) {
            let model = name == "cross_entropy" ? three : one
            let loss = try Self.loss(for: name, golden)
            let value = try Self.step(model, loss, examples: Self.examples(golden))
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
        let queries = ["A man is playing a guitar.", "What is the capital of France?", "A dog runs."]
        let documents = ["Someone plays music.", "Berlin is in Germany.", "The dog is running in a park."]
        let pairs = (0..<3).map { TrainingExample(texts: [queries[$0], documents[$0]], label: [1, 0, 1][$0]) }
        let lists = [TrainingExample(texts: [queries[0]], labelVector: [1, 0, 2], candidates: documents),
                     TrainingExample(texts: [queries[1]], labelVector: [0, 1], candidates: Array(documents.prefix(2)))]
        let cases: [(any CrossEncoderLoss, [TrainingExample])] = [
            (CrossEncoderLosses.BinaryCrossEntropyLoss(posWeight: 2), pairs), (CrossEncoderLosses.MultipleNegativesRankingLoss(), pairs),
            (try CrossEncoderLosses.CachedMultipleNegativesRankingLoss(miniBatchSize: 2), pairs), (try CrossEncoderLosses.LambdaLoss(), lists),
        ]
        for (loss, examples) in cases {
            _ = try Self.step(model, loss, examples: examples)
            let gradient = Array(UnsafeBufferPointer(start: model.parameters.gradients, count: model.parameters.count))
            let squared = gradient.reduce(0.0) { $0 + Double($1) * Double($1) }
            // A step that moves the loss by about 1e-3: small enough to be linear, large against float rounding.
            let epsilon = 1e-3 / squared
            func moved(_ sign: Double) throws -> Double {
                for i in gradient.indices { model.parameters.values[i] += Float(sign * epsilon) * gradient[i] }
                defer { for i in gradient.indices { model.parameters.values[i] -= Float(sign * epsilon) * gradient[i] } }
                return try Self.step(model, loss, examples: examples)
            }
            let slope = (try moved(1) - moved(-1)) / (2 * epsilon)
            #expect(abs(slope - squared) <= 0.02 * squared, "\(loss.name): finite differences \(slope), backward \(squared)")
            print("cross-encoder \(loss.name): finite differences \(slope), backward ‖g‖² \(squared)")
        }
    }

    /// LambdaLoss under every weighting scheme and option, and ListNetLoss, on fixed logits of lists of different
    /// lengths (negative and tied labels included): PyTorch's loss and logit gradients, and finite differences.
    @Test func listwiseLossesEqualPyTorchsOnFixedLogits() throws {
        let url = TestResources.fixture("cross-encoder-training/goldens.json")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let fixture = try #require(object["listwise_logits"] as? [String: Any])
        let logits = try #require(fixture["logits"] as? [Double]).map(Float.init)
        let lengths = try #require(fixture["lengths"] as? [Int])
        let labels = try #require(fixture["labels"] as? [[Double]]).flatMap { $0.map(Float.init) }
        let cases = try #require(fixture["cases"] as? [String: [String: Any]])
        #expect(cases.count == 7)
        for (name, golden) in cases.sorted(by: { $0.key < $1.key }) {
            let loss: any ListwiseLoss
            if name == "listnet" {
                loss = CrossEncoderLosses.ListNetLoss()
            } else {
                let scheme: CrossEncoderLosses.LambdaLoss.WeightingScheme
                switch golden["scheme"] as? String {
                case "ndcg_loss1": scheme = .ndcgLoss1
                case "ndcg_loss2": scheme = .ndcgLoss2
                case "lambda_rank": scheme = .lambdaRank
                case "none": scheme = .none
                default: scheme = .ndcgLoss2PP(mu: golden["mu"] as? Double ?? 10)
                }
                loss = try CrossEncoderLosses.LambdaLoss(weightingScheme: scheme, k: golden["k"] as? Int, sigma: golden["sigma"] as? Double ?? 1,
                                                         reductionLog: golden["reduction_log"] as? String == "natural" ? .natural : .binary)
            }
            // Two forward chunks, split inside a list, as a mini-batch would.
            func evaluate(_ values: [Float]) throws -> LossOutput {
                try loss.compute(LossInput(columns: [Array(values.prefix(5)), Array(values.dropFirst(5))], dimension: 1,
                                           labelVectors: labels, listLengths: lengths))
            }
            let output = try evaluate(logits)
            let expected = try #require(golden["loss"] as? Double)
            #expect(Self.close(output.loss, expected, relative: 1e-5), "\(name): loss \(output.loss), PyTorch \(expected)")
            let gradient = output.gradients.flatMap { $0 }
            for (i, (ours, reference)) in zip(gradient, TestResources.floats(golden["gradient"])).enumerated() {
                #expect(Self.close(Double(ours), Double(reference), relative: 1e-4, absolute: 1e-7), "\(name) logit \(i): \(ours) vs \(reference)")
                var up = logits, down = logits
                up[i] += 1e-2
                down[i] -= 1e-2
                let slope = (try evaluate(up).loss - evaluate(down).loss) / 2e-2
                #expect(abs(slope - Double(ours)) <= 1e-3 + 1e-2 * abs(Double(ours)), "\(name) logit \(i): finite differences \(slope), backward \(ours)")
            }
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
        // Listwise losses take (query, documents) rows with a label per document, and nothing else.
        let lambda = try CrossEncoderLosses.LambdaLoss()
        #expect(throws: TrainingError.self) { try lambda.pairGroups([["q"], ["d"]]) }
        #expect(throws: TrainingError.self) { try lambda.pairGroups(examples: [TrainingExample(texts: ["q"], candidates: [])]) }
        #expect(throws: TrainingError.self) { try bce.pairGroups(examples: [TrainingExample(texts: ["q"], candidates: ["d"])]) }
        #expect(throws: TrainingError.self) { try lambda.pairGroups(examples: [TrainingExample(texts: ["q"], labelVector: [1, 0], candidates: ["a", "b", "c"]),
                                                                               TrainingExample(texts: ["r"], labelVector: [1, 0, 2], candidates: ["d", "e"])]) }
        #expect(throws: TrainingError.self) { try lambda.compute(LossInput(columns: [[0.5, 0.1]], dimension: 1, labelVectors: [1], listLengths: [2])) }
        #expect(throws: TrainingError.self) { try lambda.compute(LossInput(columns: [[0.5, 0.1]], dimension: 1, labelVectors: [1, .nan], listLengths: [2])) }
        #expect(throws: TrainingError.self) { try CrossEncoderLosses.LambdaLoss(k: 0) }
        #expect(throws: TrainingError.self) { try CrossEncoderLosses.LambdaLoss(sigma: .nan) }
        #expect(throws: TrainingError.self) { try CrossEncoderLosses.CachedMultipleNegativesRankingLoss(miniBatchSize: 0) }
        // A label too large for 2^label gains, and a single label where a list is due.
        #expect(throws: TrainingError.self) { try lambda.compute(LossInput(columns: [[0.5, 0.1]], dimension: 1, labelVectors: [1e30, 0], listLengths: [2])) }
        #expect(throws: TrainingError.self) { try lambda.pairGroups(examples: [TrainingExample(texts: ["q"], label: 1, candidates: ["a", "b"])]) }
        // Python's order: query after query, in chunks of the batch's number of queries.
        let chunks = try lambda.pairGroups(examples: [TrainingExample(texts: ["q0"], labelVector: [1, 0, 0], candidates: ["a", "b", "c"]),
                                                      TrainingExample(texts: ["q1"], labelVector: [1], candidates: ["d"])])
        #expect(chunks.map { $0.map(\.1) } == [["a", "b"], ["c", "d"]])
    }

    /// A step whose loss or gradient is not a number stops the run before any weight changes, and nothing is saved; an
    /// evaluator that cannot score the model stops it before the first step.
    @Test func aRunStopsBeforeANonFiniteStepAndBeforeAnEvaluationThatCannotRun() throws {
        let model = try TrainableCrossEncoder(directory: TestResources.model("cross-encoder-stsb-MiniLM-L6"), maxSeqLength: 32)
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("ce-nan-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        var arguments = TrainingArguments(outputDirectory: output.path)
        arguments.maxSteps = 1
        arguments.perDeviceTrainBatchSize = 2
        let before = Array(UnsafeBufferPointer(start: model.parameters.values, count: model.parameters.count))
        // (σ(x) − 3e38)² is finite in Double, but its gradient overflows Float.
        let huge = InMemoryDataset([TrainingExample(texts: ["a", "b"], label: 3e38), TrainingExample(texts: ["c", "d"], label: 3e38)])
        let trainer = Trainer(model: model, loss: CrossEncoderLosses.MSELoss(), datasets: [huge], arguments: arguments)
        #expect(throws: TrainingError.self) { try trainer.train() }
        #expect(Array(UnsafeBufferPointer(start: model.parameters.values, count: model.parameters.count)) == before, "no weight moved")
        #expect(!FileManager.default.fileExists(atPath: output.appendingPathComponent("model.safetensors").path))

        let fine = InMemoryDataset([TrainingExample(texts: ["a", "b"], label: 1), TrainingExample(texts: ["c", "d"], label: 0)])
        let evaluator = try CrossEncoderClassificationEvaluator(examples: [.init("a", "b", label: 1), .init("c", "d", label: 2)])
        let unscorable = Trainer(model: model, loss: CrossEncoderLosses.BinaryCrossEntropyLoss(), datasets: [fine], arguments: arguments,
                                 evaluator: evaluator)
        #expect(throws: SentenceTransformerError.self) { try unscorable.train() }
        #expect(Array(UnsafeBufferPointer(start: model.parameters.values, count: model.parameters.count)) == before, "refused before the first step")
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
