import Foundation
import STTestSupport
import SentenceTransformers
import Testing

/// Late-interaction search: token-level candidates rescored by exact MaxSim, against scoring every document.
@Suite struct MultiVectorSearchTests {
    @Test func candidatesRescoredByExactMaxSim() throws {
        let model = try MultiVectorEncoder(directory: try TestResources.model("tiny-colbert"))
        let texts = try TestResources.jsonLines(TestResources.fixture("tiny-colbert/encode_document.jsonl")).map { $0["text"] as? String ?? "" }
        var index = MultiVectorIndex(dimension: model.embeddingDimension)
        let documents = try model.encodeDocument(texts, batchSize: 16)
        try index.add(Array(documents[..<30]))
        try index.add(Array(documents[30...]))
        #expect(index.count == 65)
        let queries = try model.encodeQuery(["A man is playing a guitar.", "Two boys play football.", "Cela dépend du pays."])
        let allTokens = documents.reduce(0) { $0 + $1.count }
        for (number, query) in queries.enumerated() {
            let exact = index.exhaustiveSearch(query, topK: 10)
            #expect(try index.search(query, topK: 10, candidateTokens: allTokens) == exact, "query \(number)")
            // Few candidates: whatever is returned carries its exact MaxSim, best first.
            let narrow = try index.search(query, topK: 5, candidateTokens: 4)
            #expect(!narrow.isEmpty && narrow.count <= 5)
            for hit in narrow { #expect(hit.score == MultiVectorEncoder.maxSim(query, documents[hit.corpusID])) }
            #expect(narrow.map(\.score) == narrow.map(\.score).sorted(by: >))
            #expect(narrow.first?.score == exact.first?.score || (narrow.first?.score ?? 0) <= (exact.first?.score ?? 0))
        }
        #expect(throws: SentenceTransformerError.self) { try index.search(Embeddings(values: [1, 2], dimension: 2), topK: 1) }
        #expect(throws: SentenceTransformerError.self) { try index.search(queries[0], topK: 0) }
    }
}
