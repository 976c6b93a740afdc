import Foundation
import STTestSupport
import SentenceTransformers
import Testing

/// One file of `Tests/Fixtures/search-parity/` (made by `make_goldens.py` there with sentence-transformers 6.2.0):
/// the reference's version line and its cases, each with the inputs the reference saw and what it returned.
struct SearchGolden<Case: Decodable>: Decodable {
    struct Provenance: Decodable {
        var sentence_transformers: String
    }

    var provenance: Provenance
    var cases: [Case]

    static func load(_ file: String) throws -> SearchGolden {
        let data = try Data(contentsOf: TestResources.fixture("search-parity").appendingPathComponent(file))
        return try JSONDecoder().decode(SearchGolden.self, from: data)
    }

    /// The cases, or none when the file is missing or unreadable (each suite's `goldenLoads` test then fails).
    static func cases(_ file: String) -> [Case] { (try? load(file).cases) ?? [] }
}
