/// How well a cross-encoder classifies pairs, as sentence-transformers 6.2's `CrossEncoderClassificationEvaluator`.
///
/// A model with one score per pair (labels 0/1): `accuracy` and `f1` at their best thresholds over the scores
/// (`accuracy_threshold`, `f1_threshold`, with the F1's `precision` and `recall`), and `average_precision`
/// (scikit-learn's `average_precision_score`), primary `average_precision`. A model with one logit per class (labels
/// are class indices): the arg-max class against the label, `f1_macro`, `f1_micro`, `f1_weighted` (scikit-learn's
/// `f1_score` over the classes seen in labels or predictions, 0 for a class never predicted or never true), primary
/// `f1_macro`. Keys are prefixed with the name.
public struct CrossEncoderClassificationEvaluator: CrossEncoderEvaluator {
    public struct Example: Sendable, Equatable {
        public var first: String
        public var second: String
        public var label: Int

        public init(_ first: String, _ second: String, label: Int) {
            self.first = first
            self.second = second
            self.label = label
        }
    }

    public var examples: [Example]
    public var name: String
    public var batchSize: Int

    /// - Throws: ``SentenceTransformerError/invalidArgument(_:)`` for no examples, a negative label or a `batchSize`
    ///   below 1.
    public init(examples: [Example], name: String = "", batchSize: Int = 32) throws {
        guard !examples.isEmpty else { throw SentenceTransformerError.invalidArgument("CrossEncoderClassificationEvaluator needs at least one example") }
        if let bad = examples.first(where: { $0.label < 0 }) {
            throw SentenceTransformerError.invalidArgument("CrossEncoderClassificationEvaluator: label \(bad.label) is not a class index")
        }
        guard batchSize > 0 else { throw SentenceTransformerError.invalidArgument("batchSize must be positive, got \(batchSize)") }
        self.examples = examples
        self.name = name
        self.batchSize = batchSize
    }

    /// The primary metric depends on the model (one score: `average_precision`; several: `f1_macro`); this is the
    /// one-score key, and ``primaryMetric(for:)`` gives the model's.
    public var primaryMetric: String { prefixed("average_precision") }

    public func primaryMetric(for model: CrossEncoder) -> String { prefixed(model.numLabels == 1 ? "average_precision" : "f1_macro") }

    func prefixed(_ key: String) -> String { name.isEmpty ? key : "\(name)_\(key)" }

    /// - Throws: ``SentenceTransformerError/invalidArgument(_:)`` naming the first example whose label the model has
    ///   no class for.
    public func validate(for model: CrossEncoder) throws {
        let width = model.numLabels
        if width == 1, let bad = examples.firstIndex(where: { $0.label > 1 }) {
            throw SentenceTransformerError.invalidArgument("example \(bad + 1): a one-score cross-encoder classifies 0/1 labels, got \(examples[bad].label)")
        }
        if width > 1, let bad = examples.firstIndex(where: { $0.label >= width }) {
            throw SentenceTransformerError.invalidArgument("example \(bad + 1): label \(examples[bad].label) has no logit in this cross-encoder of \(width) labels")
        }
    }

    /// - Throws: the model's errors; ``SentenceTransformerError/invalidArgument(_:)`` for labels other than 0/1 with a
    ///   one-score model, or a class index the model has no logit for.
    public func evaluate(_ model: CrossEncoder) throws -> [String: Double] {
        try validate(for: model)
        let labels = examples.map(\.label)
        let width = model.numLabels
        let scores = try model.predict(examples.map { ($0.first, $0.second) }, batchSize: batchSize).values.map(Double.init)
        if width == 1 {
            let accuracy = ClassificationMetrics.bestAccuracy(scores: scores, labels: labels, higherIsSimilar: true)
            let f1 = ClassificationMetrics.bestF1(scores: scores, labels: labels, higherIsSimilar: true)
            return [prefixed("accuracy"): accuracy.accuracy, prefixed("accuracy_threshold"): accuracy.threshold,
                    prefixed("f1"): f1.f1, prefixed("f1_threshold"): f1.threshold, prefixed("precision"): f1.precision,
                    prefixed("recall"): f1.recall,
                    prefixed("average_precision"): ClassificationMetrics.averagePrecision(scores: scores, labels: labels)]
        }
        // np.argmax: the first of equal maxima.
        let predicted = (0..<examples.count).map { row in
            (0..<width).reduce(0) { scores[row * width + $1] > scores[row * width + $0] ? $1 : $0 }
        }
        let f1 = ClassificationMetrics.f1Averages(predicted: predicted, labels: labels)
        return [prefixed("f1_macro"): f1.macro, prefixed("f1_micro"): f1.micro, prefixed("f1_weighted"): f1.weighted]
    }
}
