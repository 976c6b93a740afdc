import Foundation
import STModels

/// The `SpladePooling` module: per text, `w_v = pool_i log(1 + relu(logit[i, v]))` over its tokens ([CLS] and [SEP]
/// included), pooled by max (SPLADE v2 and later) or sum (the original SPLADE); `log1p_relu` applies `log1p` twice
/// (OpenSearch's models). Formula: sentence-transformers 6.2 `SpladePooling.forward`.
///
/// The logits come from the `fill-mask` Transformer's head (``Features/vocabularyHead``), applied a block of token
/// rows at a time, so the `tokens × vocabulary` matrix is never held; without a head the token embeddings are pooled
/// as they are. Output: ``Features/sparseEmbeddings``, one sparse vector of the vocabulary's size per text.
public struct SpladePooling: SentenceModule {
    public enum Strategy: String, Sendable { case max, sum }
    public enum ActivationFunction: String, Sendable {
        case relu
        case log1pRelu = "log1p_relu"
    }

    public let strategy: Strategy
    public let activationFunction: ActivationFunction
    /// The output dimension when the config names it (`embedding_dimension`, formerly `word_embedding_dimension`).
    public let embeddingDimension: Int?
    /// Token rows per block of logits (`chunk_size`; the result does not depend on it).
    public let chunkSize: Int

    public init(strategy: Strategy = .max, activationFunction: ActivationFunction = .relu, embeddingDimension: Int? = nil,
                chunkSize: Int? = nil) {
        self.strategy = strategy
        self.activationFunction = activationFunction
        self.embeddingDimension = embeddingDimension
        self.chunkSize = max(1, chunkSize ?? 128)
    }

    /// Reads `config.json` from the module's folder.
    /// - Throws: ``SentenceTransformerError/invalidConfig(path:reason:)`` for an unknown strategy or activation.
    public init(directory: URL) throws {
        struct Config: Decodable {
            var poolingStrategy: String?
            var activationFunction: String?
            var embeddingDimension: Int?
            var wordEmbeddingDimension: Int?
            var chunkSize: Int?
            enum CodingKeys: String, CodingKey {
                case poolingStrategy = "pooling_strategy", activationFunction = "activation_function",
                     embeddingDimension = "embedding_dimension", wordEmbeddingDimension = "word_embedding_dimension",
                     chunkSize = "chunk_size"
            }
        }
        let url = directory.appendingPathComponent("config.json")
        let config = try JSONFile.decode(Config.self, from: url)
        guard let strategy = Strategy(rawValue: config.poolingStrategy ?? "max") else {
            throw SentenceTransformerError.invalidConfig(path: url.path, reason: "pooling_strategy must be max or sum")
        }
        guard let activation = ActivationFunction(rawValue: config.activationFunction ?? "relu") else {
            throw SentenceTransformerError.invalidConfig(path: url.path, reason: "activation_function must be relu or log1p_relu")
        }
        let dimension = config.embeddingDimension ?? config.wordEmbeddingDimension
        if let dimension, dimension <= 0 {
            throw SentenceTransformerError.invalidConfig(path: url.path, reason: "embedding_dimension must be positive")
        }
        self.init(strategy: strategy, activationFunction: activation, embeddingDimension: dimension,
                  chunkSize: config.chunkSize.flatMap { $0 > 0 ? $0 : nil })
    }

    public var output: ModuleOutput { .sparseEmbedding }
    public func outputDimension(input: Int) -> Int { embeddingDimension ?? input }
    public var parameterCount: Int { 0 }
    public var summary: String {
        "SpladePooling(pooling_strategy: \(strategy.rawValue), activation_function: \(activationFunction.rawValue))"
    }

    /// Writes `config.json`.
    public func save(to folder: URL) throws {
        var object: [String: Any] = ["pooling_strategy": strategy.rawValue, "activation_function": activationFunction.rawValue]
        object["embedding_dimension"] = embeddingDimension.map { $0 as Any } ?? NSNull()
        try ModelDirectory.writeJSON(object, to: folder.appendingPathComponent("config.json"))
    }

    /// The transform applied to one logit.
    @inline(__always)
    func transform(_ x: Float) -> Float {
        guard x > 0 else { return 0 }
        let once = log1p(x)
        return activationFunction == .log1pRelu ? log1p(once) : once
    }

    public func forward(_ features: inout Features) throws {
        let head = features.vocabularyHead
        let width = head?.vocabularySize ?? features.tokenDimension
        if let embeddingDimension, embeddingDimension != width {
            throw SentenceTransformerError.invalidArgument("SpladePooling expects \(embeddingDimension) dimensions, the model gives \(width)")
        }
        let hidden = features.tokenDimension
        let sequences = features.sequences
        let total = sequences.map(\.upperBound).max() ?? 0
        var pooled = [[Float]](repeating: [Float](repeating: strategy == .max ? -.infinity : 0, count: width), count: sequences.count)
        // Blocks of packed rows across sequences, so the head's products are as wide as the batch allows.
        let blockRows = chunkSize
        var logits = [Float](repeating: 0, count: head == nil ? 0 : blockRows * width)
        var scratch = [Float](repeating: 0, count: head == nil ? 0 : blockRows * hidden)
        features.tokenEmbeddings.withUnsafeBufferPointer { tokens in
            guard let x = tokens.baseAddress else { return }
            var start = 0
            while start < total {
                let rows = min(blockRows, total - start)
                logits.withUnsafeMutableBufferPointer { logitBuffer in
                    scratch.withUnsafeMutableBufferPointer { scratchBuffer in
                        let block: UnsafePointer<Float>
                        if let head, let y = logitBuffer.baseAddress, let s = scratchBuffer.baseAddress {
                            head.forward(x + start * hidden, rows: rows, scratch: s, into: y)
                            block = UnsafePointer(y)
                        } else {
                            block = x + start * hidden
                        }
                        for (index, sequence) in sequences.enumerated() {
                            let first = max(sequence.lowerBound, start), end = min(sequence.upperBound, start + rows)
                            guard first < end else { continue }
                            accumulate(block + (first - start) * width, rows: end - first, width: width, into: &pooled[index])
                        }
                    }
                }
                start += rows
            }
        }
        // Max pooling commutes with the monotone transform: raw logits were pooled, each entry is transformed once.
        if strategy == .max {
            for (index, sequence) in sequences.enumerated() {
                for v in 0..<width { pooled[index][v] = sequence.isEmpty ? 0 : transform(pooled[index][v]) }
            }
        }
        features.sparseEmbeddings = pooled.map { SparseVector(dense: $0) }
        features.sentenceDimension = width
    }

    private func accumulate(_ block: UnsafePointer<Float>, rows: Int, width: Int, into accumulator: inout [Float]) {
        accumulator.withUnsafeMutableBufferPointer { result in
            for row in 0..<rows {
                let values = block + row * width
                switch strategy {
                case .max: for v in 0..<width where values[v] > result[v] { result[v] = values[v] }
                case .sum: for v in 0..<width { result[v] += transform(values[v]) }
                }
            }
        }
    }
}
