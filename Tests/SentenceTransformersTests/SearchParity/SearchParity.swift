import Foundation
import SentenceTransformers
import Testing

/// Checks shared by the search parity suites.
enum SearchParity {
    /// Rows of floats (float32 values written as decimals) as ``Embeddings`` of `dimension` columns.
    static func embeddings(_ rows: [[Double]], dimension: Int) -> Embeddings {
        Embeddings(uncheckedValues: rows.flatMap { $0.map(Float.init) }, dimension: dimension)
    }

    /// Within float32 rounding of a score of this size (the reference multiplies in a different order).
    static func close(_ a: Double, _ b: Double, tolerance: Double = 2e-6) -> Bool {
        abs(a - b) <= tolerance * max(1, abs(b))
    }

    /// Our hits equal the reference's up to the order of tied scores: as many hits; at every rank the reference's score;
    /// each hit a distinct corpus row whose score (in the reference's full `scores` row) is that rank's score; and
    /// where no other row ties with the reference's hit, the very same row.
    static func expectSameHits(_ ours: [SearchHit], reference: [[Double]], scores: [Double], tolerance: Double = 2e-6,
                               _ context: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(ours.count == reference.count, "\(context): \(ours.count) hits, the reference \(reference.count)", sourceLocation: sourceLocation)
        #expect(Set(ours.map(\.corpusID)).count == ours.count, "\(context): a row found twice", sourceLocation: sourceLocation)
        for (rank, (hit, expected)) in zip(ours, reference).enumerated() {
            let (id, score) = (Int(expected[0]), expected[1])
            #expect(close(Double(hit.score), score, tolerance: tolerance),
                    "\(context) rank \(rank): score \(hit.score), the reference \(score)", sourceLocation: sourceLocation)
            #expect(scores.indices.contains(hit.corpusID) && close(scores[hit.corpusID], score, tolerance: tolerance),
                    "\(context) rank \(rank): row \(hit.corpusID) does not score \(score)", sourceLocation: sourceLocation)
            let tied = scores.indices.filter { close(scores[$0], score, tolerance: 2 * tolerance) }
            if tied.count == 1 {
                #expect(hit.corpusID == id, "\(context) rank \(rank): row \(hit.corpusID), the reference \(id)", sourceLocation: sourceLocation)
            }
        }
    }

    /// `labels` and `reference` split the rows into the same groups (cluster numbers may differ).
    static func samePartition(_ labels: [Int], _ reference: [Int]) -> Bool {
        guard labels.count == reference.count else { return false }
        var forward: [Int: Int] = [:], backward: [Int: Int] = [:]
        for (a, b) in zip(labels, reference) {
            if forward[a, default: b] != b || backward[b, default: a] != a { return false }
            forward[a] = b
            backward[b] = a
        }
        return true
    }
}
