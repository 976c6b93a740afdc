import Foundation
import STTestSupport
import SentenceTransformers
import Testing

/// Every model kind besides the dense Transformer pipeline, against sentence-transformers 6.2 on seeded tiny models
/// (`shared/models/tiny-*`; fixtures in `Tests/Fixtures/tiny-*`, whose READMEs give how they were made and the
/// suggested tolerances): SPLADE (`SparseEncoder`), inference-free SPLADE (Router + SparseStaticEmbedding), ColBERT
/// (`MultiVectorEncoder`), StaticEmbedding and an asymmetric Router.
@Suite struct ModelKindsParityTests {
    /// A fixture's `[[id, weight], …]` as a dense vector of `dimension`.
    static func dense(_ value: Any?, dimension: Int) -> [Float] {
        var result = [Float](repeating: 0, count: dimension)
        for pair in value as? [[Any]] ?? [] {
            if let index = (pair.first as? NSNumber)?.intValue, let weight = (pair.last as? NSNumber)?.floatValue { result[index] = weight }
        }
        return result
    }

    static func indices(_ value: Any?) -> [Int] {
        (value as? [[Any]] ?? []).compactMap { ($0.first as? NSNumber)?.intValue }
    }

    /// Sparse vectors: the same nonzero indices (an entry the reference gives below 1e-5 may be absent or present)
    /// and |Δ| ≤ 1e-5 on the dense forms.
    static func checkSparse(_ actual: SparseVector, _ expected: Any?, _ what: String, exact: Bool = false) {
        let reference = dense(expected, dimension: actual.dimension)
        let worst = ParityChecks.maxDifference(actual.dense, reference)
        #expect(exact ? worst == 0 : worst <= 1e-5, "\(what): max |Δ| \(worst)")
        let expectedIndices = Set(indices(expected)), actualIndices = Set(actual.indices)
        let differing = expectedIndices.symmetricDifference(actualIndices).filter { max(reference[$0], abs(actual[$0])) >= 1e-5 }
        #expect(differing.isEmpty, "\(what): indices differ at \(differing.sorted().prefix(5))")
    }

    // MARK: SPLADE

    @Test func spladeTokenIDsVectorsAndActiveDims() throws {
        let model = try SparseEncoder(directory: try TestResources.model("tiny-splade"))
        #expect(model.embeddingDimension == 30522 && model.similarityFunction == .dot)
        let rows = try TestResources.jsonLines(TestResources.fixture("tiny-splade/encode.jsonl"))
        #expect(rows.count == 65)
        let texts = rows.map { $0["text"] as? String ?? "" }
        var alone: [SparseVector] = []
        for (index, row) in rows.enumerated() {
            #expect(try model.defaultRoute.input.tokenize(texts[index], task: nil).ids == TestResources.ints(row["input_ids"]), "row \(index) ids")
            let vector = try model.encode([texts[index]])[0]
            Self.checkSparse(vector, row["embedding"], "row \(index) \(row["label"] ?? "")")
            #expect(vector.nonzeroCount == (row["nnz"] as? Int), "row \(index) nnz \(vector.nonzeroCount)")
            let top8 = try model.encode([texts[index]], maxActiveDims: 8)[0]
            #expect(top8.indices == Self.indices(row["embedding_max_active_dims_8"]), "row \(index) top 8")
            alone.append(vector)
        }
        let batched = try model.encode(texts, batchSize: 16)
        for index in rows.indices {
            #expect(ParityChecks.maxDifference(batched[index].dense, alone[index].dense) <= 1e-6, "row \(index): batch ≠ alone")
        }
    }

    @Test func spladeDecodeAndSimilarity() throws {
        let model = try SparseEncoder(directory: try TestResources.model("tiny-splade"))
        let decode = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: TestResources.fixture("tiny-splade/decode.json"))) as? [String: Any])
        for row in decode["rows"] as? [[String: Any]] ?? [] {
            let decoded = model.decode(try model.encode([row["text"] as? String ?? ""])[0], topK: 5)
            let expected = row["decoded"] as? [[Any]] ?? []
            #expect(decoded.map(\.token) == expected.map { $0.first as? String ?? "" }, "decode of row \(row["id"] ?? "?")")
            for (pair, reference) in zip(decoded, expected) {
                #expect(abs(pair.weight - ((reference.last as? NSNumber)?.floatValue ?? 0)) <= 1e-5)
            }
        }
        let similarity = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: TestResources.fixture("tiny-splade/similarity.json"))) as? [String: Any])
        let texts = (similarity["texts"] as? [[String: Any]] ?? []).map { $0["text"] as? String ?? "" }
        let vectors = try model.encode(texts)
        let scores = model.similarity(vectors, vectors)
        let expected = ParityChecks.matrix(similarity["matrix"])
        #expect(scores.values.count == expected.count)
        for (actual, reference) in zip(scores.values, expected) { #expect(abs(actual - reference) <= 1e-5 * max(1, abs(reference))) }
    }

    // MARK: Inference-free SPLADE (Router)

    @Test func inferenceFreeSpladeRoutesQueriesAndDocuments() throws {
        let model = try SparseEncoder(directory: try TestResources.model("tiny-splade-inference-free"))
        #expect(model.embeddingDimension == 30522)
        let queries = try TestResources.jsonLines(TestResources.fixture("tiny-splade-inference-free/encode_query.jsonl"))
        let documents = try TestResources.jsonLines(TestResources.fixture("tiny-splade-inference-free/encode_document.jsonl"))
        let texts = queries.map { $0["text"] as? String ?? "" }
        let encodedQueries = try model.encodeQuery(texts, batchSize: 16)
        let encodedDocuments = try model.encodeDocument(texts, batchSize: 16)
        let plain = try model.encode(texts, batchSize: 16)
        for index in texts.indices {
            // Query weights are copies of the stored table: exact.
            Self.checkSparse(encodedQueries[index], queries[index]["embedding"], "query \(index)", exact: true)
            Self.checkSparse(encodedDocuments[index], documents[index]["embedding"], "document \(index)")
            #expect(plain[index] == encodedDocuments[index], "encode() must take the default route (document), row \(index)")
        }
        let similarity = try #require(try JSONSerialization.jsonObject(
            with: Data(contentsOf: TestResources.fixture("tiny-splade-inference-free/similarity.json"))) as? [String: Any])
        let pairs = (similarity["all_pairs_nonzero"] as? [String: Any])?["entries"] as? [[Any]] ?? []
        #expect(pairs.count == 732)
        var expected: [Int: Float] = [:]
        for pair in pairs {
            let numbers = pair.compactMap { $0 as? NSNumber }
            expected[numbers[0].intValue * 65 + numbers[1].intValue] = numbers[2].floatValue
        }
        let ids = queries.map { ($0["id"] as? Int) ?? -1 }
        let scores = model.similarity(encodedQueries, encodedDocuments)
        for i in ids.indices {
            for j in ids.indices {
                let reference = expected[ids[i] * 65 + ids[j]] ?? 0
                #expect(abs(scores[i][j] - reference) <= 1e-5 * max(1, abs(reference)) + 1e-6, "pair \(ids[i]), \(ids[j])")
            }
        }
    }

    // MARK: ColBERT

    @Test func colbertQueriesDocumentsAndMaxSim() throws {
        let model = try MultiVectorEncoder(directory: try TestResources.model("tiny-colbert"))
        for (task, file) in [("query", "encode_query.jsonl"), ("document", "encode_document.jsonl")] {
            let rows = try TestResources.jsonLines(TestResources.fixture("tiny-colbert/\(file)"))
            #expect(rows.count == 65)
            let texts = rows.map { $0["text"] as? String ?? "" }
            let prompt = model.configuration.prompts[task] ?? ""
            let encoded = try model.encode(texts, batchSize: 16, task: task)
            for (index, row) in rows.enumerated() {
                let encoding = try model.defaultRoute.input.tokenize(prompt + texts[index], task: task)
                #expect(encoding.ids == TestResources.ints(row["input_ids"]), "\(task) \(index) ids")
                #expect(encoding.attentionMask == TestResources.ints(row["attention_mask"]), "\(task) \(index) mask")
                let expected = ParityChecks.matrix(row["embeddings"])
                #expect(encoded[index].values.count == expected.count, "\(task) \(index): \(encoded[index].count) rows")
                let worst = ParityChecks.maxDifference(encoded[index].values, expected)
                #expect(worst <= 1e-5, "\(task) \(index) \(row["label"] ?? ""): max |Δ| \(worst)")
            }
        }
        let maxsim = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: TestResources.fixture("tiny-colbert/maxsim.json"))) as? [String: Any])
        let queries = try model.encodeQuery((maxsim["queries"] as? [[String: Any]] ?? []).map { $0["text"] as? String ?? "" })
        let documents = try model.encodeDocument((maxsim["documents"] as? [[String: Any]] ?? []).map { $0["text"] as? String ?? "" })
        let scores = model.similarity(queries, documents)
        let expected = ParityChecks.matrix(maxsim["scores"])
        #expect(scores.values.count == expected.count)
        for (actual, reference) in zip(scores.values, expected) {
            #expect(abs(actual - reference) <= 1e-5 * max(1, abs(reference)), "MaxSim \(actual) vs \(reference)")
        }
    }

    // MARK: StaticEmbedding

    @Test func staticEmbeddingAloneAndBatched() throws {
        let model = try SentenceTransformer(directory: try TestResources.model("tiny-static-embedding"))
        #expect(model.embeddingDimension == 32 && model.maxSeqLength == Int.max)
        let rows = try TestResources.jsonLines(TestResources.fixture("tiny-static-embedding/encode.jsonl"))
        let batchRows = try TestResources.jsonLines(TestResources.fixture("tiny-static-embedding/encode_batch.jsonl"))
        let texts = rows.map { $0["text"] as? String ?? "" }
        let batched = try model.encode(texts, batchSize: 32)
        for (index, row) in rows.enumerated() {
            #expect(try model.tokenize(texts[index]).ids == TestResources.ints(row["input_ids"]), "row \(index) ids")
            let alone = try model.encode(texts[index])
            let worst = ParityChecks.maxDifference(alone, TestResources.floats(row["embedding"]))
            #expect(worst <= 1e-5, "row \(index) \(row["label"] ?? ""): max |Δ| \(worst)")
            #expect(batched[index] == alone, "row \(index): batch ≠ alone")
            #expect(ParityChecks.maxDifference(batched[index], TestResources.floats(batchRows[index]["embedding"])) <= 1e-5)
        }
    }

    // MARK: Router

    @Test func asymmetricRouterQueryDocumentAndDefault() throws {
        let model = try SentenceTransformer(directory: try TestResources.model("tiny-router-asym"))
        #expect(model.embeddingDimension == 32)
        for (file, task) in [("encode_query.jsonl", "query"), ("encode_document.jsonl", "document"), ("encode.jsonl", nil)] as [(String, String?)] {
            let rows = try TestResources.jsonLines(TestResources.fixture("tiny-router-asym/\(file)"))
            let texts = rows.map { $0["text"] as? String ?? "" }
            let encoded = try model.encode(texts, batchSize: 16, task: task)
            for (index, row) in rows.enumerated() {
                let worst = ParityChecks.maxDifference(encoded[index], TestResources.floats(row["embedding"]))
                #expect(worst <= 1e-5, "\(file) row \(index): max |Δ| \(worst)")
            }
        }
        #expect(try model.encodeQuery(["a"]) == (try model.encode(["a"], task: "query")))
        #expect(throws: SentenceTransformerError.self) { try model.encode(["a"], task: "summary") }
    }
}
