import Foundation
import STTestSupport
import STTraining
import Testing

/// One training step of all-MiniLM-L6-v2 against PyTorch's (`train_step.json`): loss, every gradient, one AdamW step.
@Suite struct GradientParityTests {
    static func fixture(_ model: String) -> [String: Any] {
        let url = TestResources.fixture("\(model)/train_step.json")
        return (try? JSONSerialization.jsonObject(with: Data(contentsOf: url))) as? [String: Any] ?? [:]
    }

    /// Runs the model on each stored column (token ids as Python had them) and returns the loss input.
    static func step(_ section: [String: Any], model: TrainableSentenceTransformer, loss: any SentenceLoss,
                     labels: [Float] = []) throws -> (loss: Double, norm: Double) {
        let columns = try #require(section["columns"] as? [[String: Any]])
        model.parameters.zeroGradients()
        var passes: [TrainableSentenceTransformer.Pass] = []
        for column in columns {
            let texts = try #require(column["texts"] as? [String])
            // Our tokenization of each text must equal the ids Python fed the model (its padding removed).
            let ids = try #require(column["input_ids"] as? [[Int]])
            let masks = try #require(column["attention_mask"] as? [[Int]])
            let batch = try model.tokenize(texts)
            for (index, sequence) in batch.sequences.enumerated() {
                let expected = zip(ids[index], masks[index]).filter { $0.1 == 1 }.map(\.0)
                #expect(batch.inputIDs[sequence].map(Int.init) == expected)
            }
            var random: TrainingRandom? = nil
            passes.append(try model.forward(batch, random: &random))
        }
        let input = LossInput(columns: passes.map(\.embeddings), dimension: model.embeddingDimension, labels: labels)
        let output = try loss.compute(input)
        for (pass, gradient) in zip(passes, output.gradients) { model.backward(pass, dEmbeddings: gradient) }
        return (output.loss, model.parameters.gradientNorm())
    }

    static func relativeClose(_ a: Double, _ b: Double, relative: Double, absolute: Double = 1e-6) -> Bool {
        abs(a - b) <= max(absolute, relative * abs(b))
    }

    /// all-MiniLM-L6-v2 (BERT) and all-mpnet-base-v2 (MPNet, with its relative position bias).
    @Test(arguments: ["all-MiniLM-L6-v2", "all-mpnet-base-v2"])
    func multipleNegativesRankingLossMatchesPyTorch(modelName: String) throws {
        let fixture = Self.fixture(modelName)
        let section = try #require(fixture["multiple_negatives_ranking_loss"] as? [String: Any])
        let model = try TrainableSentenceTransformer(directory: TestResources.model(modelName), maxSeqLength: 256)
        let (loss, norm) = try Self.step(section, model: model, loss: MultipleNegativesRankingLoss())
        let expectedLoss = try #require(section["loss"] as? Double)
        #expect(Self.relativeClose(loss, expectedLoss, relative: 1e-4), "loss \(loss) vs \(expectedLoss)")
        let expectedNorm = try #require(section["global_grad_norm"] as? Double)
        #expect(Self.relativeClose(norm, expectedNorm, relative: 1e-3), "global norm \(norm) vs \(expectedNorm)")

        var worstNorm = 0.0, worstValue = 0.0, checked = 0
        let entries = try #require(section["grads"] as? [[String: Any]])
        for entry in entries {
            let name = try #require(entry["name"] as? String)
            guard let first16 = entry["grad_first16"] as? [Double] else { continue }  // the unused pooler
            let parameter = try #require(model.parameters.entry(key: name), "no parameter \(name)")
            let gradient = model.parameters.gradient(of: parameter)
            let norm = gradient.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
            let expected = try #require(entry["grad_norm"] as? Double)
            #expect(Self.relativeClose(norm, expected, relative: 1e-3), "\(name): norm \(norm) vs \(expected)")
            // A key bias has a zero gradient in exact arithmetic (softmax ignores a per-row constant): only noise to compare.
            if expected > 1e-4 { worstNorm = max(worstNorm, abs(norm - expected) / expected) }
            for (value, reference) in zip(gradient.prefix(16), first16) {
                #expect(Self.relativeClose(Double(value), reference, relative: 1e-3), "\(name): \(value) vs \(reference)")
                if abs(reference) > 1e-4 { worstValue = max(worstValue, abs(Double(value) - reference) / abs(reference)) }
            }
            checked += 1
        }
        #expect(checked == entries.count - 2)  // all but the unused pooler
        print("\(modelName) MNRL parity: loss \(loss) (PyTorch \(expectedLoss)); worst relative gradient-norm error \(worstNorm), worst first-16 value error \(worstValue)")

        // One AdamW step as the fixture's optimizer took it: one group, decay on every parameter, eps 1e-6.
        let optimizer = AdamW(parameters: model.parameters, epsilon: 1e-6, weightDecay: 0.01, decayEverything: true)
        let adam = try #require(section["adamw_step"] as? [String: Any])
        optimizer.step(learningRate: 2e-5)
        var worstStep: Float = 0
        for entry in try #require(adam["params"] as? [[String: Any]]) {
            let name = try #require(entry["name"] as? String)
            let parameter = try #require(model.parameters.entry(key: name))
            let values = model.parameters.values(of: parameter)
            let after = TestResources.floats(entry["after_first16"])
            for (value, reference) in zip(values.prefix(16), after) { worstStep = max(worstStep, abs(value - reference)) }
            if let rows = entry["rows_after_first16"] as? [String: Any] {
                for (row, list) in rows {
                    let offset = (Int(row) ?? 0) * parameter.shape[1]
                    for (k, reference) in TestResources.floats(list).enumerated() {
                        worstStep = max(worstStep, abs(values[offset + k] - reference))
                    }
                }
            }
        }
        #expect(worstStep <= 1e-6, "AdamW step differs by \(worstStep)")
        print("\(modelName) AdamW step: max |Δ| \(worstStep)")
    }

    @Test func cosineSimilarityAndTripletLossesMatchPyTorch() throws {
        let model = try TrainableSentenceTransformer(directory: TestResources.model("all-MiniLM-L6-v2"), maxSeqLength: 256)
        let fixture = Self.fixture("all-MiniLM-L6-v2")
        let cosineSection = try #require(fixture["cosine_similarity_loss"] as? [String: Any])
        let pairs = try #require(cosineSection["pairs"] as? [[Any]])
        let labels = pairs.compactMap { ($0.last as? Double).map(Float.init) }
        let tripletSection = try #require(fixture["triplet_loss"] as? [String: Any])
        for (section, loss, labels) in [(cosineSection, CosineSimilarityLoss() as any SentenceLoss, labels),
                                        (tripletSection, TripletLoss(), [])] {
            let (value, norm) = try Self.step(section, model: model, loss: loss, labels: labels)
            let expectedLoss = try #require(section["loss"] as? Double)
            #expect(Self.relativeClose(value, expectedLoss, relative: 1e-4), "\(loss.name): loss \(value) vs \(expectedLoss)")
            let expectedNorm = try #require(section["global_grad_norm"] as? Double)
            #expect(Self.relativeClose(norm, expectedNorm, relative: 1e-3), "\(loss.name): norm \(norm) vs \(expectedNorm)")
            var worst = 0.0
            for entry in try #require(section["grad_norms"] as? [[String: Any]]) {
                let name = try #require(entry["name"] as? String)
                guard let parameter = model.parameters.entry(key: name) else { continue }
                let gradient = model.parameters.gradient(of: parameter)
                let norm = gradient.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
                let expected = try #require(entry["grad_norm"] as? Double)
                #expect(Self.relativeClose(norm, expected, relative: 1e-3), "\(loss.name) \(name): \(norm) vs \(expected)")
                if expected > 1e-4 { worst = max(worst, abs(norm - expected) / expected) }
            }
            print("\(loss.name) parity: loss \(value) (PyTorch \(expectedLoss)); worst relative gradient-norm error \(worst)")
        }
    }
}
