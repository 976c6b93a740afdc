/// Hard negatives for (anchor, positive) pairs, as sentence-transformers 6.2's `util.mine_hard_negatives`: the
/// corpus texts a model finds closest to each anchor that are not its positives, filtered by rank, score and margin,
/// written as triplets, n-tuples, labeled pairs or labeled lists for training.
///
/// ```swift
/// var mining = HardNegativeMining()
/// mining.numNegatives = 5
/// mining.relativeMargin = 0.05
/// let rows = try mining.mine(anchors: questions, positives: answers, model: model)   // anchor, positive, negative
/// ```
///
/// The steps, as Python's: queries and the corpus (the positives, plus `corpus` when given; duplicates once, in
/// order) are embedded with `encode_query` / `encode_document` (normalized); each query's `rangeMax + maxPositives`
/// nearest corpus texts by the model's similarity are the candidates (exact search), rescored by `crossEncoder` when
/// a score or margin filter is set; the query's positives are dropped (unless `includePositives`), then candidates
/// within `absoluteMargin` / `relativeMargin` of the query's lowest positive score, above `maxScore` or below
/// `minScore`; of the best `rangeMax` left, the first `rangeMin` are skipped and `numNegatives` taken, the best ones
/// (`top`) or drawn at random.
///
/// Intentional differences: among equal scores the lower corpus index comes first (Python's order is `torch.topk`'s);
/// `random` draws from a seeded generator (`seed`), so it picks from the same candidates as Python but not the same
/// ones; an option that cannot apply (`includePositives` with another output than n-tuple) is refused where Python
/// warns and overrides it.
public struct HardNegativeMining: Sendable {
    public enum SamplingStrategy: String, Sendable, CaseIterable {
        /// The best-scoring candidates.
        case top
        /// Candidates drawn uniformly from those left.
        case random
    }

    public enum OutputFormat: String, Sendable, CaseIterable {
        /// (anchor, positive, negative), one row per negative.
        case triplet
        /// (anchor, positive, negative_1, …, negative_n), only rows with all `numNegatives` found.
        case nTuple = "n-tuple"
        /// (anchor, text, label or score): the positives (1) then the negatives (0) of each anchor.
        case labeledPair = "labeled-pair"
        /// (anchor, [positive, negatives…], [1, 0, …] or scores).
        case labeledList = "labeled-list"
    }

    /// Candidates ranked before this are skipped (Python: `range_min`).
    public var rangeMin = 0
    /// Candidates ranked from this on are not considered; nil: `rangeMin + numNegatives + maxPositives`, or
    /// `rangeMin + 10·numNegatives + maxPositives` when a score or margin filter is set (Python's default).
    public var rangeMax: Int?
    /// Candidates scoring above this are not negatives (Python: `max_score`).
    public var maxScore: Float?
    /// Candidates scoring below this are not negatives (Python: `min_score`).
    public var minScore: Float?
    /// A negative must score at least this much below the anchor's lowest positive (Python: `absolute_margin`).
    public var absoluteMargin: Float?
    /// A negative must score at most `(1 − relativeMargin)·` the lowest positive (for a positive score; Python:
    /// `relative_margin`).
    public var relativeMargin: Float?
    public var numNegatives = 3
    public var samplingStrategy = SamplingStrategy.top
    /// Keep the positives among the candidates (for evaluating rerankers; needs ``OutputFormat/nTuple``).
    public var includePositives = false
    public var outputFormat = OutputFormat.triplet
    /// Scores instead of labels (labeled formats), or beside the texts (triplet, n-tuple) (Python: `output_scores`).
    public var outputScores = false
    public var queryPromptName: String?
    public var queryPrompt: String?
    public var corpusPromptName: String?
    public var corpusPrompt: String?
    public var batchSize = 32
    /// The seed of `random` sampling.
    public var seed: UInt64 = 0

    public init() {}

    /// One mined dataset: `columns` (Python's column names) and rows of values in that order.
    public struct Dataset: Sendable, Equatable {
        public var columns: [String]
        public var rows: [[Value]]
    }

    /// A cell of ``Dataset``.
    public enum Value: Sendable, Equatable {
        case text(String)
        case texts([String])
        case label(Int)
        case labels([Int])
        case score(Float)
        case scores([Float])
    }

    /// Mines negatives for `anchors[i]` / `positives[i]` (an anchor may come with several positives).
    ///
    /// - Parameters:
    ///   - anchorColumn, positiveColumn: the output's column names (Python: the dataset's column names).
    ///   - corpus: texts to mine from besides the positives (nil: the positives alone).
    ///   - crossEncoder: rescores the candidates when a score or margin filter is set.
    ///   - progress: called with the texts embedded so far and the total.
    /// - Throws: ``SentenceTransformerError/invalidArgument(_:)`` for inconsistent settings or inputs; the model's
    ///   errors.
    public func mine(anchors: [String], positives: [String], model: SentenceTransformer, corpus: [String]? = nil,
                     crossEncoder: CrossEncoder? = nil, anchorColumn: String = "anchor", positiveColumn: String = "positive",
                     progress: (@Sendable (_ done: Int, _ total: Int) -> Void)? = nil) throws -> Dataset {
        let texts = try Texts(anchors: anchors, positives: positives, corpus: corpus)
        let total = texts.corpus.count + texts.queries.count
        let corpusEmbeddings = try model.encodeDocument(texts.corpus, batchSize: batchSize, normalize: true, prompt: corpusPrompt,
                                                        promptName: corpusPromptName,
                                                        progress: progress.map { report in { done, _ in report(done, total) } })
        let queryEmbeddings = try model.encodeQuery(texts.queries, batchSize: batchSize, normalize: true, prompt: queryPrompt,
                                                    promptName: queryPromptName,
                                                    progress: progress.map { report in { done, _ in report(texts.corpus.count + done, total) } })
        return try mine(texts, queryEmbeddings: queryEmbeddings, corpusEmbeddings: corpusEmbeddings, similarity: model.similarityFunction,
                        crossEncoder: crossEncoder, anchorColumn: anchorColumn, positiveColumn: positiveColumn)
    }

    /// Mines with embeddings computed beforehand: `queryEmbeddings` one row per distinct anchor and `corpusEmbeddings`
    /// one per distinct corpus text, in the order of ``Texts`` (for several settings on one embedding).
    /// - Throws: ``SentenceTransformerError/invalidArgument(_:)`` for inconsistent settings or row counts.
    public func mine(_ texts: Texts, queryEmbeddings: Embeddings, corpusEmbeddings: Embeddings, similarity: SimilarityFunction,
                     crossEncoder: CrossEncoder? = nil, anchorColumn: String = "anchor",
                     positiveColumn: String = "positive") throws -> Dataset {
        guard queryEmbeddings.count == texts.queries.count, corpusEmbeddings.count == texts.corpus.count else {
            throw SentenceTransformerError.invalidArgument("mining: \(queryEmbeddings.count) query and \(corpusEmbeddings.count) corpus embeddings "
                + "for \(texts.queries.count) queries and \(texts.corpus.count) corpus texts")
        }
        let filtered = absoluteMargin != nil || relativeMargin != nil || maxScore != nil
        let window = try rangeEnd(maxPositives: texts.maxPositives, filtered: filtered || (crossEncoder != nil && minScore != nil))
        let width = window + texts.maxPositives
        let hits = try semanticSearch(queries: queryEmbeddings, corpus: corpusEmbeddings, topK: min(width, texts.corpus.count),
                                      scoreFunction: similarity, queryChunkSize: 256)
        // Candidates per query, padded to `width` with -1 / -∞ as Python pads a short corpus.
        var indices = hits.map { row in row.map(\.corpusID) + Array(repeating: -1, count: width - row.count) }
        var scores = hits.map { row in row.map(\.score) + Array(repeating: -Float.infinity, count: width - row.count) }
        let pairs = texts.positivePairs
        var positiveScores = try similarity.pairwise(Embeddings(rows: pairs.map { queryEmbeddings[$0.query] }),
                                                     Embeddings(rows: pairs.map { corpusEmbeddings[$0.document] }))
        if let crossEncoder, filtered || minScore != nil {
            guard crossEncoder.numLabels == 1 else {
                throw SentenceTransformerError.invalidArgument("rescoring needs a cross-encoder with one score, this one has \(crossEncoder.numLabels) labels")
            }
            for query in indices.indices {
                let candidates = indices[query].filter { $0 >= 0 }
                let rescored = try crossEncoder.predict(candidates.map { (texts.queries[query], texts.corpus[$0]) }, batchSize: batchSize).values
                for column in candidates.indices { scores[query][column] = rescored[column] }
            }
            positiveScores = try crossEncoder.predict(pairs.map { (texts.queries[$0.query], texts.corpus[$0.document]) },
                                                      batchSize: batchSize).values
        }
        // The lowest positive score of each query (Python names it max_positive_scores).
        var lowestPositive = [Float](repeating: .infinity, count: texts.queries.count)
        for (pair, score) in zip(pairs, positiveScores) { lowestPositive[pair.query] = min(lowestPositive[pair.query], score) }
        for query in indices.indices {
            for column in indices[query].indices {
                let index = indices[query][column]
                var score = scores[query][column]
                if index < 0 || (!includePositives && texts.positives[query].contains(index)) { score = -.infinity }
                if let absoluteMargin, score + absoluteMargin > lowestPositive[query] { score = -.infinity }
                if let relativeMargin, score > lowestPositive[query] - abs(lowestPositive[query]) * relativeMargin { score = -.infinity }
                if let maxScore, score > maxScore { score = -.infinity }
                if let minScore, score < minScore { score = -.infinity }
                scores[query][column] = score
            }
            // The best `window`, best first (stable: equal scores keep the search's order).
            let order = scores[query].indices.sorted { scores[query][$0] > scores[query][$1] || (scores[query][$0] == scores[query][$1] && $0 < $1) }
                .prefix(window).dropFirst(rangeMin)
            var chosen = Array(order)
            if samplingStrategy == .top {
                chosen = Array(chosen.prefix(numNegatives))
            } else {
                var generator = SplitMix64(seed: seed &+ UInt64(query))
                let options = max(numNegatives, chosen.filter { scores[query][$0] != -.infinity }.count)
                chosen = Array(Array(chosen.prefix(options)).shuffled(using: &generator).prefix(numNegatives))
                chosen.sort { scores[query][$0] > scores[query][$1] || (scores[query][$0] == scores[query][$1] && $0 < $1) }
            }
            indices[query] = chosen.map { indices[query][$0] }
            scores[query] = chosen.map { scores[query][$0] }
        }
        return dataset(texts, negatives: indices, negativeScores: scores, positiveScores: positiveScores,
                       anchorColumn: anchorColumn, positiveColumn: positiveColumn)
    }

    /// Checks the settings as `mine` does before it embeds anything, so that a caller can refuse them early.
    ///
    /// - Throws: `SentenceTransformerError.invalidArgument` naming the first setting that cannot be mined with.
    public func validate() throws {
        _ = try rangeEnd(maxPositives: 1, filtered: false)
    }

    /// Python's `range_max`, checked against `rangeMin` and `numNegatives`.
    func rangeEnd(maxPositives: Int, filtered: Bool) throws -> Int {
        guard numNegatives >= 1 else { throw SentenceTransformerError.invalidArgument("numNegatives must be at least 1, got \(numNegatives)") }
        guard rangeMin >= 0 else { throw SentenceTransformerError.invalidArgument("rangeMin must not be negative, got \(rangeMin)") }
        if includePositives, outputFormat != .nTuple {
            throw SentenceTransformerError.invalidArgument("includePositives keeps the ranking in an n-tuple: the output format must be n-tuple, not \(outputFormat.rawValue)")
        }
        for (name, value) in [("maxScore", maxScore), ("minScore", minScore), ("absoluteMargin", absoluteMargin), ("relativeMargin", relativeMargin)] {
            if let value, !value.isFinite { throw SentenceTransformerError.invalidArgument("\(name) must be a number, got \(value)") }
        }
        // Bounded first, so that the default range cannot overflow.
        for (name, value) in [("rangeMin", rangeMin), ("rangeMax", rangeMax ?? 0), ("numNegatives", numNegatives)] where value > 1 << 24 {
            throw SentenceTransformerError.invalidArgument("\(name) \(value) is more than mining can rank (\(1 << 24))")
        }
        let end = rangeMax ?? rangeMin + (filtered ? 10 : 1) * numNegatives + maxPositives
        guard rangeMin < end else { throw SentenceTransformerError.invalidArgument("rangeMin (\(rangeMin)) must be smaller than rangeMax (\(end))") }
        guard numNegatives <= end - rangeMin else {
            throw SentenceTransformerError.invalidArgument("cannot mine \(numNegatives) negatives per query: only \(end - rangeMin) candidates remain "
                + "after skipping the first \(rangeMin) of \(end); lower numNegatives or rangeMin, or raise rangeMax")
        }
        return end
    }

    /// The rows of the chosen output format, with Python's column names and order.
    func dataset(_ texts: Texts, negatives: [[Int]], negativeScores: [[Float]], positiveScores: [Float],
                 anchorColumn: String, positiveColumn: String) -> Dataset {
        var rows: [[Value]] = []
        var columns = [anchorColumn, positiveColumn]
        // (query, positive document, positive score) in Python's order: by query, then positive.
        let pairs = zip(texts.positivePairs, positiveScores).map { (query: $0.0.query, document: $0.0.document, score: $0.1) }
        switch outputFormat {
        case .triplet:
            columns += ["negative"] + (outputScores ? ["scores"] : [])
            for pair in pairs {
                for (negative, score) in zip(negatives[pair.query], negativeScores[pair.query]) where score != -.infinity {
                    rows.append([.text(texts.queries[pair.query]), .text(texts.corpus[pair.document]), .text(texts.corpus[negative])]
                        + (outputScores ? [.scores([pair.score, score])] : []))
                }
            }
        case .nTuple:
            columns += (1...numNegatives).map { "negative_\($0)" } + (outputScores ? ["scores"] : [])
            for pair in pairs where negativeScores[pair.query].allSatisfy({ $0 != -.infinity }) {
                rows.append([.text(texts.queries[pair.query]), .text(texts.corpus[pair.document])] + negatives[pair.query].map { .text(texts.corpus[$0]) }
                    + (outputScores ? [.scores([pair.score] + negativeScores[pair.query])] : []))
            }
        case .labeledPair:
            columns += [outputScores ? "score" : "label"]
            for query in texts.queries.indices {
                for pair in pairs where pair.query == query {
                    rows.append([.text(texts.queries[query]), .text(texts.corpus[pair.document]), outputScores ? .score(pair.score) : .label(1)])
                }
                for (negative, score) in zip(negatives[query], negativeScores[query]) where score != -.infinity {
                    rows.append([.text(texts.queries[query]), .text(texts.corpus[negative]), outputScores ? .score(score) : .label(0)])
                }
            }
        case .labeledList:
            columns += [outputScores ? "scores" : "labels"]
            for pair in pairs {
                let kept = zip(negatives[pair.query], negativeScores[pair.query]).filter { $0.1 != -.infinity }
                guard !kept.isEmpty else { continue }
                rows.append([.text(texts.queries[pair.query]), .texts([texts.corpus[pair.document]] + kept.map { texts.corpus[$0.0] }),
                             outputScores ? .scores([pair.score] + kept.map(\.1)) : .labels([1] + kept.map { _ in 0 })])
            }
        }
        return Dataset(columns: columns, rows: rows)
    }

    /// The distinct queries and corpus texts of a mining run, in Python's order, and each query's positives.
    public struct Texts: Sendable {
        /// Distinct anchors, in order of first appearance.
        public let queries: [String]
        /// Distinct texts of `corpus` then the positives, in order of first appearance.
        public let corpus: [String]
        /// Each query's distinct positives (corpus indices), in order of appearance.
        public let positives: [[Int]]
        /// The most rows any anchor has (Python counts rows, duplicates included).
        public let maxPositives: Int

        /// (query, positive) index pairs, by query then positive.
        var positivePairs: [(query: Int, document: Int)] {
            positives.enumerated().flatMap { query, documents in documents.map { (query, $0) } }
        }

        /// - Throws: ``SentenceTransformerError/invalidArgument(_:)`` when the columns differ in length or are empty.
        public init(anchors: [String], positives: [String], corpus: [String]? = nil) throws {
            guard anchors.count == positives.count, !anchors.isEmpty else {
                throw SentenceTransformerError.invalidArgument("mining needs (anchor, positive) pairs: got \(anchors.count) anchors and \(positives.count) positives")
            }
            var corpusIndex: [String: Int] = [:], corpusTexts: [String] = []
            for text in (corpus ?? []) + positives where corpusIndex[text] == nil {
                corpusIndex[text] = corpusTexts.count
                corpusTexts.append(text)
            }
            var queryIndex: [String: Int] = [:], queryTexts: [String] = [], rowsPerQuery: [Int] = []
            var positiveIndices: [[Int]] = []
            for (anchor, positive) in zip(anchors, positives) {
                let query = queryIndex[anchor] ?? queryTexts.count
                if query == queryTexts.count {
                    queryIndex[anchor] = query
                    queryTexts.append(anchor)
                    rowsPerQuery.append(0)
                    positiveIndices.append([])
                }
                rowsPerQuery[query] += 1
                let document = corpusIndex[positive] ?? 0
                if !positiveIndices[query].contains(document) { positiveIndices[query].append(document) }
            }
            queries = queryTexts
            self.corpus = corpusTexts
            self.positives = positiveIndices
            maxPositives = rowsPerQuery.max() ?? 1
        }
    }
}
