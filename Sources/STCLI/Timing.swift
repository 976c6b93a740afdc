import Foundation

/// Wall-clock helpers shared by the benchmarks.
package enum Timing {
    /// Seconds elapsed since `start` (monotonic clock).
    package static func seconds(since start: DispatchTime) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    }

    /// The `fraction` percentile of ascending `sorted` values, interpolated linearly (NumPy's default); 0 when empty.
    package static func percentile(_ sorted: [Double], _ fraction: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let position = fraction * Double(sorted.count - 1)
        let lower = Int(position.rounded(.down)), upper = Int(position.rounded(.up))
        return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - Double(lower))
    }
}
