import Foundation
import SentenceTransformers
import STModels
import STTensor
import STTestSupport
import STTraining
import Testing

/// The trainable model end to end on tiny seeded models: its forward equals inference, its gradients equal finite
/// differences, GradCache equals plain MNRL, and a saved model reloads with the same vectors.
@Suite struct TrainableModelTests {
    static let texts = ["A man is playing a guitar.", "The cat sleeps.", "Stocks closed higher on Friday after a long week.",
                        "a", "Two dogs run through the snow near a red barn."]
    static let others = ["Someone plays guitar.", "A kitten is asleep.", "Markets rose.", "b c", "Dogs in snow."]

    /// tiny-bert-lasttoken-mean-sqrt with a Dense (tanh, 128 → 16) and a Normalize module added.
    static func tinyModelWithDense() throws -> URL {
        let source = try TestResources.model("tiny-bert-lasttoken-mean-sqrt")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tiny-dense-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: source.resolvingSymlinksInPath(), to: directory)
        let dense = directory.appendingPathComponent("2_Dense")
        try FileManager.default.createDirectory(at: dense, withIntermediateDirectories: true)
        try Data(#"{"in_features": 128, "out_features": 16, "bias": true, "activation_function": "torch.nn.modules.activation.Tanh"}"#.utf8)
            .write(to: dense.appendingPathComponent("config.json"))
        try SafeTensorsWriter.write(["linear.weight": Tensor(shape: [16, 128], values: LossGradientTests.random(16 * 128, seed: 5, scale: 0.2)),
                                     "linear.bias": Tensor(shape: [16], values: LossGradientTests.random(16, seed: 6, scale: 0.1))],
                                    to: dense.appendingPathComponent("model.safetensors").path)
        try Data("""
            [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
             {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
             {"idx": 2, "name": "2", "path": "2_Dense", "type": "sentence_transformers.models.Dense"},
             {"idx": 3, "name": "3", "path": "3_Normalize", "type": "sentence_transformers.models.Normalize"}]
            """.utf8).write(to: directory.appendingPathComponent("modules.json"))
        return directory
    }

    static func maxDifference(_ a: [Float], _ b: [Float]) -> Float { zip(a, b).map { abs($0 - $1) }.max() ?? .infinity }

    @Test func trainingForwardEqualsInference() throws {
        let names = ["all-MiniLM-L6-v2", "tiny-bert-lasttoken-mean-sqrt", "tiny-roberta-max", "tiny-xlm-roberta-cls-dense", "all-mpnet-base-v2",
                     "tiny-distilbert-weightedmean", "tiny-modernbert-mean", "tiny-qwen3-lasttoken", "tiny-gemma3-embedding"]
        for url in try names.map(TestResources.model) + [try Self.tinyModelWithDense()] {
            let trainable = try TrainableSentenceTransformer(directory: url)
            var random: TrainingRandom? = nil
            let pass = try trainable.forward(Self.texts, random: &random)
            // Training sees texts without the model's default prompt (tiny-bert-lasttoken has "passage: ").
            let reference = try SentenceTransformer(directory: url).encode(Self.texts, prompt: "")
            let difference = Self.maxDifference(pass.embeddings, reference.flatMap { $0 })
            #expect(difference < 1e-5, "\(url.lastPathComponent): max |Δ| \(difference)")
        }
    }

    /// Central differences of a cosine-similarity loss through the whole pipeline (BERT, two pooling modes, Dense, Normalize) at
    /// parameters spread over every entry.
    @Test func modelGradientsMatchFiniteDifferences() throws {
        try Self.checkGradientsByFiniteDifferences(directory: Self.tinyModelWithDense(), label: "tiny BERT + Dense", minimumChecked: 3 * 28)
    }

    /// ModernBERT (GeGLU, local/global RoPE, bias-free LayerNorm), Qwen3 (causal, GQA, Q/K RMSNorm, SwiGLU, last
    /// token) and Gemma 3 (sandwich `1 + w` RMSNorms, MQA, scaled embeddings, sliding window, two Dense modules):
    /// every parameter entry of each whole tiny model against central differences.
    @Test(arguments: ["tiny-modernbert-mean", "tiny-qwen3-lasttoken", "tiny-gemma3-embedding"])
    func modernArchitectureGradientsMatchFiniteDifferences(_ name: String) throws {
        let directory = try TestResources.model(name)
        try Self.checkGradientsByFiniteDifferences(directory: directory, label: name, minimumChecked: 3 * 20)
    }

    /// Central differences of a cosine-similarity loss through the whole pipeline of `directory`, at parameters spread
    /// over every entry; at least `minimumChecked` values checked.
    static func checkGradientsByFiniteDifferences(directory: URL, label: String, minimumChecked: Int) throws {
        let model = try TrainableSentenceTransformer(directory: directory)
        let loss = CosineSimilarityLoss()
        let labels: [Float] = [0.9, 0.2, 0.5, 0.1, 0.7]
        let first = try model.tokenize(Self.texts), second = try model.tokenize(Self.others)
        func value() throws -> Double {
            var random: TrainingRandom? = nil
            let a = try model.forward(first, random: &random), b = try model.forward(second, random: &random)
            return try loss.compute(LossInput(columns: [a.embeddings, b.embeddings], dimension: model.embeddingDimension, labels: labels)).loss
        }
        model.parameters.zeroGradients()
        var random: TrainingRandom? = nil
        let a = try model.forward(first, random: &random), b = try model.forward(second, random: &random)
        let output = try loss.compute(LossInput(columns: [a.embeddings, b.embeddings], dimension: model.embeddingDimension, labels: labels))
        model.backward(a, dEmbeddings: output.gradients[0])
        model.backward(b, dEmbeddings: output.gradients[1])
        var generator = TrainingRandom(seed: 7)
        let h: Float = 1e-3
        // The forward passes run in Float, so the loss carries rounding noise δ, and a central difference
        // (L(p + h) − L(p − h)) / 2h carries up to δ/h of it: how much depends on the kernels' summation order, which
        // differs between instruction-set paths (AVX-512, AVX2, portable). δ is measured rather than assumed: moving
        // single parameters by three ulps changes the exact loss by g·η to first order; what the float loss
        // moves beyond that is rounding noise. The allowance is 3δ/h
        // (two noisy evaluations, a margin for the sampled maximum), on top of the 2% of the entry's largest gradient
        // that the O(h²) truncation error and float backward passes need.
        let base = try value()
        var noise = 0.0
        for entry in model.parameters.entries.prefix(40) {
            for _ in 0..<2 {
                let offset = entry.offset + Int(generator.next() % UInt64(entry.count))
                let pointer = model.parameters.values + offset
                let saved = pointer.pointee
                pointer.pointee = saved.nextUp.nextUp.nextUp
                let moved = Double(pointer.pointee) - Double(saved)
                noise = max(noise, abs(try value() - base - Double(model.parameters.gradients[offset]) * moved))
                pointer.pointee = saved
            }
        }
        let allowance = 3 * noise / Double(h)
        var checked = 0, worst = 0.0, worstRaw = 0.0
        for entry in model.parameters.entries {
            let gradient = model.parameters.gradient(of: entry)
            // The word embeddings: only rows of tokens in the batch have a gradient; pick among those.
            let candidates = gradient.indices.filter { gradient[$0] != 0 }
            guard !candidates.isEmpty else { continue }
            if entry.key.hasSuffix("attention.self.key.bias") {
                // Softmax ignores a constant added to a row of scores, so this gradient is zero up to rounding.
                #expect(gradient.allSatisfy { abs($0) < 1e-6 })
                continue
            }
            let largest = candidates.map { Double(abs(gradient[$0])) }.max() ?? 0
            for _ in 0..<3 {
                let index = candidates[Int(generator.next() % UInt64(candidates.count))]
                let pointer = model.parameters.values + entry.offset + index
                let saved = pointer.pointee
                pointer.pointee = saved + h
                let plus = try value()
                pointer.pointee = saved - h
                let minus = try value()
                pointer.pointee = saved
                let numeric = (plus - minus) / Double(2 * h)
                let error = abs(numeric - Double(gradient[index]))
                worst = max(worst, max(0, error - allowance) / (largest + 1e-3))
                worstRaw = max(worstRaw, error / (largest + 1e-3))
                #expect(error <= 2e-2 * (largest + 1e-3) + allowance,
                        "\(entry.key)[\(index)]: finite difference \(numeric), backward \(gradient[index]), noise allowance \(allowance)")
                checked += 1
            }
        }
        #expect(checked > minimumChecked, "\(label): \(checked) values checked")
        print("\(label): \(checked) parameters checked by finite differences, loss noise \(noise) (allowance \(allowance)); worst error \(worstRaw) of the entry's largest gradient, \(worst) beyond the allowance")
    }

    @Test func cachedMNRLGivesTheSameGradientsAsMNRL() throws {
        let url = try TestResources.model("tiny-bert-lasttoken-mean-sqrt")
        let examples = zip(Self.texts, Self.others).map { TrainingExample(texts: [$0, $1]) }
        var gradients: [[Float]] = []
        var losses: [Double] = []
        for loss in [MultipleNegativesRankingLoss() as any SentenceLoss, CachedMultipleNegativesRankingLoss(miniBatchSize: 2)] {
            var arguments = TrainingArguments(outputDirectory: FileManager.default.temporaryDirectory.path)
            arguments.dropout = false
            let model = try TrainableSentenceTransformer(directory: url)
            let trainer = Trainer(model: model, loss: loss, datasets: [InMemoryDataset(examples)], arguments: arguments)
            model.parameters.zeroGradients()
            losses.append(try trainer.accumulateGradients(examples))
            gradients.append(Array(UnsafeBufferPointer(start: model.parameters.gradients, count: model.parameters.count)))
        }
        #expect(abs(losses[0] - losses[1]) < 1e-6)
        let difference = Self.maxDifference(gradients[0], gradients[1])
        #expect(difference < 1e-5, "CachedMNRL gradients differ from MNRL by \(difference)")
    }

    @Test func savedModelReloadsWithTheSameVectors() throws {
        let source = try Self.tinyModelWithDense()
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("trained-\(UUID().uuidString)")
        var arguments = TrainingArguments(outputDirectory: output.path)
        arguments.maxSteps = 3
        arguments.perDeviceTrainBatchSize = 2
        arguments.learningRate = 1e-3
        let model = try TrainableSentenceTransformer(directory: source, maxSeqLength: 64)
        let before = model.parameters.values(of: model.parameters.entries[5])
        let examples = zip(Self.texts, Self.others).map { TrainingExample(texts: [$0, $1], label: Float($0.count % 5) / 5) }
        let trainer = Trainer(model: model, loss: CoSENTLoss(), datasets: [InMemoryDataset(examples)], arguments: arguments)
        trainer.datasetNames = ["five pairs"]
        try trainer.train()
        #expect(model.parameters.values(of: model.parameters.entries[5]) != before, "training changed nothing")
        var random: TrainingRandom? = nil
        let trained = try model.forward(Self.texts, random: &random).embeddings
        let reloaded = try SentenceTransformer(directory: output)
        #expect(reloaded.maxSeqLength == 64)
        let difference = Self.maxDifference(trained, try reloaded.encode(Self.texts, prompt: "").flatMap { $0 })
        #expect(difference < 1e-6, "reloaded vectors differ by \(difference)")
        // The Dense module and the untrained pooler are saved too; the card names the loss.
        #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent("2_Dense/model.safetensors").path))
        let card = try String(contentsOf: output.appendingPathComponent("README.md"), encoding: .utf8)
        #expect(card.contains("CoSENTLoss") && card.contains("five pairs"))
    }

    @Test func unsupportedModelsAndInputsAreErrors() throws {
        // Every architecture inference runs also trains (DistilBERT among them, see trainingForwardEqualsInference); an
        // unknown one is the loading error inference gives.
        let unknown = FileManager.default.temporaryDirectory.appendingPathComponent("t5-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: try TestResources.model("tiny-bert-lasttoken-mean-sqrt").resolvingSymlinksInPath(), to: unknown)
        try Data(#"{"model_type": "t5"}"#.utf8).write(to: unknown.appendingPathComponent("config.json"))
        #expect(throws: ModelError.self) { try TrainableSentenceTransformer(directory: unknown) }
        let model = try TrainableSentenceTransformer(directory: TestResources.model("tiny-bert-lasttoken-mean-sqrt"))
        var arguments = TrainingArguments(outputDirectory: FileManager.default.temporaryDirectory.path)
        arguments.maxSteps = 1
        #expect(throws: TrainingError.self) {
            try Trainer(model: model, loss: CoSENTLoss(), datasets: [InMemoryDataset([])], arguments: arguments).train()
        }
        #expect(throws: TrainingError.self) {
            try Trainer(model: model, loss: CoSENTLoss(), datasets: [InMemoryDataset([TrainingExample(texts: ["a", "b"])])],
                        arguments: arguments).train()
        }
    }
}
