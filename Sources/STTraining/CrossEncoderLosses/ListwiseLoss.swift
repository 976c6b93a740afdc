/// A cross-encoder loss over ranked lists (sentence-transformers' `LambdaLoss`, `ListNetLoss`): each example is a
/// query with its documents (``TrainingExample/candidates``) and one graded label per document
/// (``TrainingExample/labelVector``); the lists of a batch may differ in length.
///
/// Every (query, document) pair is scored, query after query, in forward chunks of `miniBatchSize` pairs (nil: as
/// many pairs as the batch has queries, as Python does); a list's logits are then compared with its labels.
public protocol ListwiseLoss: CrossEncoderLoss {
    /// Pairs per forward pass (Python's `mini_batch_size`); nil for the batch's number of queries, 0 or less for all.
    var miniBatchSize: Int? { get }
    /// The loss of the lists and the gradient of each list's logits.
    /// - Throws: ``TrainingError/invalidInput(_:)`` for labels the loss cannot take.
    func compute(lists: [(logits: [Double], labels: [Double])]) throws -> (loss: Double, gradients: [[Double]])
}

extension ListwiseLoss {
    public func pairGroups(_ columns: [[String]]) throws -> [[(String, String)]] {
        throw TrainingError.invalidInput("\(name) expects (query, documents) rows: a text column and a list column of documents, with a list of labels")
    }

    public func pairGroups(examples: [TrainingExample]) throws -> [[(String, String)]] {
        var pairs: [(String, String)] = []
        for (row, example) in examples.enumerated() {
            guard example.texts.count == 1, let documents = example.candidates, !documents.isEmpty else {
                throw TrainingError.invalidInput("\(name) expects (query, documents) rows: one text column and a non-empty list column of documents (row \(row) of the batch)")
            }
            if example.labelVector == nil, example.label != nil {
                throw TrainingError.invalidInput("\(name): row \(row) of the batch has one label; it needs a list of labels, one per document")
            }
            guard example.labelVector?.count == documents.count else {
                throw TrainingError.invalidInput("\(name): row \(row) of the batch has \(documents.count) documents and \(example.labelVector?.count ?? 0) labels; it needs one label per document")
            }
            pairs += documents.map { (example.texts[0], $0) }
        }
        let size = miniBatchSize.map { $0 > 0 ? $0 : pairs.count } ?? examples.count
        return stride(from: 0, to: pairs.count, by: max(size, 1)).map { Array(pairs[$0..<min($0 + size, pairs.count)]) }
    }

    public func compute(_ input: LossInput) throws -> LossOutput {
        guard input.dimension == 1 else { throw TrainingError.invalidInput("\(name) needs one logit per pair, got \(input.dimension)") }
        let logits = input.columns.flatMap { $0 }
        guard !input.listLengths.isEmpty, input.listLengths.allSatisfy({ $0 > 0 }), input.listLengths.reduce(0, +) == logits.count else {
            throw TrainingError.invalidInput("\(name) expects a list of documents per query, \(logits.count) scores in all")
        }
        guard input.labelVectors.count == logits.count else {
            throw TrainingError.invalidInput("\(name) expects one label per document (\(logits.count) in all), got \(input.labelVectors.count)")
        }
        if let bad = input.labelVectors.first(where: { !$0.isFinite }) { throw TrainingError.invalidInput("\(name): label \(bad) is not a number") }
        var lists: [(logits: [Double], labels: [Double])] = []
        var offset = 0
        for length in input.listLengths {
            lists.append((logits[offset..<(offset + length)].map(Double.init), input.labelVectors[offset..<(offset + length)].map(Double.init)))
            offset += length
        }
        let (loss, listGradients) = try compute(lists: lists)
        // Back into the shape of the forward chunks.
        var flat = listGradients.flatMap { $0 }.makeIterator()
        let gradients = input.columns.map { column in column.map { _ in Float(flat.next() ?? 0) } }
        return LossOutput(loss: loss, gradients: gradients)
    }
}
