import Foundation

/// The `Normalize` module: every sentence embedding divided by its L2 norm (`torch.nn.functional.normalize`,
/// which divides by `max(‖x‖, 1e-12)`).
///
/// With `module_input_name: "token_embeddings"` in its `config.json` (a multi-vector model) it normalizes every token
/// row instead.
public struct Normalize: SentenceModule {
    /// Normalize token rows rather than sentence vectors.
    public let tokenEmbeddings: Bool

    public init(tokenEmbeddings: Bool = false) {
        self.tokenEmbeddings = tokenEmbeddings
    }

    /// Reads the module's optional `config.json`.
    /// - Throws: ``SentenceTransformerError/invalidConfig(path:reason:)`` for an input it cannot normalize.
    public init(directory: URL) throws {
        struct Config: Decodable {
            var moduleInputName: String?
            enum CodingKeys: String, CodingKey { case moduleInputName = "module_input_name" }
        }
        let url = directory.appendingPathComponent("config.json")
        let name = try JSONFile.decodeIfPresent(Config.self, from: url)?.moduleInputName ?? "sentence_embedding"
        guard ["sentence_embedding", "token_embeddings"].contains(name) else {
            throw SentenceTransformerError.invalidConfig(path: url.path, reason: "module_input_name '\(name)' is not sentence_embedding or token_embeddings")
        }
        tokenEmbeddings = name == "token_embeddings"
    }

    public var output: ModuleOutput { .sameAsInput }
    public func outputDimension(input: Int) -> Int { input }
    public var parameterCount: Int { 0 }
    public var summary: String { tokenEmbeddings ? "Normalize(token_embeddings)" : "Normalize()" }

    /// Writes `config.json` naming what the module normalizes.
    public func save(to folder: URL) throws {
        let name = tokenEmbeddings ? "token_embeddings" : "sentence_embedding"
        try ModelDirectory.writeJSON(["module_input_name": name, "module_output_name": name], to: folder.appendingPathComponent("config.json"))
    }

    public func forward(_ features: inout Features) throws {
        if tokenEmbeddings {
            Self.normalizeRows(&features.tokenEmbeddings, dimension: features.tokenDimension)
        } else {
            Self.normalizeRows(&features.sentenceEmbeddings, dimension: features.sentenceDimension)
        }
    }

    /// `torch.nn.functional.normalize`'s lower bound on the norm.
    static let epsilon = 1e-12

    /// L2-normalizes each `dimension`-long row of `values` in place; returns each row's norm (before the clamp).
    @discardableResult
    static func normalizeRows(_ values: inout [Float], dimension: Int) -> [Double] {
        guard dimension > 0 else { return [] }
        var norms = [Double](repeating: 0, count: values.count / dimension)
        values.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            for row in norms.indices {
                let x = base + row * dimension
                var sumOfSquares: Double = 0
                for c in 0..<dimension { sumOfSquares += Double(x[c]) * Double(x[c]) }
                norms[row] = sumOfSquares.squareRoot()
                let scale = Float(1 / Swift.max(norms[row], epsilon))
                for c in 0..<dimension { x[c] *= scale }
            }
        }
        return norms
    }
}
