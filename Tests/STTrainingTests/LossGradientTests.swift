import Foundation
import STTraining
import Testing

/// Every loss's gradient against central finite differences of its value, on seeded random embeddings.
@Suite struct LossGradientTests {
    static func random(_ count: Int, seed: UInt64, scale: Float = 1) -> [Float] {
        var generator = TrainingRandom(seed: seed)
        return (0..<count).map { _ in (generator.nextUnit() * 2 - 1) * scale }
    }

    static let rows = 5, dimension = 8

    static func input(columns: Int, labels: [Float] = [], labelVectors: [Float] = [], seed: UInt64 = 1) -> LossInput {
        LossInput(columns: (0..<columns).map { random(rows * dimension, seed: seed &+ UInt64($0)) }, dimension: dimension,
                  labels: labels, labelVectors: labelVectors)
    }

    /// Checks every input coordinate; returns the worst error relative to the largest gradient.
    @discardableResult
    static func check(_ loss: any SentenceLoss, _ input: LossInput) throws -> Double {
        let output = try loss.compute(input)
        let largest = output.gradients.flatMap { $0 }.map { Double(abs($0)) }.max() ?? 0
        #expect(largest > 0, "\(loss.name): no gradient at all")
        var worst = 0.0
        let h: Float = 1e-3
        for c in input.columns.indices {
            for k in input.columns[c].indices {
                var plus = input, minus = input
                plus.columns[c][k] += h
                minus.columns[c][k] -= h
                let numeric = (try loss.compute(plus).loss - loss.compute(minus).loss)
                    / (Double(plus.columns[c][k]) - Double(minus.columns[c][k]))
                worst = max(worst, abs(numeric - Double(output.gradients[c][k])) / max(largest, 1e-9))
            }
        }
        #expect(worst < 2e-3, "\(loss.name): worst finite-difference error \(worst) of the largest gradient")
        return worst
    }

    static let scores: [Float] = [0.1, 0.9, 0.4, 0.75, 0.3]
    static let binary: [Float] = [1, 0, 1, 0, 0]

    @Test func inBatchNegativeLosses() throws {
        try Self.check(MultipleNegativesRankingLoss(), Self.input(columns: 2))
        try Self.check(MultipleNegativesRankingLoss(), Self.input(columns: 3))
        try Self.check(MultipleNegativesRankingLoss(scale: 1, similarity: .dotProduct), Self.input(columns: 2))
        try Self.check(MultipleNegativesSymmetricRankingLoss(), Self.input(columns: 2))
        try Self.check(MultipleNegativesSymmetricRankingLoss(), Self.input(columns: 3))
        try Self.check(CachedMultipleNegativesRankingLoss(miniBatchSize: 2), Self.input(columns: 2))
    }

    @Test func scoredPairLosses() throws {
        try Self.check(CosineSimilarityLoss(), Self.input(columns: 2, labels: Self.scores))
        try Self.check(CoSENTLoss(), Self.input(columns: 2, labels: Self.scores))
        try Self.check(AnglELoss(), Self.input(columns: 2, labels: Self.scores))
    }

    @Test func contrastiveLosses() throws {
        for metric in [DistanceMetric.cosine, .euclidean, .manhattan] {
            try Self.check(ContrastiveLoss(distanceMetric: metric, margin: metric == .cosine ? 0.5 : 3), Self.input(columns: 2, labels: Self.binary))
        }
        try Self.check(OnlineContrastiveLoss(margin: 1.5), Self.input(columns: 2, labels: Self.binary))
    }

    @Test func tripletLoss() throws {
        for metric in [DistanceMetric.euclidean, .manhattan, .cosine] {
            try Self.check(TripletLoss(distanceMetric: metric, tripletMargin: metric == .cosine ? 1 : 5), Self.input(columns: 3))
        }
    }

    @Test func softmaxMSEAndMatryoshka() throws {
        let softmax = SoftmaxLoss(sentenceEmbeddingDimension: Self.dimension, numLabels: 3, concatenationSentMultiplication: true)
        try Self.check(softmax, Self.input(columns: 2, labels: [0, 2, 1, 1, 0]))
        try Self.check(MSELoss(), Self.input(columns: 2, labelVectors: Self.random(Self.rows * Self.dimension, seed: 99)))
        try Self.check(MatryoshkaLoss(CoSENTLoss(), matryoshkaDims: [8, 4, 2], matryoshkaWeights: [1, 0.5, 0.25]),
                       Self.input(columns: 2, labels: Self.scores))
        try Self.check(MatryoshkaLoss(MultipleNegativesRankingLoss(), matryoshkaDims: [8, 3]), Self.input(columns: 2))
    }

    @Test func softmaxClassifierGradient() throws {
        // The classifier's own parameters, by finite differences of the loss.
        let loss = SoftmaxLoss(sentenceEmbeddingDimension: Self.dimension, numLabels: 3)
        let input = Self.input(columns: 2, labels: [0, 2, 1, 1, 0])
        loss.classifier.zeroGradients()
        _ = try loss.compute(input)
        let analytic = Array(UnsafeBufferPointer(start: loss.classifier.gradients, count: loss.classifier.count))
        var worst = 0.0
        let largest = analytic.map { Double(abs($0)) }.max() ?? 1
        for k in stride(from: 0, to: loss.classifier.count, by: 7) {
            let saved = loss.classifier.values[k]
            loss.classifier.values[k] = saved + 1e-3
            let plus = try loss.compute(input).loss
            loss.classifier.values[k] = saved - 1e-3
            let minus = try loss.compute(input).loss
            loss.classifier.values[k] = saved
            worst = max(worst, abs((plus - minus) / 2e-3 - Double(analytic[k])) / largest)
        }
        #expect(worst < 5e-3, "classifier gradient error \(worst)")
    }

    @Test func badInputsAreErrors() {
        #expect(throws: TrainingError.self) { try CoSENTLoss().compute(Self.input(columns: 2)) }
        #expect(throws: TrainingError.self) { try TripletLoss().compute(Self.input(columns: 2)) }
        #expect(throws: TrainingError.self) { try MultipleNegativesRankingLoss().compute(LossInput(columns: [[], []], dimension: 8)) }
        #expect(throws: TrainingError.self) { try MSELoss().compute(Self.input(columns: 1)) }
        #expect(throws: TrainingError.self) {
            try SoftmaxLoss(sentenceEmbeddingDimension: 8, numLabels: 2).compute(Self.input(columns: 2, labels: [0, 1, 2, 0, 1]))
        }
    }
}
