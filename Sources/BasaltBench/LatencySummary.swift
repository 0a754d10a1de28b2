import Dispatch

/// The monotonic clock in nanoseconds (cheap enough to read around every operation: a vDSO call).
@inline(__always)
func monotonicNanoseconds() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

/// Per-operation latencies of one run of a workload on one engine: the median, the 99th and 99.9th
/// percentiles and the worst. Throughput alone hides stalls, such as a checkpoint that holds up every
/// other thread while it writes back pages.
struct LatencySummary: Sendable {
    var p50: Double
    var p99: Double
    var p999: Double
    var max: Double
    /// Operations summarised (the median count for a median of runs).
    var count: Int

    /// Summarises `nanoseconds` (any order; sorted here); nil for no samples.
    init?(nanoseconds: [UInt64]) {
        guard !nanoseconds.isEmpty else { return nil }
        let sorted = nanoseconds.sorted()
        func at(_ fraction: Double) -> Double {
            Double(sorted[min(sorted.count - 1, Int(Double(sorted.count) * fraction))]) / 1000
        }
        p50 = at(0.5)
        p99 = at(0.99)
        p999 = at(0.999)
        max = Double(sorted[sorted.count - 1]) / 1000
        count = sorted.count
    }

    /// The field-wise median of several runs' summaries.
    init?(medianOf runs: [LatencySummary]) {
        guard !runs.isEmpty else { return nil }
        p50 = median(runs.map(\.p50))
        p99 = median(runs.map(\.p99))
        p999 = median(runs.map(\.p999))
        max = median(runs.map(\.max))
        count = Int(median(runs.map { Double($0.count) }))
    }

    /// "p50 / p99 / p99.9 / max" in microseconds.
    var text: String {
        func us(_ value: Double) -> String { value < 10 ? String(format: "%.1f", value) : String(format: "%.0f", value) }
        return "\(us(p50)) / \(us(p99)) / \(us(p999)) / \(us(max))"
    }
}

/// Latency summaries of every run, per workload, operation kind and engine, in order of first appearance.
struct LatencySamples {
    private var order: [String] = []
    private var runs: [String: [Engine: [LatencySummary]]] = [:]

    mutating func record(_ name: String, _ engine: Engine, _ summary: LatencySummary?) {
        guard let summary else { return }
        if runs[name] == nil { order.append(name) }
        runs[name, default: [:]][engine, default: []].append(summary)
    }

    /// One line per name: each engine's medians over runs.
    func lines(prefix: String) -> [String] {
        order.compactMap { name in
            guard let basalt = LatencySummary(medianOf: runs[name]?[.basalt] ?? []),
                  let sqlite = LatencySummary(medianOf: runs[name]?[.sqlite] ?? []) else { return nil }
            return "\(prefix)\(name) µs p50 / p99 / p99.9 / max: Basalt \(basalt.text); SQLite \(sqlite.text)"
        }
    }
}
