import Foundation
import STTestSupport
import Testing

/// `sbert eval sts|binary|triplet --format json` against sentence-transformers 6.2's evaluators on the same data
/// (Tests/Fixtures/evaluator-keys, made by its make_goldens.py): the same keys, none more and none fewer, with the
/// model's similarity function and with all four (`--similarity-fn-names`, which adds the `max_` keys), and the same
/// values.
@Suite struct EvaluatorKeysTests {
    static let fixtures = TestResources.fixture("evaluator-keys")

    static func goldens() throws -> [String: Any] {
        let data = try Data(contentsOf: fixtures.appendingPathComponent("goldens.json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test(arguments: [("sts", "sts.csv"), ("binary", "pairs.tsv"), ("triplet", "triplets.tsv")])
    func keysAndValuesEqualPythons(task: String, file: String) throws {
        let goldens = try Self.goldens()
        for (suffix, extra) in [("default", [String]()), ("all", ["--similarity-fn-names", "cosine", "dot", "euclidean", "manhattan"])] {
            let python = try #require(goldens["\(task)_\(suffix)"] as? [String: Double])
            let result = try SbertProcessTests.run(["eval", task, "--model", try SbertProcessTests.modelPath(), "--format", "json",
                                                    "--data", Self.fixtures.appendingPathComponent(file).path] + extra)
            #expect(result.status == 0, "\(result.standardError)")
            let ours = try #require(try JSONSerialization.jsonObject(with: result.standardOutput) as? [String: Double])
            #expect(ours.keys.sorted() == python.keys.sorted(), "\(task) \(suffix)")
            for (key, value) in python {
                #expect(abs((ours[key] ?? .nan) - value) < 1e-4, "\(task) \(suffix) \(key): ours \(ours[key] ?? .nan), Python \(value)")
            }
        }
    }

    @Test func unknownFunctionsAreRefused() throws {
        let result = try SbertProcessTests.run(["eval", "sts", "--model", try SbertProcessTests.modelPath(),
                                                "--data", Self.fixtures.appendingPathComponent("sts.csv").path, "--similarity-fn-names", "cosin"])
        #expect(result.status != 0 && result.standardError.contains("unknown similarity function 'cosin'"), "\(result.standardError)")
    }
}
