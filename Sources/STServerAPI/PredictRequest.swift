import Foundation

/// `/predict`: `inputs` is a text, a pair `[a, b]`, or a batch of `[a]` / `[a, b]` lists.
package struct PredictRequest: Decodable, Sendable {
    package struct Inputs: Decodable, Sendable {
        /// Each sequence: one text, or a pair of texts.
        package var sequences: [[String]]
        /// Whether the answer is a list of prediction lists (a batch) or one prediction list.
        package var isBatch: Bool

        package init(from decoder: any Decoder) throws {
            if let text = try? decoder.singleValueContainer().decode(String.self) {
                sequences = [[text]]
                isBatch = false
                return
            }
            var list = try decoder.unkeyedContainer()
            let invalid = { (count: Int) in
                DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                  debugDescription: "invalid length \(count), expected a string, a pair of strings or a batch of them"))
            }
            if let first = try? list.decode(String.self) {
                var texts = [first]
                while !list.isAtEnd { texts.append(try list.decode(String.self)) }
                guard texts.count <= 2 else { throw invalid(texts.count) }
                sequences = [texts]
                isBatch = false
            } else {
                sequences = []
                while !list.isAtEnd {
                    let texts = try list.decode([String].self)
                    guard (1...2).contains(texts.count) else { throw invalid(texts.count) }
                    sequences.append(texts)
                }
                guard !sequences.isEmpty else { throw invalid(0) }
                isBatch = true
            }
        }
    }
    package var inputs: Inputs
    package var truncate: Bool?
    package var truncationDirection: TruncationDirection?
    package var rawScores: Bool?
    enum CodingKeys: String, CodingKey { case inputs, truncate, truncationDirection = "truncation_direction", rawScores = "raw_scores" }
}
