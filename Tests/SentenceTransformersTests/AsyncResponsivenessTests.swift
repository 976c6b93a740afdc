import Foundation
import SentenceTransformers
import STTestSupport
import Synchronization
import Testing

/// What the async API promises a server that awaits it: cancellation stops an encode between two batches, and two
/// encodes at once leave the cooperative pool free for everything else. Timing-sensitive, so scripts/test.sh runs this
/// suite on its own, after the main suite (whose parallel tests would hold the cooperative threads themselves).
@Suite(.serialized) struct AsyncResponsivenessTests {
    static let model = Result { try SentenceTransformer(directory: try TestResources.model("all-MiniLM-L6-v2")) }

    /// The first `count` sentences of the STS-B training split (both sides of each pair).
    static func sentences(_ count: Int) throws -> [String] {
        let pairs = try STSBenchmark.load(TestResources.fixture("data/stsbenchmark/sts-train.csv"))
        return Array(pairs.lazy.flatMap { [$0.first, $0.second] }.prefix(count))
    }

    /// Seconds on the monotonic clock.
    static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    @Test func cancellingAnAsyncEncodeStopsWithinOneBatch() async throws {
        let model = try Self.model.get()
        let texts = try Self.sentences(4000)
        #expect(texts.count == 4000)
        // Each batch's end, as the progress callback reports it from the worker thread.
        let batchEnds = Mutex<[Double]>([])
        let start = Self.now()
        let encode = Task {
            try await model.encode(texts, batchSize: 32) { _, _ in
                let time = Self.now()
                batchEnds.withLock { $0.append(time) }
            }
        }
        try await Task.sleep(for: .milliseconds(300))
        let cancelled = Self.now()
        encode.cancel()
        let result = await encode.result
        let stopped = Self.now()
        #expect(throws: CancellationError.self) { try result.get() }
        let ends = batchEnds.withLock { $0 }
        // The longest batch seen (the first ones hold the longest texts), or the time before the first one ended.
        let longestBatch = zip([start] + ends, ends).map { $1 - $0 }.max() ?? (stopped - start)
        #expect(ends.count < 4000 / 32, "the encode ran to its end before it was cancelled")
        #expect(stopped - cancelled <= longestBatch + 0.1,
                "stopped \(Int((stopped - cancelled) * 1000)) ms after the cancel; a batch takes up to \(Int(longestBatch * 1000)) ms")
        // No batch runs after the call has thrown: the count of finished batches stays where it is.
        try await Task.sleep(for: .seconds(max(0.5, 3 * longestBatch)))
        #expect(batchEnds.withLock { $0.count } == ends.count, "a worker kept computing after the cancellation")
    }

    @Test func twoAsyncEncodesLeaveTheCooperativePoolFree() async throws {
        let model = try Self.model.get()
        let texts = try Self.sentences(1500)
        let ticking = Atomic<Bool>(true)
        // A task that wants to run every 10 ms: how late does it get while two encodes run?
        let ticker = Task { () -> (ticks: Int, latest: Double) in
            var ticks = 0, latest = 0.0
            while ticking.load(ordering: .relaxed) {
                let before = Self.now()
                try? await Task.sleep(for: .milliseconds(10))
                latest = max(latest, Self.now() - before - 0.010)
                ticks += 1
            }
            return (ticks, latest)
        }
        let start = Self.now()
        async let first = model.encode(Array(texts[..<750]))
        async let second = model.encode(Array(texts[750...]))
        let (a, b) = try await (first, second)
        let seconds = Self.now() - start
        ticking.store(false, ordering: .relaxed)
        let (ticks, latest) = await ticker.value
        #expect(a.count == 750 && b.count == 750)
        #expect(seconds > 1, "the encodes took \(seconds) s: too short to show anything")
        #expect(latest <= 0.25, "a 10 ms tick was \(Int(latest * 1000)) ms late during \(String(format: "%.1f", seconds)) s of encoding")
        #expect(ticks >= Int(seconds / 0.05), "\(ticks) ticks in \(seconds) s")
    }
}
