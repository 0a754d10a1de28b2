// The commit suite: durable single-key write transactions from 1, 4 and 16 concurrent committers.
//
//   commit.full.<N>    Basalt SyncMode.full vs SQLite journal_mode=WAL, synchronous=FULL: every commit
//                      returns after its log is synced (Basalt: concurrent commits share one fdatasync)
//   commit.normal.<N>  Basalt SyncMode.normal (log synced every 100 ms) vs SQLite synchronous=NORMAL in
//                      WAL mode (WAL synced at checkpoints only)
//
// N threads each commit (--commits / N) puts of a random 16-byte key and a 100-byte value; throughput =
// commits/s over the wall time of all threads. SQLite gets its best multi-threaded setup: one connection
// shared by all threads behind a mutex (what a Swift app's writer queue does), since separate
// connections would spend their time in SQLite's sleeping busy handler. Results are checked: every key
// committed must be readable afterwards.
import ArgumentParser
import Basalt
import CSQLite
import Foundation
import Synchronization

struct CommitOptions: ParsableArguments {
    @Option(help: "Commits per workload in FULL mode (split across the threads).")
    var commits = 2_000

    @Option(name: .customLong("normal-commits"), help: "Commits per workload in NORMAL mode.")
    var normalCommits = 20_000

    @Option(help: "Committer thread counts, comma-separated.")
    var threads = "1,4,16"

    var threadCounts: [Int] { threads.split(separator: ",").compactMap { Int($0) } }

    func validate() throws {
        guard commits >= 1, normalCommits >= 1 else { throw ValidationError("--commits and --normal-commits must be at least 1") }
        guard !threadCounts.isEmpty, threadCounts.allSatisfy({ $0 >= 1 && $0 <= 256 }) else {
            throw ValidationError("--threads must list counts from 1 to 256")
        }
    }
}

struct CommitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "commit", abstract: "Durable single-key commits from concurrent threads.")

    @OptionGroup var common: CommonOptions
    @OptionGroup var commit: CommitOptions

    func run() throws {
        try runSuites([CommitSuite(options: commit)], common: common)
    }
}

/// Runs `body(thread)` on `count` threads at once and returns the wall time until all finished.
func concurrently(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) -> Double {
    let done = DispatchGroup()
    let start = DispatchSemaphore(value: 0)
    var threads: [Thread] = []
    for index in 0..<count {
        done.enter()
        let thread = Thread {
            start.wait()
            body(index)
            done.leave()
        }
        thread.stackSize = 1 << 20
        threads.append(thread)
        thread.start()
    }
    return timed {
        for _ in 0..<count { start.signal() }
        done.wait()
    }
}

/// The shared SQLite writer connection: a mutex around the handle.
final class SQLiteCommitter: @unchecked Sendable {
    // Sendable because every use of `db` and `insert` happens inside `lock`.
    private let lock = Mutex<Void>(())
    private var db: OpaquePointer?
    private var insert: OpaquePointer?
    private var select: OpaquePointer?

    init(path: String, synchronous: String, cacheBytes: Int) throws {
        guard sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nil) == SQLITE_OK else {
            throw SQLiteError(code: -1, message: "open \(path)")
        }
        for sql in ["PRAGMA journal_mode=WAL", "PRAGMA synchronous=\(synchronous)", "PRAGMA cache_size=-\(cacheBytes >> 10)",
                    "CREATE TABLE kv(key BLOB PRIMARY KEY, val BLOB) WITHOUT ROWID"] {
            guard sqlite3_exec(db, sql, nil, nil, nil) == SQLITE_OK else {
                throw SQLiteError(code: sqlite3_errcode(db), message: "\(sql): \(String(cString: sqlite3_errmsg(db)))")
            }
        }
        sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO kv(key, val) VALUES (?1, ?2)", -1, &insert, nil)
        sqlite3_prepare_v2(db, "SELECT count(*) FROM kv", -1, &select, nil)
    }

    /// One autocommit INSERT: its own durable transaction.
    func commit(_ key: [UInt8], _ value: [UInt8]) -> Bool {
        lock.withLock { _ in
            key.withUnsafeBytes { k in
                value.withUnsafeBytes { v in
                    sqlite3_bind_blob(insert, 1, k.baseAddress, Int32(k.count), basalt_sqlite_static())
                    sqlite3_bind_blob(insert, 2, v.baseAddress, Int32(v.count), basalt_sqlite_static())
                    let rc = sqlite3_step(insert)
                    sqlite3_reset(insert)
                    return rc == SQLITE_DONE
                }
            }
        }
    }

    func count() -> Int {
        lock.withLock { _ in
            sqlite3_step(select)
            defer { sqlite3_reset(select) }
            return Int(sqlite3_column_int64(select, 0))
        }
    }

    func close() {
        lock.withLock { _ in
            sqlite3_finalize(insert)
            sqlite3_finalize(select)
            sqlite3_close_v2(db)
            db = nil
        }
    }
}

struct CommitSuite: BenchSuite {
    let options: CommitOptions

    func run(_ context: BenchContext) throws -> SuiteOutcome {
        var samples = Samples()
        let modes: [(name: String, basalt: SyncMode, sqlite: String, commits: Int)] = [
            ("full", .full, "FULL", options.commits), ("normal", .normal, "NORMAL", options.normalCommits),
        ]
        for mode in modes {
            for threads in options.threadCounts {
                let perThread = max(1, mode.commits / threads)
                let total = perThread * threads
                let keys: [[[UInt8]]] = (0..<threads).map { t in
                    var rng = SeededRandom(seed: context.common.seed &+ UInt64(t))
                    return (0..<perThread).map { _ in (0..<16).map { _ in UInt8.random(in: 0...255, using: &rng) } }
                }
                let value = [UInt8](repeating: 0x5A, count: 100)
                let workload = "commit.\(mode.name).\(threads)"
                for run in 1...context.runs {
                    let engines: [Engine] = run % 2 == 1 ? [.basalt, .sqlite] : [.sqlite, .basalt]
                    for engine in engines {
                        try context.withFreshDirectory("commit-\(mode.name)-\(threads)-\(run)-\(engine.rawValue)") { dir in
                            context.progress.say("\(workload) run \(run)/\(context.runs) \(engine.rawValue): \(total) commits")
                            let failures = Atomic<Int>(0)
                            let seconds: Double
                            let found: Int
                            switch engine {
                            case .basalt:
                                var config = Config()
                                config.syncMode = mode.basalt
                                config.bufferPoolBytes = context.cacheBytes
                                config.pageSize = context.pageSize
                                let db = try Database.open(path: dir + "/basalt.db", config: config)
                                seconds = concurrently(threads) { t in
                                    for key in keys[t] {
                                        do { try db.put(key, value) } catch { failures.add(1, ordering: .relaxed) }
                                    }
                                }
                                found = try db.scanPairs().count
                                try db.close()
                            case .sqlite:
                                let db = try SQLiteCommitter(path: dir + "/sqlite.db", synchronous: mode.sqlite, cacheBytes: context.cacheBytes)
                                seconds = concurrently(threads) { t in
                                    for key in keys[t] where !db.commit(key, value) { failures.add(1, ordering: .relaxed) }
                                }
                                found = db.count()
                                db.close()
                            }
                            guard failures.load(ordering: .relaxed) == 0, found == total else {
                                throw ValidationError("\(workload) on \(engine.rawValue): \(failures.load(ordering: .relaxed)) failed commits, \(found) of \(total) keys found")
                            }
                            samples.record(workload, engine, operations: total, seconds: seconds, unit: "commits/s")
                        }
                    }
                }
            }
        }
        return SuiteOutcome(results: samples.results(), notes: [
            "commit: SQLite WAL with one writer connection shared behind a mutex; Basalt group commit",
        ])
    }
}
