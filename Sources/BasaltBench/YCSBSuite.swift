// The ycsb suite: YCSB core workloads A, B and C over one loaded table, from 1 and 2 client threads.
//
//   ycsb.load      all records in one batch (Basalt putBatch; SQLite BEGIN, one INSERT per record in
//                  generation order, COMMIT), durable at the end; records/s
//   ycsb.A.t<N>    50% reads / 50% updates (YCSB workload A, "update heavy"); ops/s
//   ycsb.B.t<N>    95% reads /  5% updates (workload B, "read mostly"); ops/s
//   ycsb.C.t<N>    100% reads (workload C, "read only"); ops/s
//
// Data, as YCSB's CoreWorkload with its defaults except the record size: --records records, record i
// under the key "user" + the decimal FNV-1a 64 hash of i (YCSB insertorder=hashed, zeropadding=1), each
// with ONE field of --ycsb-value-size bytes (default 100) instead of YCSB's ten 100-byte fields: a
// 1 KB record would make the 1,000,000-record load 10× larger (about 1 GB per engine per run), which
// does not fit the CI / VM time and disk budget, and the engines' per-operation work (lookup, one
// durable commit) is the same. The first 8 bytes of every value hold the record number, so every read
// checks that it got its own record; the rest is random.
//
// Requests: YCSB's scrambled zipfian (constant 0.99, hashed ranks, see ZipfianGenerator.swift) over the
// records; read or update chosen per operation with the workload's proportions, as YCSB does. Each
// (workload, thread count) has its own sequences, derived from --seed, the workload, the thread count
// and the thread index, so every run and both engines replay exactly the same requests.
//   read    point get of the key; the value's length and record number are checked and its bytes touched
//   update  blind overwrite of the whole value with new random bytes (same record number), one durable
//           single-key commit (YCSB's update writes one field; here the record is that field)
// N threads split the operations evenly; throughput = total operations / wall time until the slowest
// thread is done.
//
// Engines: Basalt as one Database shared by all threads (default SyncMode.full: each update is durable
// before put returns; concurrent commits share a sync). SQLite in WAL mode with synchronous=FULL (the
// same durability), one connection per thread (WAL readers run concurrently), statements prepared once
// per connection, autocommit SELECT / UPDATE, cache_size equal to the cache budget on each connection,
// busy_timeout 60 s: SQLite allows one writer at a time, and a writer finding the WAL write lock taken
// naps in SQLite's busy handler (1, 2, 5, 10 ... ms) and retries.
// Two cross-checks of that choice (2-core VM, 1,000,000 records, median of 3 runs; the default was
// SQLite's fastest setup on A.t2 back to back, and neither alternative changes t1 or C much):
//   --sqlite-writer-mutex       writers first queue on an in-process mutex, so a waiting writer starts
//                               as soon as the previous commit is done: 35-50% less A.t2 throughput,
//                               because both connections then commit in tight alternation and each
//                               commit makes the other connection drop its whole page cache at its next
//                               read (WAL change detection); the busy handler's naps let one connection
//                               run alone with a warm cache instead
//   --sqlite-shared-connection  one connection for all threads behind a mutex (CommitSuite's setup):
//                               10-25% less on A.t2 and B.t2
// and one of Basalt's: --basalt-inline-checkpoints takes each checkpoint on the write that finds it due,
// in one go, holding up every other thread meanwhile (before the thirteenth session, the only way).
// Each run also reports per-operation latencies (p50 / p99 / p99.9 / max) of reads and updates.
//
// Defaults: 1,000,000 records of 100 bytes, 200,000 operations per run of B and C, 50,000 of A
// (--operations / 4), threads 1 and 2. One run of the whole suite takes about 45 s on the 2-core CI VM
// (loads about 4 s for Basalt, 8 s for SQLite), --runs 3 about 2 min 15 s; the process peaks at about
// 650 MB of memory and each engine's files at about 220 MB.
//
// Each run loads fresh files for both engines, side by side, then runs every workload and thread count
// on those databases in the order A, B, C (t1 before t2), as a YCSB session does after one load phase.
// Each step (the load, each workload) runs on one engine and then the other, the order alternating
// from step to step and run to run, so both engines' figures for a step come from the same minute of a
// VM whose speed drifts. After the workloads every record must still be there.
import ArgumentParser
import Basalt
import CSQLite
import Foundation
import Synchronization

struct YCSBOptions: ParsableArguments {
    @Option(help: "Records loaded (YCSB recordcount).")
    var records = 1_000_000

    // Named with a prefix: `basalt-bench all` merges every suite's options, and the kv suite already has
    // --value-size (the commit suite --threads).
    @Option(name: .customLong("ycsb-value-size"), help: "Bytes per record: one field (YCSB: 10 fields × 100 bytes).")
    var valueSize = 100

    @Option(help: "Operations per run of workloads B and C, split across the threads (YCSB operationcount).")
    var operations = 200_000

    // A is 50% durable updates, each 10-100× the cost of a read: with a quarter of the operations a run
    // of A takes about as long as one of B (a few seconds per engine and thread count).
    @Option(name: .customLong("operations-a"), help: "Operations per run of workload A, half of them durable updates (default: --operations / 4).")
    var operationsA: Int?

    @Option(name: .customLong("ycsb-threads"), help: "Client thread counts, comma-separated.")
    var threads = "1,2"

    @Option(help: "Workloads to run, comma-separated, from A, B, C.")
    var workloads = "A,B,C"

    @Flag(help: "Cross-check: SQLite writers queue on an in-process mutex before their UPDATE (default: busy_timeout only).")
    var sqliteWriterMutex = false

    @Flag(help: "Cross-check: SQLite uses one connection shared by all threads behind a mutex instead of one per thread.")
    var sqliteSharedConnection = false

    @Flag(help: "Cross-check: Basalt takes each checkpoint on the write that finds it due, in one go, instead of on its background thread in steps (Config.backgroundCheckpoints = false).")
    var basaltInlineCheckpoints = false

    var threadCounts: [Int] { threads.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) } }

    var selectedWorkloads: [YCSBWorkload] {
        let names = Set(workloads.uppercased().split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        return YCSBWorkload.all.filter { names.contains($0.name) }
    }

    func validate() throws {
        guard records >= 2, records <= Int(Int32.max) else { throw ValidationError("--records must be from 2 to \(Int32.max)") }
        // 8 bytes of record number plus at least 8 random ones, so every update really changes the value
        // (SQLite skips writing a row whose new bytes equal the old ones: no commit to sync).
        guard valueSize >= 16 else { throw ValidationError("--ycsb-value-size must be at least 16 (record number + new bytes)") }
        guard operations >= 1, (operationsA ?? 1) >= 1 else { throw ValidationError("--operations and --operations-a must be at least 1") }
        guard !threadCounts.isEmpty, threadCounts.allSatisfy({ $0 >= 1 && $0 <= 64 }) else {
            throw ValidationError("--ycsb-threads must list counts from 1 to 64")
        }
        let names = workloads.uppercased().split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard !names.isEmpty, names.allSatisfy({ name in YCSBWorkload.all.contains { $0.name == name } }) else {
            throw ValidationError("--workloads must list names from A, B, C")
        }
    }

    /// Operations of one run of `workload` (all threads together, before rounding to a multiple of them).
    func operations(for workload: YCSBWorkload) -> Int {
        workload.name == "A" ? workloadAOperations : operations
    }

    var workloadAOperations: Int { operationsA ?? max(1, operations / 4) }
}

struct YCSBCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ycsb", abstract: "YCSB workloads A, B, C (zipfian keys) from 1 and 2 threads.")

    @OptionGroup var common: CommonOptions
    @OptionGroup var ycsb: YCSBOptions

    func run() throws {
        try runSuites([YCSBSuite(options: ycsb)], common: common)
    }
}

/// A YCSB core workload: its letter and the share of reads (the rest are updates).
struct YCSBWorkload: Sendable {
    var name: String
    var readProportion: Double

    static let all = [
        YCSBWorkload(name: "A", readProportion: 0.5),
        YCSBWorkload(name: "B", readProportion: 0.95),
        YCSBWorkload(name: "C", readProportion: 1.0),
    ]
}

struct YCSBSuite: BenchSuite {
    let options: YCSBOptions

    func run(_ context: BenchContext) throws -> SuiteOutcome {
        let seed = context.common.seed
        context.progress.say("ycsb: generating \(options.records) records and the request sequences (seed \(seed))")
        let data = YCSBData(records: options.records, valueSize: options.valueSize, seed: seed)
        try data.checkDistinctKeys()
        var plans: [YCSBPlan] = []
        for workload in options.selectedWorkloads {
            for threads in options.threadCounts {
                plans.append(YCSBPlan(workload: workload, threads: threads, operations: options.operations(for: workload),
                                      records: options.records, seed: seed))
            }
        }
        let maxThreads = options.threadCounts.max() ?? 1

        var samples = Samples()
        var latencies = LatencySamples()
        // Basalt's group commit per plan, summed over runs: updates (each one commit), log syncs, partner
        // waits, joined waits.
        var grouping: [String: (commits: Int, syncs: Int, waits: Int, joined: Int)] = [:]
        for run in 1...context.runs {
            // Both engines side by side; each step (the load, then each plan) runs on one engine and
            // then the other, the order alternating, so both figures of a step come from the same
            // minute of a machine whose speed drifts.
            let first: [Engine] = run % 2 == 1 ? [.basalt, .sqlite] : [.sqlite, .basalt]
            let order = { (step: Int) -> [Engine] in step % 2 == 0 ? first : first.reversed() }
            try context.withFreshDirectory("ycsb-run\(run)") { dir in
                let say = { (step: String) in context.progress.say("ycsb run \(run)/\(context.runs): \(step)") }
                let kv = try BasaltKV(path: dir + "/basalt.db", cacheBytes: context.cacheBytes, pageSize: context.pageSize,
                                      backgroundCheckpoints: !options.basaltInlineCheckpoints)
                let path = dir + "/sqlite.db"
                let loader = try SQLiteKV(path: path, cacheBytes: context.cacheBytes)
                try loader.execute("PRAGMA synchronous=FULL")
                say("load \(options.records) records")
                for engine in order(0) {
                    let seconds = try timed {
                        if engine == .basalt { try kv.load(data.pairs) } else { try loader.load(data.pairs) }
                    }
                    samples.record("ycsb.load", engine, operations: options.records, seconds: seconds, unit: "records/s")
                }
                try loader.close()
                let basaltClients = Array(repeating: BasaltYCSBClient(database: kv.database, data: data), count: maxThreads)
                let lock = SQLiteLock(options.sqliteSharedConnection ? .everything : options.sqliteWriterMutex ? .updates : .nothing)
                let sqliteConnections = try (0..<(options.sqliteSharedConnection ? 1 : maxThreads)).map { _ in
                    try SQLiteYCSBClient(path: path, cacheBytes: context.cacheBytes, data: data, lock: lock)
                }
                defer { for client in sqliteConnections { client.close() } }
                let sqliteClients = options.sqliteSharedConnection
                    ? Array(repeating: sqliteConnections[0], count: maxThreads) : sqliteConnections
                for (step, plan) in plans.enumerated() {
                    say("\(plan.workloadName) \(plan.totalOperations) operations on \(plan.threads) thread(s)")
                    for engine in order(step + 1) {
                        let before = engine == .basalt ? try kv.database.statistics() : nil
                        let (seconds, reads, updates) = engine == .basalt
                            ? try runPlan(plan, Array(basaltClients.prefix(plan.threads)), engine, data)
                            : try runPlan(plan, Array(sqliteClients.prefix(plan.threads)), engine, data)
                        if let before, let updates, updates.count > 0 {
                            let after = try kv.database.statistics()
                            var sums = grouping[plan.workloadName] ?? (0, 0, 0, 0)
                            sums.commits += updates.count
                            sums.syncs += after.logSyncs - before.logSyncs
                            sums.waits += after.groupCommitWaits - before.groupCommitWaits
                            sums.joined += after.groupCommitPartners - before.groupCommitPartners
                            grouping[plan.workloadName] = sums
                        }
                        samples.record(plan.workloadName, engine, operations: plan.totalOperations, seconds: seconds)
                        latencies.record(plan.workloadName + " read", engine, reads)
                        latencies.record(plan.workloadName + " update", engine, updates)
                    }
                }
                var count = 0
                try kv.database.scan { _ in
                    count += 1
                    return true
                }
                try kv.close()
                try checkCount(count, .basalt)
                try checkCount(try sqliteConnections[0].count(), .sqlite)
            }
        }

        let shape = "ycsb: records=\(options.records), key \"user\"+decimal FNV-1a 64 hash of the record number (YCSB insertorder=hashed), "
            + "one \(options.valueSize)-byte field per record (YCSB default: 10 × 100 B); scrambled zipfian (0.99) requests; "
            + "operations per run: A=\(options.workloadAOperations), B/C=\(options.operations), split across \(options.threads) threads; "
            + "throughput = operations / wall time of the slowest thread"
        let connections = options.sqliteSharedConnection
            ? "ONE connection shared by all threads behind a mutex (cache_size=-\(context.cacheBytes >> 10) KiB)"
            : "one connection per thread (cache_size=-\(context.cacheBytes >> 10) KiB each), writers "
                + (options.sqliteWriterMutex ? "queued on an in-process mutex" : "waiting in SQLite's busy handler")
        let engines = "ycsb: Basalt one shared Database, SyncMode.full, pageSize=\(context.pageSize), checkpoints "
            + (options.basaltInlineCheckpoints ? "inline on the writing thread" : "in steps on the background thread")
            + "; SQLite journal_mode=WAL, "
            + "synchronous=FULL, autocommit SELECT/UPDATE, busy_timeout=60 s, " + connections
        let pairing = "ycsb: both engines open side by side in each run; the load and each workload run on one engine "
            + "and then the other, the order alternating"
        let groupLines = plans.compactMap { plan -> String? in
            guard let g = grouping[plan.workloadName] else { return nil }
            let perSync = g.syncs > 0 ? Double(g.commits) / Double(g.syncs) : 0
            return "group commit \(plan.workloadName): Basalt \(String(format: "%.2f", perSync)) commits per log sync "
                + "(\(g.commits) commits, \(g.syncs) syncs; \(g.waits) syncs waited for a partner, \(g.joined) were joined)"
        }
        return SuiteOutcome(results: samples.results(),
                            notes: [shape, engines, pairing] + latencies.lines(prefix: "latency (median of runs) ") + groupLines)
    }

    private func checkCount(_ count: Int, _ engine: Engine) throws {
        guard count == options.records else {
            throw BenchFailure("ycsb on \(engine.rawValue): \(count) records left after the workloads, expected \(options.records)")
        }
    }

    /// The wall time of `plan` on `clients` (one per thread) and the latencies of its reads and updates;
    /// throws when any operation failed.
    private func runPlan<C: YCSBClient>(_ plan: YCSBPlan, _ clients: [C], _ engine: Engine, _ data: YCSBData) throws
        -> (seconds: Double, reads: LatencySummary?, updates: LatencySummary?) {
        let failure = Mutex<String?>(nil)
        let checksum = Atomic<UInt64>(0)
        let reads = Atomic<Int>(0)
        let latencies = Mutex<(reads: [UInt64], updates: [UInt64])>(([], []))
        let seconds = concurrently(plan.threads) { thread in
            let client = clients[thread]
            var random = BenchRandom(seed: plan.valueSeed(thread))
            var value = [UInt8](repeating: 0, count: data.valueSize)
            var sum: UInt64 = 0
            var readCount = 0
            var readNanos: [UInt64] = [], updateNanos: [UInt64] = []
            // Room for every operation either way, so no append reallocates inside the timed loop.
            readNanos.reserveCapacity(plan.operations[thread].count)
            updateNanos.reserveCapacity(plan.operations[thread].count)
            do {
                for operation in plan.operations[thread] {
                    let record = Int(operation & YCSBPlan.recordMask)
                    if operation & YCSBPlan.updateFlag != 0 {
                        YCSBData.fill(&value, record: record, using: &random)
                        let start = monotonicNanoseconds()
                        try client.update(data.keys[record], value)
                        updateNanos.append(monotonicNanoseconds() &- start)
                    } else {
                        let start = monotonicNanoseconds()
                        sum &+= try client.read(data.keys[record], record: record)
                        readNanos.append(monotonicNanoseconds() &- start)
                        readCount += 1
                    }
                }
            } catch {
                failure.withLock { first in
                    if first == nil { first = "\(error)" }
                }
            }
            checksum.add(sum, ordering: .relaxed)
            reads.add(readCount, ordering: .relaxed)
            latencies.withLock {
                $0.reads += readNanos
                $0.updates += updateNanos
            }
        }
        if let message = failure.withLock({ $0 }) {
            throw BenchFailure("\(plan.workloadName) on \(engine.rawValue): \(message)")
        }
        guard reads.load(ordering: .relaxed) == plan.readCount else {
            throw BenchFailure("\(plan.workloadName) on \(engine.rawValue): \(reads.load(ordering: .relaxed)) reads done, expected \(plan.readCount)")
        }
        // Every read touched its bytes into the sum; it is never 0 for a read of a non-empty value.
        guard plan.readCount == 0 || checksum.load(ordering: .relaxed) != 0 else {
            throw BenchFailure("\(plan.workloadName) on \(engine.rawValue): the reads saw no value bytes")
        }
        let (readNanos, updateNanos) = latencies.withLock { ($0.reads, $0.updates) }
        return (seconds, LatencySummary(nanoseconds: readNanos), LatencySummary(nanoseconds: updateNanos))
    }
}

/// The records, shared read-only by every run, engine and thread.
final class YCSBData: Sendable {
    let valueSize: Int
    /// keys[i] = "user" + String(fnvHash64(i)).
    let keys: [[UInt8]]
    /// (keys[i], initial value of record i), in record order.
    let pairs: [([UInt8], [UInt8])]

    init(records: Int, valueSize: Int, seed: UInt64) {
        self.valueSize = valueSize
        let keys = (0..<records).map { Array("user\(fnvHash64(UInt64($0)))".utf8) }
        self.keys = keys
        var random = BenchRandom(seed: seed)
        var value = [UInt8](repeating: 0, count: valueSize)
        var pairs: [([UInt8], [UInt8])] = []
        pairs.reserveCapacity(records)
        for (record, key) in keys.enumerated() {
            Self.fill(&value, record: record, using: &random)
            pairs.append((key, value))
        }
        self.pairs = pairs
    }

    /// Checks that `keys` are distinct (the FNV hash could in principle collide); O(n log n).
    func checkDistinctKeys() throws {
        guard Set(keys).count == keys.count else { throw BenchFailure("ycsb: two record numbers hash to the same key") }
    }

    /// New contents for record `record`: its number (8 bytes, little endian), then random bytes.
    static func fill(_ value: inout [UInt8], record: Int, using random: inout BenchRandom) {
        value.withUnsafeMutableBytes { bytes in
            bytes.storeBytes(of: UInt64(record).littleEndian, toByteOffset: 0, as: UInt64.self)
            var offset = 8
            while offset < bytes.count {
                var word = random.next()
                let n = min(8, bytes.count - offset)
                withUnsafeBytes(of: &word) { bytes.baseAddress!.advanced(by: offset).copyMemory(from: $0.baseAddress!, byteCount: n) }
                offset += n
            }
        }
    }

    /// Checks a value read for `record` (length and record number) and returns a sum of its bytes' ends.
    @inline(__always)
    func check(_ value: UnsafeRawBufferPointer, record: Int) throws -> UInt64 {
        guard value.count == valueSize else {
            throw BenchFailure("record \(record): value of \(value.count) bytes, expected \(valueSize)")
        }
        let stored = UInt64(littleEndian: value.loadUnaligned(as: UInt64.self))
        guard stored == UInt64(record) else {
            throw BenchFailure("record \(record): read the value of record \(stored)")
        }
        return touch(value)
    }
}

/// The requests of one (workload, thread count): per thread, a sequence of record numbers, each with
/// a flag for update.
struct YCSBPlan: Sendable {
    static let updateFlag: UInt32 = 1 << 31
    static let recordMask: UInt32 = ~updateFlag

    let workloadName: String
    let threads: Int
    let operations: [[UInt32]]
    let readCount: Int
    private let seed: UInt64

    var totalOperations: Int { operations.reduce(0) { $0 + $1.count } }

    init(workload: YCSBWorkload, threads: Int, operations total: Int, records: Int, seed: UInt64) {
        workloadName = "ycsb.\(workload.name).t\(threads)"
        self.threads = threads
        let perThread = max(1, total / threads)
        let keys = ScrambledZipfianGenerator(items: UInt64(records))
        let workloadIndex = UInt64(workload.name.unicodeScalars.first!.value)
        self.seed = deriveSeed(seed, workloadIndex, UInt64(threads))
        var readCount = 0
        operations = (0..<threads).map { thread in
            var random = BenchRandom(seed: deriveSeed(seed, workloadIndex, UInt64(threads), UInt64(thread)))
            return (0..<perThread).map { _ in
                // YCSB draws the operation, then the key.
                let isRead = unitInterval(&random) < workload.readProportion
                let record = UInt32(keys.next(using: &random))
                if isRead { readCount += 1 }
                return isRead ? record : record | Self.updateFlag
            }
        }
        self.readCount = readCount
    }

    /// The seed of `thread`'s update values.
    func valueSeed(_ thread: Int) -> UInt64 { deriveSeed(seed, 0x7661_6C75_6573, UInt64(thread)) }
}

/// A seed for one part of the benchmark, derived from the --seed and the part's coordinates.
func deriveSeed(_ seed: UInt64, _ parts: UInt64...) -> UInt64 {
    var random = BenchRandom(seed: seed)
    var mixed = random.next()
    for part in parts {
        random = BenchRandom(seed: mixed ^ part)
        mixed = random.next()
    }
    return mixed
}

/// One client thread's access to an engine.
protocol YCSBClient: Sendable {
    /// Reads `key`, checks it holds record `record`'s value, returns `YCSBData.check`'s sum.
    func read(_ key: [UInt8], record: Int) throws -> UInt64
    /// Replaces the value of the existing `key`, durably.
    func update(_ key: [UInt8], _ value: [UInt8]) throws
}

/// Basalt: every thread calls the same shared Database.
struct BasaltYCSBClient: YCSBClient {
    let database: Database
    let data: YCSBData

    func read(_ key: [UInt8], record: Int) throws -> UInt64 {
        // In place, as SQLite's sqlite3_column_blob pointer is: no copy of the value.
        let sum = try database.withValue(forKey: key) { pair in
            try pair.withValueBytes { bytes in try data.check(bytes, record: record) }
        }
        guard let sum else { throw BenchFailure("record \(record) not found") }
        return sum
    }

    func update(_ key: [UInt8], _ value: [UInt8]) throws {
        try database.put(key, value)
    }
}

/// The in-process lock the SQLite clients of one run share: none (the default: busy_timeout only), around
/// updates (--sqlite-writer-mutex) or around every statement (--sqlite-shared-connection).
final class SQLiteLock: Sendable {
    enum Scope { case nothing, updates, everything }
    let scope: Scope
    private let mutex = Mutex<Void>(())

    init(_ scope: Scope) { self.scope = scope }

    /// Runs one statement, a read or an update, holding the mutex if the scope covers it.
    func run<T: Sendable>(update: Bool, _ body: () throws -> T) throws -> T {
        let locked = scope == .everything || (update && scope == .updates)
        return locked ? try mutex.withLock { _ in try body() } : try body()
    }
}

/// One SQLite connection, used by one thread at a time (opened with SQLITE_OPEN_NOMUTEX).
final class SQLiteYCSBClient: YCSBClient, SQLiteConnection, @unchecked Sendable {
    // @unchecked Sendable: each connection is used by one benchmark thread at a time (or, with
    // --sqlite-shared-connection, by every thread with the lock's mutex held around each statement); the
    // handoff between the creating thread and the workers goes through the thread start's synchronization.
    private(set) var db: OpaquePointer?
    private var select: OpaquePointer?
    private var updateStatement: OpaquePointer?
    private let data: YCSBData
    private let lock: SQLiteLock

    /// Opens the existing database at `path` (created by the load, already in WAL mode).
    init(path: String, cacheBytes: Int, data: YCSBData, lock: SQLiteLock) throws {
        self.data = data
        self.lock = lock
        let rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nil)
        guard rc == SQLITE_OK else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(db)
            db = nil
            throw SQLiteError(code: rc, message: "open \(path): \(message)")
        }
        do {
            try execute("PRAGMA synchronous=FULL")
            try execute("PRAGMA cache_size=-\(cacheBytes >> 10)")
            try check(sqlite3_busy_timeout(db, 60_000), "busy_timeout")
            guard try text("PRAGMA journal_mode") == "wal", try integer("PRAGMA synchronous") == 2 else {
                throw SQLiteError(code: -1, message: "expected journal_mode=wal and synchronous=FULL")
            }
            select = try prepare("SELECT val FROM kv WHERE key = ?1")
            updateStatement = try prepare("UPDATE kv SET val = ?2 WHERE key = ?1")
        } catch {
            close()
            throw error
        }
    }

    deinit { close() }

    func read(_ key: [UInt8], record: Int) throws -> UInt64 {
        try lock.run(update: false) { try lookUp(key, record: record) }
    }

    private func lookUp(_ key: [UInt8], record: Int) throws -> UInt64 {
        defer { sqlite3_reset(select) }
        let rc = key.withUnsafeBytes { k in
            sqlite3_bind_blob(select, 1, k.baseAddress, Int32(k.count), basalt_sqlite_static())
            return sqlite3_step(select)
        }
        switch rc {
        case SQLITE_ROW:
            // The blob before its length, as the SQLite docs advise.
            let blob = sqlite3_column_blob(select, 0)
            let count = Int(sqlite3_column_bytes(select, 0))
            return try data.check(UnsafeRawBufferPointer(start: blob, count: count), record: record)
        case SQLITE_DONE:
            throw BenchFailure("record \(record) not found")
        default:
            throw error("SELECT val", code: rc)
        }
    }

    func update(_ key: [UInt8], _ value: [UInt8]) throws {
        let (rc, changes) = try lock.run(update: true) { step(key, value) }
        guard rc == SQLITE_DONE else { throw error("UPDATE", code: rc) }
        guard changes == 1 else { throw BenchFailure("UPDATE changed \(changes) rows, expected 1") }
    }

    /// One autocommit UPDATE: its own durable transaction.
    private func step(_ key: [UInt8], _ value: [UInt8]) -> (Int32, Int32) {
        defer { sqlite3_reset(updateStatement) }
        return key.withUnsafeBytes { k in
            value.withUnsafeBytes { v in
                // SQLITE_STATIC: the bytes stay alive and unchanged until the reset.
                sqlite3_bind_blob(updateStatement, 1, k.baseAddress, Int32(k.count), basalt_sqlite_static())
                sqlite3_bind_blob(updateStatement, 2, v.baseAddress, Int32(v.count), basalt_sqlite_static())
                let rc = sqlite3_step(updateStatement)
                return (rc, sqlite3_changes(db))
            }
        }
    }

    func count() throws -> Int {
        Int(try integer("SELECT count(*) FROM kv"))
    }

    func close() {
        guard let handle = db else { return }
        sqlite3_finalize(select)
        sqlite3_finalize(updateStatement)
        select = nil
        updateStatement = nil
        db = nil
        sqlite3_close_v2(handle)
    }

    private func execute(_ sql: String) throws {
        try check(sqlite3_exec(db, sql, nil, nil, nil), sql)
    }

    private func integer(_ sql: String) throws -> Int64 {
        let statement = try prepare(sql)
        defer { sqlite3_finalize(statement) }
        guard sqlite3_step(statement) == SQLITE_ROW else { throw error(sql) }
        return sqlite3_column_int64(statement, 0)
    }

    private func text(_ sql: String) throws -> String {
        let statement = try prepare(sql)
        defer { sqlite3_finalize(statement) }
        guard sqlite3_step(statement) == SQLITE_ROW, let text = sqlite3_column_text(statement, 0) else { throw error(sql) }
        return String(cString: text)
    }

}
