import Foundation
import SentenceTransformers
import STTestSupport
import Testing

/// A batch of more than 768 tokens runs through the layers in groups of whole sequences; each text must still get the
/// vector it gets alone (the grouping only changes which rows share a pass).
@Suite struct GroupedBatchTests {
    @Test func largeBatchesEqualTextsAlone() throws {
        let model = try SentenceTransformer(directory: TestResources.model("all-MiniLM-L6-v2"))
        let words = "the quick brown fox jumps over a lazy dog while seven wizards quietly judge boxing matches at dawn".split(separator: " ")
        let texts = (0..<24).map { index in
            (0..<(40 + index * 3)).map { String(words[($0 * 7 + index) % words.count]) }.joined(separator: " ")
        }
        let tokens = try texts.reduce(0) { $0 + (try model.tokenize($1)).count }
        #expect(tokens > 2 * 768)
        let batched = try model.encode(texts, batchSize: 24)
        var worst: Float = 0
        for (text, vector) in zip(texts, batched) {
            let alone = try model.encode(text)
            worst = max(worst, zip(alone, vector).map { abs($0 - $1) }.max() ?? .infinity)
        }
        #expect(worst <= 1e-6, "a text in a grouped batch differs from the text alone by \(worst)")
    }
}
