import Foundation
import SentenceTransformers
import STTestSupport
import STTraining
import Testing

/// Training runs on the new architectures through the Trainer: MultipleNegativesRankingLoss and CoSENTLoss on
/// ModernBERT (GeGLU, local sliding-window and global layers) and Qwen3 (causal, GQA, SwiGLU, last-token pooling),
/// and Gemma 3 (bidirectional sliding windows, two Dense modules) with MNRL. Each run must lower the loss over the
/// whole training set (measured before and after, without dropout), and the saved model must load back with
/// `SentenceTransformer` and give the trained model's vectors.
@Suite struct ModernArchitectureTrainingTests {
    /// Sixteen pairs: a sentence and a paraphrase, with a similarity label for CoSENT (alternately high and low by
    /// pairing each sentence with its own paraphrase or with another's).
    static let sentences = [
        "A man is playing a guitar on stage.", "The cat sleeps on the warm windowsill.", "Stocks closed higher on Friday.",
        "Two dogs run through the snow.", "A woman slices tomatoes in the kitchen.", "The train arrived late again.",
        "Children are building a sandcastle.", "He repaired the bicycle's flat tire.", "Rain is expected all weekend.",
        "The orchestra tuned their instruments.", "A chef tastes the soup.", "Birds gather on the power line.",
        "She painted the fence bright blue.", "The old bridge was closed for repairs.", "A boy kicks a red ball.",
        "Fresh bread cools on the rack.",
    ]
    static let paraphrases = [
        "Someone plays guitar at a concert.", "A kitten naps by the sunny window.", "Markets rose at the end of the week.",
        "Dogs are running in the snow.", "A lady cuts tomatoes.", "Again, the train was delayed.",
        "Kids make a castle of sand.", "He fixed the bike's tire.", "It will rain on Saturday and Sunday.",
        "Musicians prepare their instruments.", "The cook samples the broth.", "Many birds sit on a wire.",
        "The fence was painted blue by her.", "Repairs shut the old bridge.", "A child kicks a ball.",
        "Bread is cooling after baking.",
    ]

    static func examples(withLabels: Bool) -> [TrainingExample] {
        sentences.indices.map { i in
            guard withLabels else { return TrainingExample(texts: [sentences[i], paraphrases[i]]) }
            // Even rows: the sentence's own paraphrase (label 1); odd rows: the next sentence's (label 0).
            let other = i % 2 == 0 ? paraphrases[i] : paraphrases[(i + 1) % paraphrases.count]
            return TrainingExample(texts: [sentences[i], other], label: i % 2 == 0 ? 1 : 0)
        }
    }

    struct Case: Sendable, CustomStringConvertible {
        var model: String
        var loss: String
        var description: String { "\(model) + \(loss)" }
    }

    static let cases = [
        Case(model: "tiny-modernbert-mean", loss: "MNRL"), Case(model: "tiny-modernbert-mean", loss: "CoSENT"),
        Case(model: "tiny-qwen3-lasttoken", loss: "MNRL"), Case(model: "tiny-qwen3-lasttoken", loss: "CoSENT"),
        Case(model: "tiny-gemma3-embedding", loss: "MNRL"),
    ]

    @Test(arguments: cases) func lossDecreasesAndTheSavedModelReloads(_ run: Case) throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("modern-train-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        let loss: any SentenceLoss = run.loss == "MNRL" ? MultipleNegativesRankingLoss() : CoSENTLoss()
        let examples = Self.examples(withLabels: run.loss == "CoSENT")
        var arguments = TrainingArguments(outputDirectory: output.path)
        arguments.maxSteps = 12
        arguments.perDeviceTrainBatchSize = 8
        arguments.learningRate = 5e-4
        arguments.warmupRatio = 0
        arguments.dropout = false
        let model = try TrainableSentenceTransformer(directory: TestResources.model(run.model), maxSeqLength: 64)
        let trainer = Trainer(model: model, loss: loss, datasets: [InMemoryDataset(examples)], arguments: arguments)
        model.parameters.zeroGradients()
        let before = try trainer.accumulateGradients(examples)
        try trainer.train()
        model.parameters.zeroGradients()
        let after = try trainer.accumulateGradients(examples)
        print("\(run): loss over the 16 pairs \(before) → \(after) after \(trainer.state.globalStep) steps")
        #expect(trainer.state.globalStep == 12)
        #expect(after < before * 0.9, "\(run): loss \(before) → \(after)")

        let texts = Self.sentences.prefix(4) + Self.paraphrases.prefix(2)
        var random: TrainingRandom? = nil
        let trained = try model.forward(Array(texts), random: &random).embeddings
        let reloaded = try SentenceTransformer(directory: output).encode(Array(texts), prompt: "").flatMap { $0 }
        #expect(trained.count == reloaded.count)
        let difference = zip(trained, reloaded).map { abs($0 - $1) }.max() ?? .infinity
        #expect(difference < 1e-5, "\(run): reloaded vectors differ by \(difference)")
    }
}
