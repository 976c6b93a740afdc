import ArgumentParser
import Foundation
import SentenceTransformers
import STTraining

/// `sbert train`: fine-tune a model on a CSV/TSV/JSONL file and save it in the Sentence Transformers format.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Fine-tune a Sentence Transformer or, with --cross-encoder, a reranker; saves a model Python loads.",
        discussion: """
            --columns names the text columns in order (header names or JSON keys; 0-based positions with --no-header), \
            --label the score/class column. Losses: mnrl (anchor, positive[, negatives]), mnsrl, cached-mnrl, \
            cosine (pair + score), cosent, angle, contrastive / online-contrastive (pair + 0/1), triplet \
            (anchor, positive, negative), softmax (pair + class), mse (texts + teacher vector label). \
            With --cross-encoder the model is a CrossEncoder and the losses are sentence-transformers' cross_encoder.losses: \
            bce (query, document + 0/1 or a score in [0, 1]; --pos-weight), cross-entropy (pair + class, a model with one \
            logit per class), mnrl (query, positive[, negatives]; --num-negatives in-batch negatives, scale 10, sigmoid), \
            cached-mnrl (mnrl with a gradient cache: --mini-batch-size pairs per pass), \
            margin-mse (query, positive, negative… + the teacher's margins or scores), mse (pair + a teacher's score), \
            lambda and listnet (JSON lines of a query, a list of documents and a list of graded labels: --columns \
            query,docs --label labels; lambda takes --weighting-scheme and --lambda-k). \
            --matryoshka 384,256,128 wraps the loss in MatryoshkaLoss. --eval sts:FILE (an STS file), ir:FOLDER (a BEIR \
            folder, test qrels) or triplet:FILE (anchor, positive, negative columns), with --cross-encoder rerank:FILE \
            (JSON lines {"query", "positive", "negative": [...]} or {…, "documents": [...]}: CrossEncoderRerankingEvaluator), \
            sts:FILE (CrossEncoderCorrelationEvaluator) or classification:FILE (sentence1, sentence2, label columns: \
            CrossEncoderClassificationEvaluator) evaluates every --eval-steps and at the end; --load-best-model-at-end keeps the best by the evaluator's main metric.
            """
    )

    enum LossName: String, ExpressibleByArgument, CaseIterable {
        case mnrl, mnsrl, cachedMNRL = "cached-mnrl", cosine, cosent, angle, contrastive
        case onlineContrastive = "online-contrastive", triplet, softmax, mse
        case bce, crossEntropy = "cross-entropy", marginMSE = "margin-mse", lambda, listnet
    }

    enum WeightingSchemeName: String, ExpressibleByArgument, CaseIterable {
        case none, ndcgLoss1 = "ndcg-loss1", ndcgLoss2 = "ndcg-loss2", lambdaRank = "lambda-rank", ndcgLoss2PP = "ndcg-loss2pp"

        var scheme: CrossEncoderLosses.LambdaLoss.WeightingScheme {
            switch self {
            case .none: return .none
            case .ndcgLoss1: return .ndcgLoss1
            case .ndcgLoss2: return .ndcgLoss2
            case .lambdaRank: return .lambdaRank
            case .ndcgLoss2PP: return .ndcgLoss2PP(mu: 10)
            }
        }
    }

    /// The losses of a cross-encoder run, and those only it has.
    static let crossEncoderLosses: Set<LossName> = [.bce, .crossEntropy, .mnrl, .cachedMNRL, .marginMSE, .mse, .lambda, .listnet]
    static let crossEncoderOnly: Set<LossName> = [.bce, .crossEntropy, .marginMSE, .lambda, .listnet]

    @OptionGroup var modelOptions: ModelOptions
    @Flag(help: "Train a cross-encoder (reranker) from --model: a CrossEncoder, or a bi-encoder that gets a new classification head.")
    var crossEncoder = false
    @Option(help: "The training file (.csv, .tsv or .jsonl); repeat for several datasets.")
    var train: [String]
    @Option(help: "Comma-separated text columns, in the order the loss takes them.")
    var columns: String
    @Option(help: "The label column (score, class or teacher vector).")
    var label: String?
    @Option(help: "Multiply labels by this (0.2 turns STS-B's 0–5 into 0–1; default 1).")
    var labelScale: Float?
    @Flag(help: "The CSV/TSV files have no header row; columns are 0-based positions.")
    var noHeader = false
    @Option(help: "The loss: \(LossName.allCases.map(\.rawValue).joined(separator: ", ")).")
    var loss: LossName = .mnrl
    @Option(help: "Number of classes for --loss softmax (default 3).")
    var numLabels: Int?
    @Option(help: "Comma-separated Matryoshka dimensions.")
    var matryoshka: String?
    @Option(help: "Mini-batch size of cached-mnrl (default 32), or pairs per forward pass of --cross-encoder lambda / listnet (default: the batch size).")
    var miniBatchSize: Int?
    @Option(help: "The weight of positives in --cross-encoder --loss bce (pos_weight).")
    var posWeight: Double?
    @Option(help: "In-batch negatives per query of --cross-encoder --loss mnrl or cached-mnrl (default 4).")
    var numNegatives: Int?
    @Option(help: "The pair weights of --cross-encoder --loss lambda: \(WeightingSchemeName.allCases.map(\.rawValue).joined(separator: ", ")) (default ndcg-loss2pp).")
    var weightingScheme: WeightingSchemeName?
    @Option(help: "Only pairs with a document in the first K positions count in --cross-encoder --loss lambda (LambdaLoss's k; default all).")
    var lambdaK: Int?
    @Option var epochs: Int = 1
    @Option(help: "Stop after this many optimizer steps.")
    var maxSteps: Int?
    @Option var batchSize: Int = 16
    @Option var lr: Double = 2e-5
    @Option var warmupRatio: Double = 0.1
    @Option var weightDecay: Double = 0.01
    @Option(help: "linear, cosine, constant or constant_with_warmup.")
    var scheduler: String = "linear"
    @Option var maxGradNorm: Double = 1
    @Option var gradientAccumulationSteps: Int = 1
    @Option var maxSeqLength: Int?
    @Option var seed: UInt64 = 42
    @Option(help: "batch_sampler or no_duplicates (default: no_duplicates for in-batch-negative losses).")
    var batchSampler: String?
    @Option(help: "proportional (default) or round_robin, with several --train files.")
    var multiDataset: String?
    @Option(help: "Evaluate: sts:FILE, ir:BEIR_FOLDER or triplet:FILE; with --cross-encoder rerank:FILE, sts:FILE or classification:FILE.")
    var eval: String?
    @Option var evalSteps: Int?
    @Option var saveSteps: Int?
    @Option var saveTotalLimit: Int?
    @Option var loggingSteps: Int = 50
    @Flag(help: "Keep the model with the best evaluation score as the output.")
    var loadBestModelAtEnd = false
    @Flag(help: "Train without dropout (deterministic gradients).")
    var noDropout = false
    @Option(help: "Where the model (and checkpoints) are written.")
    var output: String
    @Flag(help: "Continue from the newest checkpoint in --output.")
    var resume = false

    func validate() throws {
        if train.isEmpty { throw ValidationError("give at least one --train file") }
        if batchSize < 1 || epochs < 1 || gradientAccumulationSteps < 1 { throw ValidationError("--batch-size, --epochs and --gradient-accumulation-steps must be positive") }
        if LearningRateSchedule.Kind(rawValue: scheduler) == nil { throw ValidationError("unknown --scheduler '\(scheduler)'") }
        if let batchSampler, BatchSampling(rawValue: batchSampler) == nil { throw ValidationError("unknown --batch-sampler '\(batchSampler)'") }
        if let multiDataset, MultiDatasetSampling(rawValue: multiDataset) == nil { throw ValidationError("unknown --multi-dataset '\(multiDataset)'") }
        if let eval {
            let kinds = crossEncoder ? ["rerank:", "sts:", "classification:"] : ["sts:", "ir:", "triplet:"]
            guard kinds.contains(where: eval.hasPrefix) else {
                throw ValidationError(crossEncoder ? "--eval takes rerank:FILE, sts:FILE or classification:FILE with --cross-encoder"
                                                   : "--eval takes sts:FILE, ir:FOLDER or triplet:FILE (rerank:FILE or classification:FILE with --cross-encoder)")
            }
        }
        if crossEncoder, !Self.crossEncoderLosses.contains(loss) {
            throw ValidationError("--loss \(loss.rawValue) trains a bi-encoder; a --cross-encoder run takes "
                + Self.crossEncoderLosses.map(\.rawValue).sorted().joined(separator: ", "))
        }
        if !crossEncoder, Self.crossEncoderOnly.contains(loss) {
            throw ValidationError("--loss \(loss.rawValue) trains a cross-encoder: add --cross-encoder")
        }
        if let posWeight, !(posWeight.isFinite && posWeight >= 0) { throw ValidationError("--pos-weight must be a non-negative number") }
        if let numNegatives, numNegatives < 0 { throw ValidationError("--num-negatives must not be negative") }
        if let miniBatchSize, miniBatchSize < 1 { throw ValidationError("--mini-batch-size must be at least 1") }
        if let lambdaK, lambdaK < 1 { throw ValidationError("--lambda-k must be at least 1") }
        if let numLabels, !(1...65_536).contains(numLabels) { throw ValidationError("--num-labels takes 1 to 65,536") }
        let takesLabels: Set<LossName> = crossEncoder ? [.bce, .crossEntropy, .marginMSE, .mse, .lambda, .listnet]
            : [.cosine, .cosent, .angle, .contrastive, .onlineContrastive, .softmax, .mse]
        if takesLabels.contains(loss), label == nil {
            throw ValidationError("--loss \(loss.rawValue) needs --label")
        }
        // Options the chosen run would not use are refused, never dropped.
        let unused: [(Bool, String, String)] = [
            (label != nil && !takesLabels.contains(loss), "--label", "--loss \(loss.rawValue) takes no labels"),
            (labelScale != nil && label == nil, "--label-scale", "it scales --label"),
            (numLabels != nil && (crossEncoder ? loss != .crossEntropy : loss != .softmax), "--num-labels",
             "it is for --loss softmax, or --cross-encoder --loss cross-entropy (the labels of a new classification head)"),
            (posWeight != nil && !(crossEncoder && loss == .bce), "--pos-weight", "it is for --cross-encoder --loss bce"),
            (numNegatives != nil && !(crossEncoder && [.mnrl, .cachedMNRL].contains(loss)), "--num-negatives",
             "it is for --cross-encoder --loss mnrl or cached-mnrl"),
            (weightingScheme != nil && loss != .lambda, "--weighting-scheme", "it is for --cross-encoder --loss lambda"),
            (lambdaK != nil && loss != .lambda, "--lambda-k", "it is for --cross-encoder --loss lambda"),
            (matryoshka != nil && crossEncoder, "--matryoshka", "a cross-encoder has no embeddings to truncate"),
            (miniBatchSize != nil && ![.cachedMNRL, .lambda, .listnet].contains(loss), "--mini-batch-size",
             "it is for --loss cached-mnrl, lambda or listnet"),
            (multiDataset != nil && train.count < 2, "--multi-dataset", "it mixes several --train files"),
            (evalSteps != nil && eval == nil, "--eval-steps", "it needs --eval"),
            (loadBestModelAtEnd && eval == nil, "--load-best-model-at-end", "it needs --eval"),
            (modelOptions.compute != .float32, "--compute \(modelOptions.compute.rawValue)", "training computes in fp32"),
        ]
        if let (_, flag, reason) = unused.first(where: { $0.0 }) { throw ValidationError("\(flag) is not used here: \(reason)") }
    }

    func makeLoss(dimension: Int) throws -> any SentenceLoss {
        let base: any SentenceLoss
        switch loss {
        case .mnrl: base = MultipleNegativesRankingLoss()
        case .mnsrl: base = MultipleNegativesSymmetricRankingLoss()
        case .cachedMNRL: base = CachedMultipleNegativesRankingLoss(miniBatchSize: miniBatchSize ?? 32)
        case .cosine: base = CosineSimilarityLoss()
        case .cosent: base = CoSENTLoss()
        case .angle: base = AnglELoss()
        case .contrastive: base = ContrastiveLoss()
        case .onlineContrastive: base = OnlineContrastiveLoss()
        case .triplet: base = TripletLoss()
        case .softmax: base = SoftmaxLoss(sentenceEmbeddingDimension: dimension, numLabels: numLabels ?? 3, seed: seed)
        case .mse: base = MSELoss()
        case .bce, .crossEntropy, .marginMSE, .lambda, .listnet:
            throw CLIError("--loss \(loss.rawValue) trains a cross-encoder: add --cross-encoder")
        }
        guard let matryoshka else { return base }
        let dims = matryoshka.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !dims.isEmpty else { throw CLIError("--matryoshka needs comma-separated dimensions") }
        return MatryoshkaLoss(base, matryoshkaDims: dims)
    }

    func makeCrossEncoderLoss() throws -> any CrossEncoderLoss {
        switch loss {
        case .bce: return CrossEncoderLosses.BinaryCrossEntropyLoss(posWeight: posWeight)
        case .crossEntropy: return CrossEncoderLosses.CrossEntropyLoss()
        case .marginMSE: return CrossEncoderLosses.MarginMSELoss()
        case .mse: return CrossEncoderLosses.MSELoss()
        case .cachedMNRL:
            return try CrossEncoderLosses.CachedMultipleNegativesRankingLoss(numNegatives: numNegatives ?? 4, miniBatchSize: miniBatchSize ?? 32, seed: seed)
        case .lambda:
            return try CrossEncoderLosses.LambdaLoss(weightingScheme: (weightingScheme ?? .ndcgLoss2PP).scheme, k: lambdaK, miniBatchSize: miniBatchSize)
        case .listnet: return CrossEncoderLosses.ListNetLoss(miniBatchSize: miniBatchSize)
        default: return CrossEncoderLosses.MultipleNegativesRankingLoss(numNegatives: numNegatives ?? 4, seed: seed)
        }
    }

    func crossEncoderEvaluator() throws -> (any CrossEncoderEvaluator)? {
        if let url = evalFile("rerank") { return try CrossEncoderRerankingEvaluator(samples: DataLoaders.rerankingSamples(url), name: "rerank") }
        if let url = evalFile("sts") { return try CrossEncoderCorrelationEvaluator(pairs: DataLoaders.scoredPairs(url), name: "sts") }
        if let url = evalFile("classification") {
            return try CrossEncoderClassificationEvaluator(examples: DataLoaders.labeledPairs(url), name: "classification")
        }
        return nil
    }

    /// The path of `--eval KIND:PATH` when its kind is `kind`.
    func evalFile(_ kind: String) -> URL? {
        guard let eval, eval.hasPrefix("\(kind):") else { return nil }
        return URL(fileURLWithPath: String(eval.dropFirst(kind.count + 1)))
    }

    func sentenceEvaluator() throws -> (any SentenceEvaluator)? {
        if let url = evalFile("ir") { return InformationRetrievalEvaluator(dataset: try BEIRDataset(directory: url), name: "ir") }
        if let url = evalFile("triplet") {
            let rows = try DataLoaders.table(url, columns: ["anchor", "positive", "negative"])
            return TripletEvaluator(anchors: rows.map { $0[0] }, positives: rows.map { $0[1] }, negatives: rows.map { $0[2] }, name: "triplet")
        }
        return try evalFile("sts").map { EmbeddingSimilarityEvaluator(pairs: try DataLoaders.scoredPairs($0), name: "sts") }
    }

    func run() throws {
        let directory = try modelOptions.directory()
        let columnNames = columns.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let datasets: [any TrainingDataSource] = try train.map {
            try FileDataset(url: URL(fileURLWithPath: $0), columns: columnNames, labelColumn: label, hasHeader: !noHeader,
                            labelScale: labelScale ?? 1)
        }
        var arguments = TrainingArguments(outputDirectory: output)
        arguments.numTrainEpochs = epochs
        arguments.maxSteps = maxSteps
        arguments.perDeviceTrainBatchSize = batchSize
        arguments.learningRate = lr
        arguments.warmupRatio = warmupRatio
        arguments.weightDecay = weightDecay
        arguments.lrSchedulerType = LearningRateSchedule.Kind(rawValue: scheduler) ?? .linear
        arguments.maxGradNorm = maxGradNorm
        arguments.gradientAccumulationSteps = gradientAccumulationSteps
        arguments.seed = seed
        let inBatch: Set<LossName> = crossEncoder ? [.mnrl, .cachedMNRL] : [.mnrl, .mnsrl, .cachedMNRL]
        arguments.batchSampler = batchSampler.flatMap(BatchSampling.init(rawValue:)) ?? (inBatch.contains(loss) ? .noDuplicates : .batchSampler)
        arguments.multiDatasetBatchSampler = multiDataset.flatMap(MultiDatasetSampling.init(rawValue:)) ?? .proportional
        arguments.evalSteps = evalSteps
        arguments.saveSteps = saveSteps
        arguments.saveTotalLimit = saveTotalLimit
        arguments.loggingSteps = loggingSteps
        arguments.loadBestModelAtEnd = loadBestModelAtEnd
        arguments.dropout = !noDropout
        let trainer: Trainer
        if crossEncoder {
            let model = try TrainableCrossEncoder(directory: directory, maxSeqLength: maxSeqLength, numLabels: numLabels, seed: seed)
            let loss = try makeCrossEncoderLoss()
            if let needed = loss.numLabels, needed != model.numLabels {
                throw CLIError("--loss \(self.loss.rawValue) needs a model with \(needed) label, this one has \(model.numLabels)")
            }
            if loss.numLabels == nil, model.numLabels < 2 {
                throw CLIError("--loss \(self.loss.rawValue) needs a model with a logit per class; this one has 1 (a model without a "
                    + "classification head gets one of --num-labels)")
            }
            trainer = Trainer(model: model, loss: loss, datasets: datasets, arguments: arguments,
                              evaluator: try crossEncoderEvaluator())
        } else {
            let model = try TrainableSentenceTransformer(directory: directory, maxSeqLength: maxSeqLength)
            trainer = Trainer(model: model, loss: try makeLoss(dimension: model.embeddingDimension), datasets: datasets,
                              arguments: arguments, evaluator: try sentenceEvaluator())
        }
        trainer.datasetNames = train
        let progress = TrainingProgress()
        trainer.onStep = { state, total, loss, lr in progress.update(step: state.globalStep, total: total, loss: loss, learningRate: lr) }
        trainer.onLog = { line in progress.log(line) }
        let metrics = try trainer.train(resume: resume)
        progress.finish()
        for (key, value) in metrics.sorted(by: { $0.key < $1.key }) { print("\(key)\t\(String(format: "%.5f", value))") }
        print("saved \(output)")
    }
}

/// The training progress line on standard error: step, loss, learning rate, steps per second and time left.
final class TrainingProgress: @unchecked Sendable {
    private let start = Date()
    private var firstStep: Int?
    private let terminal = isatty(STDERR_FILENO) == 1
    private let lock = NSLock()

    func update(step: Int, total: Int, loss: Double, learningRate: Double) {
        lock.lock()
        defer { lock.unlock() }
        if firstStep == nil { firstStep = step - 1 }
        guard terminal else { return }
        let elapsed = Date().timeIntervalSince(start)
        let rate = elapsed > 0 ? Double(step - (firstStep ?? 0)) / elapsed : 0
        let left = rate > 0 ? Double(total - step) / rate : 0
        let line = String(format: "\rstep %d/%d  loss %.4f  lr %.2e  %.2f it/s  ETA %02d:%02d ", step, total, loss, learningRate,
                          rate, Int(left) / 60, Int(left) % 60)
        FileHandle.standardError.write(Data(line.utf8))
    }

    func log(_ line: String) {
        FileHandle.standardError.write(Data(((terminal ? "\r\u{1B}[K" : "") + line + "\n").utf8))
    }

    func finish() { if terminal { FileHandle.standardError.write(Data("\n".utf8)) } }
}
