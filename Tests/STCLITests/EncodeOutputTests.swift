import Foundation
import STTestSupport
import Testing

/// `sbert encode --precision`, `--output-value token_embeddings` and `--max-seq-length` against sentence-transformers
/// 6.2's `encode(precision=…)`, `encode(output_value="token_embeddings")` and `model.max_seq_length = 8`
/// (Tests/Fixtures/encode-output, made by its make_goldens.py).
@Suite struct EncodeOutputTests {
    struct Goldens: Decodable {
        struct Output: Decodable {
            var dtype: String
            var shape: [Int]
            var values: [[Double]]
        }
        var sentences: [String]
        var precision: [String: Output]
        var int8NormalizedTruncated64: [[Int]]
        var tokenEmbeddings: [[[Double]]]
        var tokenEmbeddingsUbinary: [[[Int]]]
        var maxSeqLength8: [[Double]]

        enum CodingKeys: String, CodingKey {
            case sentences, precision, int8NormalizedTruncated64 = "int8_normalized_truncated_64", tokenEmbeddings = "token_embeddings"
            case tokenEmbeddingsUbinary = "token_embeddings_ubinary", maxSeqLength8 = "max_seq_length_8"
        }
    }

    static let goldens: Goldens? = {
        guard let data = try? Data(contentsOf: TestResources.fixture("encode-output/goldens.json")) else { return nil }
        return try? JSONDecoder().decode(Goldens.self, from: data)
    }()

    static func encode(_ arguments: [String], goldens: Goldens) throws -> [[Double]] {
        let input = Data((goldens.sentences.joined(separator: "\n") + "\n").utf8)
        let result = try SbertProcessTests.run(["encode", "--model", try SbertProcessTests.modelPath(), "--batch-size", "4"] + arguments, input: input)
        #expect(result.status == 0, "\(result.standardError)")
        return SbertProcessTests.rows(result.text)
    }

    /// Integers: equal but for a level of 1 where a value sits on a bucket edge (the maximum of a dimension lands on
    /// 255 or just under it, by the last bit of the float embedding; ours and PyTorch's differ by about 1e-7).
    static func expectIntegers(_ ours: [[Double]], _ python: [[Double]], _ what: String) {
        #expect(ours.count == python.count && zip(ours, python).allSatisfy { $0.count == $1.count }, "\(what): shape")
        let pairs = zip(ours.joined(), python.joined())
        let off = pairs.filter { $0 != $1 }
        #expect(off.allSatisfy { abs($0 - $1) == 1 }, "\(what): \(off.prefix(5))")
        #expect(off.count * 200 <= pairs.map { _ in 1 }.count, "\(what): \(off.count) values off by one")
    }

    @Test(arguments: ["int8", "uint8", "binary", "ubinary"])
    func precisionEqualsPythonsQuantizedEncode(precision: String) throws {
        let goldens = try #require(Self.goldens)
        let python = try #require(goldens.precision[precision])
        let ours = try Self.encode(["--precision", precision], goldens: goldens)
        if precision.hasSuffix("binary") {
            // Sign bits: exact (no embedding value here is within 1e-6 of 0).
            #expect(ours == python.values)
        } else {
            Self.expectIntegers(ours, python.values, precision)
        }
        #expect(python.shape == [ours.count, ours.first?.count ?? 0])
    }

    @Test func float32PrecisionIsThePlainEmbedding() throws {
        let goldens = try #require(Self.goldens)
        let ours = try Self.encode(["--precision", "float32"], goldens: goldens)
        let python = try #require(goldens.precision["float32"]).values
        #expect(ours.count == python.count)
        for (a, b) in zip(ours, python) { #expect(cosine(a, b) > 0.99999) }
    }

    @Test func normalizeAndTruncateComeBeforeQuantizing() throws {
        let goldens = try #require(Self.goldens)
        let ours = try Self.encode(["--precision", "int8", "--normalize", "--truncate-dim", "64"], goldens: goldens)
        Self.expectIntegers(ours, goldens.int8NormalizedTruncated64.map { $0.map(Double.init) }, "int8 normalized, 64 dimensions")
    }

    @Test func npyHoldsTheQuantizedBytesWithNumPysType() throws {
        let goldens = try #require(Self.goldens)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("binary-\(UUID()).npy")
        defer { try? FileManager.default.removeItem(at: path) }
        _ = try Self.encode(["--precision", "binary", "--format", "npy", "--output", path.path], goldens: goldens)
        let data = try Data(contentsOf: path)
        let headerLength = Int(data[8]) | Int(data[9]) << 8
        let header = String(decoding: data[10..<(10 + headerLength)], as: UTF8.self)
        #expect(header.contains("'descr': '|i1'") && header.contains("'shape': (10, 48)"), "\(header)")
        let bytes = data.dropFirst(10 + headerLength).map { Double(Int8(bitPattern: $0)) }
        #expect(bytes == Array(try #require(goldens.precision["binary"]).values.joined()))
    }

    @Test func tokenEmbeddingsEqualPythons() throws {
        let goldens = try #require(Self.goldens)
        let model = try SbertProcessTests.modelPath()
        let input = Data((goldens.sentences.prefix(3).joined(separator: "\n") + "\n").utf8)
        let floats = try SbertProcessTests.run(["encode", "--model", model, "--output-value", "token_embeddings"], input: input)
        #expect(floats.status == 0, "\(floats.standardError)")
        let matrices = floats.text.split(separator: "\n").map { line in
            ((try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [[NSNumber]] ?? []).map { $0.map(\.doubleValue) }
        }
        #expect(matrices.map(\.count) == goldens.tokenEmbeddings.map(\.count))
        for (ours, python) in zip(matrices, goldens.tokenEmbeddings) {
            for (a, b) in zip(ours, python) { #expect(cosine(a, b) > 0.99999) }
        }
        let packed = try SbertProcessTests.run(["encode", "--model", model, "--output-value", "token_embeddings", "--precision", "ubinary"], input: input)
        let packedMatrices = packed.text.split(separator: "\n").map { line in
            ((try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [[Int]]) ?? []
        }
        #expect(packedMatrices == goldens.tokenEmbeddingsUbinary)
    }

    @Test func maxSeqLengthTruncatesAsPythonsSetter() throws {
        let goldens = try #require(Self.goldens)
        let ours = try Self.encode(["--max-seq-length", "8"], goldens: goldens)
        #expect(ours.count == goldens.maxSeqLength8.count)
        for (a, b) in zip(ours, goldens.maxSeqLength8) { #expect(cosine(a, b) > 0.99999) }
        // The long last sentence is cut: its vector differs from the untruncated one.
        let full = try Self.encode([], goldens: goldens)
        #expect(cosine(full[9], ours[9]) < 0.999)
    }

    @Test func optionsThatCannotTakeEffectAreRefused() throws {
        let model = try SbertProcessTests.modelPath()
        let cases: [([String], String)] = [
            (["--precision", "int8", "one text"], "at least two texts"),
            (["--max-seq-length", "100000", "text"], "max_seq_length 100000"),
            (["--truncate-dim", "999", "text"], "999"),
            (["--decode", "text"], "--decode"),
            (["--max-active-dims", "4", "text"], "--max-active-dims"),
            (["--output-value", "token_embeddings", "--normalize", "text"], "--normalize"),
            (["--output-value", "token_embeddings", "--format", "csv", "text"], "JSON lines"),
        ]
        for (arguments, message) in cases {
            let result = try SbertProcessTests.run(["encode", "--model", model] + arguments)
            #expect(result.status != 0 && result.standardError.contains(message), "\(arguments): \(result.standardError)")
            #expect(result.standardOutput.isEmpty, "\(arguments)")
        }
        let sparse = try TestResources.model("tiny-splade").path
        for flag in [["--normalize"], ["--precision", "binary"], ["--truncate-dim", "4"], ["--output-value", "token_embeddings"]] {
            let result = try SbertProcessTests.run(["encode", "--model", sparse] + flag + ["text"])
            #expect(result.status != 0 && result.standardError.contains("not used by a SparseEncoder"), "\(flag): \(result.standardError)")
        }
    }

    func cosine(_ a: [Double], _ b: [Double]) -> Double {
        let dot = zip(a, b).map(*).reduce(0, +)
        return dot / (a.map { $0 * $0 }.reduce(0, +).squareRoot() * b.map { $0 * $0 }.reduce(0, +).squareRoot())
    }
}
