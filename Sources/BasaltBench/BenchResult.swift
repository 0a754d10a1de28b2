/// The engines every workload runs on.
enum Engine: String, CaseIterable, Sendable {
    case basalt = "Basalt"
    case sqlite = "SQLite"
}

/// One row of the report: the median throughput of a workload on each engine.
struct BenchResult: Sendable, Equatable {
    /// "<suite>.<workload>", e.g. "kv.get".
    var workload: String
    var basalt: Double
    var sqlite: Double
    /// Throughput unit; higher is better.
    var unit: String
    /// basalt / sqlite: above 1 means Basalt is faster.
    var ratio: Double { sqlite > 0 ? basalt / sqlite : .infinity }
}

/// What a suite hands back: its rows plus lines worth printing above the table (settings it chose).
struct SuiteOutcome: Sendable {
    var results: [BenchResult]
    var notes: [String] = []
}

/// Throughput samples of every run, in workload order of first appearance.
struct Samples {
    private var order: [String] = []
    private var units: [String: String] = [:]
    private var values: [String: [Engine: [Double]]] = [:]

    /// Records `operations` done in `seconds` as one run's throughput.
    mutating func record(_ workload: String, _ engine: Engine, operations: Int, seconds: Double, unit: String = "ops/s") {
        if values[workload] == nil {
            order.append(workload)
            units[workload] = unit
        }
        values[workload, default: [:]][engine, default: []].append(Double(operations) / max(seconds, 1e-9))
    }

    /// The median over runs per workload and engine.
    func results() -> [BenchResult] {
        order.map { workload in
            let byEngine = values[workload] ?? [:]
            return BenchResult(
                workload: workload,
                basalt: median(byEngine[.basalt] ?? []),
                sqlite: median(byEngine[.sqlite] ?? []),
                unit: units[workload] ?? "ops/s")
        }
    }
}

/// The median (mean of the middle two for an even count); 0 for no samples.
func median(_ samples: [Double]) -> Double {
    guard !samples.isEmpty else { return 0 }
    let sorted = samples.sorted()
    let mid = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/// Seconds taken by `body`, on the monotonic clock.
func timed(_ body: () throws -> Void) rethrows -> Double {
    let start = ContinuousClock.now
    try body()
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
}

/// A correctness check inside the benchmark failed: the numbers would be meaningless.
struct BenchFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// SplitMix64, so every run and both engines see the same data for a given --seed.
struct BenchRandom: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func bytes(_ count: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        var i = 0
        while i < count {
            var word = next()
            for _ in 0..<min(8, count - i) {
                out[i] = UInt8(truncatingIfNeeded: word)
                word >>= 8
                i += 1
            }
        }
        return out
    }
}
