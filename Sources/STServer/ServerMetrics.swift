import Foundation
import Synchronization

/// Counters and histograms exported at `/metrics` in the Prometheus text format, named as text-embeddings-inference
/// names them (`te_request_count`, `te_request_duration`, `te_queue_size`, `te_batch_next_size`, …).
final class ServerMetrics: Sendable {
    struct State {
        var requests: [String: Int] = [:]
        var successes: [String: Int] = [:]
        var failures: [String: Int] = [:]
        var durations: [String: Histogram] = [:]
        var batchSizes = Histogram(bounds: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512])
        var batchTokens = Histogram(bounds: [16, 64, 256, 1024, 4096, 16384, 65536])
        var queued = 0
    }

    struct Histogram {
        var bounds: [Double]
        var counts: [Int]
        var sum = 0.0
        var total = 0

        init(bounds: [Double]) {
            self.bounds = bounds
            counts = Array(repeating: 0, count: bounds.count)
        }

        mutating func observe(_ value: Double) {
            for (index, bound) in bounds.enumerated() where value <= bound { counts[index] += 1 }
            sum += value
            total += 1
        }
    }

    private let state = Mutex(State())
    static let latencyBounds = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    func recordRequest(route: String, seconds: Double, success: Bool) {
        state.withLock { state in
            state.requests[route, default: 0] += 1
            if success { state.successes[route, default: 0] += 1 } else { state.failures[route, default: 0] += 1 }
            state.durations[route, default: Histogram(bounds: Self.latencyBounds)].observe(seconds)
        }
    }

    func recordBatch(requests: Int, tokens: Int) {
        state.withLock { state in
            state.batchSizes.observe(Double(requests))
            state.batchTokens.observe(Double(tokens))
        }
    }

    func setQueued(_ count: Int) { state.withLock { $0.queued = count } }

    var text: String {
        state.withLock { state in
            var lines: [String] = []
            func counter(_ name: String, _ values: [String: Int]) {
                lines.append("# TYPE \(name) counter")
                for (route, value) in values.sorted(by: { $0.key < $1.key }) { lines.append("\(name){method=\"\(route)\"} \(value)") }
            }
            func histogram(_ name: String, _ value: Histogram, labels: String = "") {
                let prefix = labels.isEmpty ? "" : labels + ","
                for (bound, count) in zip(value.bounds, value.counts) { lines.append("\(name)_bucket{\(prefix)le=\"\(bound)\"} \(count)") }
                lines.append("\(name)_bucket{\(prefix)le=\"+Inf\"} \(value.total)")
                lines.append("\(name)_sum\(labels.isEmpty ? "" : "{\(labels)}") \(value.sum)")
                lines.append("\(name)_count\(labels.isEmpty ? "" : "{\(labels)}") \(value.total)")
            }
            counter("te_request_count", state.requests)
            counter("te_request_success", state.successes)
            counter("te_request_failure", state.failures)
            lines.append("# TYPE te_request_duration histogram")
            for (route, value) in state.durations.sorted(by: { $0.key < $1.key }) { histogram("te_request_duration", value, labels: "method=\"\(route)\"") }
            lines.append("# TYPE te_queue_size gauge")
            lines.append("te_queue_size \(state.queued)")
            lines.append("# TYPE te_batch_next_size histogram")
            histogram("te_batch_next_size", state.batchSizes)
            lines.append("# TYPE te_batch_next_tokens histogram")
            histogram("te_batch_next_tokens", state.batchTokens)
            return lines.joined(separator: "\n") + "\n"
        }
    }
}
