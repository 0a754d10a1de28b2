// The kv suite: bulk load, random point gets and short range scans over random fixed-size keys.
//
//   kv.load  all pairs in one batch (Basalt putBatch; SQLite BEGIN, one INSERT per pair in generated
//            (random) order, COMMIT), durable at the end; throughput = rows/s
//   kv.get   --gets point lookups of random existing keys; gets/s
//   kv.scan  --scans scans, each seeking to a random existing key and reading the next --scan-length
//            pairs (touching key and value bytes); scans/s
//
// Each run opens fresh database files per engine and runs load, get, scan on that handle in order.
// Results are checked against the generated data (rows found, bytes seen), so a wrong engine fails the
// benchmark instead of looking fast.
import ArgumentParser
import Basalt

struct KVOptions: ParsableArguments {
    @Option(help: "Number of key-value pairs loaded.")
    var keys = 1_000_000

    @Option(help: "Number of random point lookups.")
    var gets = 200_000

    @Option(help: "Number of range scans.")
    var scans = 2_000

    @Option(name: .customLong("scan-length"), help: "Pairs read per scan.")
    var scanLength = 100

    @Option(name: .customLong("value-size"), help: "Value size in bytes.")
    var valueSize = 100

    @Option(name: .customLong("key-size"), help: "Key size in bytes (random bytes).")
    var keySize = 16

    func validate() throws {
        guard keys >= 1 else { throw ValidationError("--keys must be at least 1") }
        guard gets >= 0, scans >= 0, scanLength >= 1 else {
            throw ValidationError("--gets and --scans must be >= 0, --scan-length >= 1")
        }
        guard valueSize >= 0 else { throw ValidationError("--value-size must be >= 0") }
        // Random keys must be distinct with room to spare.
        guard keySize >= 1, keySize >= 8 || Double(keys) * 4 <= pow256(keySize) else {
            throw ValidationError("--key-size \(keySize) is too small for \(keys) distinct random keys")
        }
    }

    private func pow256(_ n: Int) -> Double { (0..<n).reduce(1.0) { value, _ in value * 256 } }
}

struct KVCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "kv", abstract: "Key-value load, get and scan.")

    @OptionGroup var common: CommonOptions
    @OptionGroup var kv: KVOptions

    func run() throws {
        try runSuites([KVSuite(options: kv)], common: common)
    }
}

struct KVSuite: BenchSuite {
    let options: KVOptions

    func run(_ context: BenchContext) throws -> SuiteOutcome {
        context.progress.say("kv: generating \(options.keys) pairs (seed \(context.common.seed))")
        let data = KVData(options, seed: context.common.seed)
        var samples = Samples()
        var sqliteSettings = ""
        for run in 1...context.runs {
            // Alternate which engine goes first, so neither always gets the colder machine.
            let engines: [Engine] = run % 2 == 1 ? [.basalt, .sqlite] : [.sqlite, .basalt]
            for engine in engines {
                try context.withFreshDirectory("kv-run\(run)-\(engine.rawValue.lowercased())") { dir in
                    let say = { (workload: String) in
                        context.progress.say("kv run \(run)/\(context.runs) \(engine.rawValue): \(workload)")
                    }
                    switch engine {
                    case .basalt:
                        let kv = try BasaltKV(path: dir + "/basalt.db", cacheBytes: context.cacheBytes, pageSize: context.pageSize)
                        try runWorkloads(kv, data, &samples, say)
                    case .sqlite:
                        let kv = try SQLiteKV(path: dir + "/sqlite.db", cacheBytes: context.cacheBytes)
                        if sqliteSettings.isEmpty {
                            let synchronous = try kv.integer("PRAGMA synchronous")
                            sqliteSettings = "kv: SQLite synchronous=\(synchronous)\(synchronous == 2 ? " (FULL)" : ""), "
                                + "page_size=\(try kv.integer("PRAGMA page_size")); Basalt pageSize=\(Config().pageSize)"
                        }
                        try runWorkloads(kv, data, &samples, say)
                    }
                }
            }
        }
        let shape = "kv: keys=\(options.keys) × \(options.keySize) B, values \(options.valueSize) B, "
            + "gets=\(options.gets), scans=\(options.scans) × \(options.scanLength)"
        return SuiteOutcome(results: samples.results(), notes: [shape, sqliteSettings])
    }

    /// load, get, scan on one freshly opened engine; records one sample each and verifies the results.
    private func runWorkloads<E: KVEngine>(
        _ kv: E, _ data: KVData, _ samples: inout Samples, _ say: (String) -> Void
    ) throws {
        let engine = E.engine

        say("load \(data.pairs.count) pairs")
        let loadSeconds = try timed { try kv.load(data.pairs) }
        samples.record("kv.load", engine, operations: data.pairs.count, seconds: loadSeconds)

        say("get \(data.getOrder.count) keys")
        var found = 0
        var getSum: UInt64 = 0
        let getSeconds = try timed {
            for index in data.getOrder {
                if try kv.get(data.keys[index], { getSum &+= touch($0) }) { found += 1 }
            }
        }
        guard found == data.getOrder.count else {
            throw BenchFailure("kv.get on \(engine.rawValue): found \(found) of \(data.getOrder.count) existing keys")
        }
        guard getSum == data.expectedGetSum else {
            throw BenchFailure("kv.get on \(engine.rawValue): the values read differ from the values loaded")
        }
        samples.record("kv.get", engine, operations: data.getOrder.count, seconds: getSeconds)

        say("scan \(data.scanStarts.count) × \(options.scanLength)")
        var rows = 0
        var scanSum: UInt64 = 0
        let scanSeconds = try timed {
            for index in data.scanStarts {
                rows += try kv.scan(from: data.keys[index], limit: options.scanLength) { key, value in
                    scanSum &+= touch(key) &+ touch(value)
                }
            }
        }
        guard rows == data.expectedScanRows else {
            throw BenchFailure("kv.scan on \(engine.rawValue): visited \(rows) pairs, expected \(data.expectedScanRows)")
        }
        guard scanSum == data.expectedScanSum else {
            throw BenchFailure("kv.scan on \(engine.rawValue): the pairs visited differ from the loaded pairs in key order")
        }
        samples.record("kv.scan", engine, operations: data.scanStarts.count, seconds: scanSeconds)

        try kv.close()
    }
}

/// Reads the first and last byte and the length: cheap, but every row's bytes must really be there.
@inline(__always)
func touch(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
    guard let first = bytes.first, let last = bytes.last else { return 0 }
    return UInt64(first) &* 257 &+ UInt64(last) &* 65_537 &+ UInt64(bytes.count)
}

/// The generated data set and access sequences, shared by every run and engine, with the results a
/// correct engine must produce.
final class KVData {
    let keys: [[UInt8]]
    let pairs: [([UInt8], [UInt8])]
    /// Indexes into `keys` of the keys to get, in order.
    let getOrder: [Int]
    /// Indexes into `keys` of the scan start keys, in order.
    let scanStarts: [Int]
    let expectedGetSum: UInt64
    let expectedScanRows: Int
    let expectedScanSum: UInt64

    init(_ options: KVOptions, seed: UInt64) {
        var random = BenchRandom(seed: seed)
        var keys = (0..<options.keys).map { _ in random.bytes(options.keySize) }
        // Sort once to find duplicates (redrawn until none) and each key's rank for the scan model.
        var sorted: [Int]
        while true {
            sorted = Array(keys.indices)
            sorted.sort { keys[$0].lexicographicallyPrecedes(keys[$1]) }
            var duplicates: [Int] = []
            for i in 1..<max(sorted.count, 1) where keys[sorted[i]] == keys[sorted[i - 1]] { duplicates.append(sorted[i]) }
            if duplicates.isEmpty { break }
            for index in duplicates { keys[index] = random.bytes(options.keySize) }
        }
        let values = (0..<options.keys).map { _ in random.bytes(options.valueSize) }
        self.keys = keys
        pairs = Array(zip(keys, values))

        getOrder = (0..<options.gets).map { _ in Int.random(in: 0..<keys.count, using: &random) }
        scanStarts = (0..<options.scans).map { _ in Int.random(in: 0..<keys.count, using: &random) }

        var getSum: UInt64 = 0
        for index in getOrder { values[index].withUnsafeBytes { getSum &+= touch($0) } }
        expectedGetSum = getSum

        var rank = [Int](repeating: 0, count: keys.count)
        for (position, index) in sorted.enumerated() { rank[index] = position }
        var scanRows = 0
        var scanSum: UInt64 = 0
        for start in scanStarts {
            let from = rank[start]
            let to = min(from + options.scanLength, sorted.count)
            scanRows += to - from
            for index in sorted[from..<to] {
                keys[index].withUnsafeBytes { scanSum &+= touch($0) }
                values[index].withUnsafeBytes { scanSum &+= touch($0) }
            }
        }
        expectedScanRows = scanRows
        expectedScanSum = scanSum
    }
}
