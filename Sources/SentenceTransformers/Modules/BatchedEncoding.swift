import STKernels
import STTokenizers

/// The one encoding loop every model kind runs: texts tokenized by the route's input module (prompt first), sorted
/// by length, run through the route in batches without padding, and each text's output put back in input order, so
/// a text gets the same result whatever else is in its batch.
///
/// Between two batches the loop stops with `CancellationError` when the async call that runs it (on
/// ``WorkerThreads``) has been cancelled: the async API's cancellation point.
enum BatchedEncoding {
    /// Encodes `texts` through `pipeline`'s route for `task`; `output` extracts one text's result from a batch's
    /// features (`position` = its row in the batch); `threads` bounds the kernels' workers (`nil`: the default).
    static func encode<Output>(
        _ texts: [String], pipeline: ModulePipeline, task: String?, prompt: String, batchSize: Int, threads: Int?,
        progress: ((_ done: Int, _ total: Int) -> Void)?,
        output: (_ features: Features, _ position: Int, _ input: Int) throws -> Output
    ) throws -> [Output] {
        guard batchSize > 0 else { throw SentenceTransformerError.invalidArgument("batchSize must be positive, got \(batchSize)") }
        let route = try pipeline.route(for: task)
        let encodings = try tokenize(texts, route: route, prompt: prompt, task: task)
        let promptLength = try route.input.promptLength(of: prompt)
        var results = [Output?](repeating: nil, count: texts.count)
        var done = 0
        for batch in batches(encodings, size: batchSize) {
            try WorkerThreads.checkCancellation()
            let features = try Parallel.withWorkerCount(threads) {
                try ModulePipeline.run(route, encodings: batch.map { encodings[$0] },
                                       promptLengths: Array(repeating: promptLength, count: batch.count), task: task)
            }
            for (position, index) in batch.enumerated() { results[index] = try output(features, position, index) }
            done += batch.count
            progress?(done, texts.count)
        }
        return results.compactMap { $0 }
    }

    /// Each text with `prompt` before it, tokenized by the route's input module.
    /// - Throws: ``SentenceTransformerError/untokenizableInput(input:text:reason:)`` naming the text.
    static func tokenize(_ texts: [String], route: ModulePipeline.Route, prompt: String, task: String?) throws -> [Encoding] {
        try texts.enumerated().map { index, text in
            do {
                return try route.input.tokenize(prompt + text, task: task)
            } catch let error as TokenizerError {
                throw SentenceTransformerError.untokenizableInput(input: index, text: text, reason: error.description)
            }
        }
    }

    /// Indices of `encodings` grouped into batches of similar length, longest first.
    static func batches(_ encodings: [Encoding], size: Int) -> [[Int]] {
        let order = encodings.indices.sorted { encodings[$0].count > encodings[$1].count || (encodings[$0].count == encodings[$1].count && $0 < $1) }
        return stride(from: 0, to: order.count, by: size).map { Array(order[$0..<min($0 + size, order.count)]) }
    }
}
