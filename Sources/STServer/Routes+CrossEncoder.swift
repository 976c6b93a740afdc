import Foundation
import Hummingbird
import SentenceTransformers
import STServerAPI
import STTokenizers

/// The routes of the cross-encoders: `/rerank` (the reranker, one label) and `/predict` (the classifier, else the
/// reranker). Scores as TEI computes them: a sigmoid of the logit for one label, a softmax over several, the logits
/// with `raw_scores` (whatever activation the model's configuration names).
extension Routes {
    /// `/rerank`: `[{"index", "score", "text"?}]`, best first (ties in input order).
    static func rerank(_ body: RerankRequest, _ service: EmbeddingService) async throws -> Response {
        guard !body.texts.isEmpty else { throw APIError.empty("`texts` cannot be empty") }
        guard let reranker = service.reranker else { throw APIError.backend("model is not a re-ranker model (start with --reranker)") }
        try service.validate(batchSize: body.texts.count)
        let sequences = body.texts.map { [body.query, $0] }
        let scores = try await WorkerThreads.rerank.run {
            let encodings = try crossEncodings(sequences, model: reranker, truncate: body.truncate ?? service.configuration.autoTruncate,
                                               direction: body.truncationDirection)
            return try reranker.predict(encodings: encodings, activation: body.rawScores == true ? .identity : .sigmoid).values
        }
        guard !scores.contains(where: \.isNaN) else { throw APIError.backend("score is NaN") }
        let order = scores.indices.sorted { scores[$0] > scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }
        let items = order.map { index in
            var item = "{\"index\":\(index),\"score\":\(JSONNumbers.number(scores[index]))"
            if body.returnText == true { item += ",\"text\":\(JSONNumbers.string(body.texts[index]))" }
            return item + "}"
        }
        return json("[" + items.joined(separator: ",") + "]")
    }

    /// `/predict`: `[{"score", "label"}]` for one input, `[[…]]` for a batch; each list sorted by score, best first.
    static func predict(_ body: PredictRequest, _ service: EmbeddingService) async throws -> Response {
        guard let model = service.classifier ?? service.reranker else {
            throw APIError.backend("Model is not a classifier model (start with --classifier or --reranker)")
        }
        let sequences = body.inputs.sequences
        if body.inputs.isBatch { try service.validate(batchSize: sequences.count) }
        let labelCount = model.numLabels
        let logits = try await WorkerThreads.rerank.run {
            let encodings = try crossEncodings(sequences, model: model, truncate: body.truncate ?? service.configuration.autoTruncate,
                                               direction: body.truncationDirection)
            return try model.predict(encodings: encodings, activation: .identity)
        }
        let lists = try (0..<sequences.count).map { row -> String in
            let raw = Array(logits.values[(row * labelCount)..<((row + 1) * labelCount)])
            let scores = body.rawScores == true ? raw : Self.teiScores(raw)
            guard !scores.contains(where: \.isNaN) else { throw APIError.backend("score is NaN") }
            let order = scores.indices.sorted { scores[$0] > scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }
            return "[" + order.map { index in
                let label = model.labels[index].isEmpty ? "LABEL_\(index)" : model.labels[index]
                return "{\"score\":\(JSONNumbers.number(scores[index])),\"label\":\(JSONNumbers.string(label))}"
            }.joined(separator: ",") + "]"
        }
        return json(body.inputs.isBatch ? "[" + lists.joined(separator: ",") + "]" : lists[0])
    }

    /// A sigmoid for one logit, a softmax for several.
    static func teiScores(_ logits: [Float]) -> [Float] {
        guard logits.count > 1 else { return logits.map { 1 / (1 + Foundation.exp(-$0)) } }
        let maximum = logits.max() ?? 0
        let exps = logits.map { Foundation.exp($0 - maximum) }
        let total = exps.reduce(0, +)
        return exps.map { $0 / total }
    }

    /// Each sequence (one text or a pair) tokenized by the cross-encoder's tokenizer: whole when it fits the model,
    /// else truncated longest-first from `direction` when allowed, else refused (413).
    static func crossEncodings(_ sequences: [[String]], model: CrossEncoder, truncate: Bool, direction: STServerAPI.TruncationDirection?) throws -> [Encoding] {
        var plain = model.transformer.tokenizer
        plain.truncation = nil
        var truncating = model.transformer.tokenizer
        if direction == .left { truncating.truncation?.direction = .left }
        let limit = model.transformer.maxSeqLength
        return try sequences.map { texts in
            guard !texts.allSatisfy(\.isEmpty) else { throw APIError.empty("`inputs` cannot be empty") }
            let pair = texts.count == 2 ? texts[1] : nil
            let full = try pair.map { try plain.encode(texts[0], pair: $0) } ?? plain.encode(texts[0])
            guard full.count > limit else { return full }
            guard truncate else { throw APIError.validation("`inputs` must have less than \(limit) tokens. Given: \(full.count)") }
            return try pair.map { try truncating.encode(texts[0], pair: $0) } ?? truncating.encode(texts[0])
        }
    }
}
