// The sql suite: the same SQL workloads through Basalt's SQL API and through SQLite's C API.
//
//   sql.insert        --rows rows into t(id INTEGER PRIMARY KEY, k INTEGER, v TEXT) through one prepared
//                     INSERT in one transaction, ids ascending; rows/s
//   sql.point         --point-selects `SELECT k, v FROM t WHERE id = ?` of random existing ids; selects/s
//   sql.range         --range-selects `SELECT id, k, v FROM t WHERE id >= ? AND id < ?` of --range-length
//                     ids from a random start, every row read; selects/s
//   sql.create-index  `CREATE INDEX t_k ON t(k)` on the loaded table; rows indexed/s
//   sql.index         --index-lookups `SELECT id FROM t WHERE k = ?` of random k, every row read; lookups/s
//   sql.aggregate     `SELECT k % 100, count(*), sum(length(v)) FROM t GROUP BY 1`, --aggregate-repeats
//                     times; rows of t aggregated/s
//   sql.join          `SELECT count(*), sum(u.w + t.k) FROM u JOIN t ON u.t_id = t.id` over a second table
//                     u(id INTEGER PRIMARY KEY, t_id INTEGER, w INTEGER) of --join-rows rows (loaded
//                     untimed, one transaction), --join-repeats times; joined rows (u rows)/s
//
// Data (the same for both engines, every run, from --seed): row id (1...rows) has k = a random integer in
// 0..<max(1, rows / 10) and v = "v<id>:" followed by letters up to a length of 20...100 bytes chosen by
// a hash of the id. u's t_id values are random existing ids of t, w random in 0..<1000. Access sequences
// (ids, range starts, k values) are drawn once from the seed too.
//
// Engines: Basalt through its public SQL API only (Database.session / prepare / query, `$n`
// parameters bound one by one with execute(binding:) / query(binding:), rows read with Rows.next(),
// integers through the row's subscript, text in place with Row.withUnsafeBytes(ofColumn:)); SQLite
// through prepared statements and sqlite3_bind_* (`?n`),
// columns read in place (sqlite3_column_int64, sqlite3_column_text). Neither side builds a String per
// text value. Both use the same cache budget (Basalt bufferPoolBytes, SQLite cache_size) and
// comparable durability: by default Basalt SyncMode.normal against SQLite
// journal_mode=WAL, synchronous=NORMAL (--sql-sync full: SyncMode.full against synchronous=FULL). Queries
// run in autocommit mode on both (one read transaction per statement).
//
// Each run opens fresh files for both engines side by side and runs the workloads in the order above,
// each on one engine and then the other (the order alternating), the read workloads in alternating
// slices, so that both engines' figures come from the same moments of a machine whose speed drifts.
// Every workload's result is checked against what the generated data implies (rows returned, checksums
// of the values read, the aggregate's groups, the join's count and sum), so an engine that returns
// wrong results fails the benchmark instead of looking fast.
import ArgumentParser
import Basalt
import CSQLite
import Foundation

struct SQLOptions: ParsableArguments {
    @Option(help: "Rows inserted into t.")
    var rows = 1_000_000

    @Option(name: .customLong("point-selects"), help: "Point selects by primary key.")
    var pointSelects = 200_000

    @Option(name: .customLong("range-selects"), help: "Range selects by primary key.")
    var rangeSelects = 2_000

    @Option(name: .customLong("range-length"), help: "Ids per range select.")
    var rangeLength = 100

    @Option(name: .customLong("index-lookups"), help: "Lookups by k through the secondary index.")
    var indexLookups = 100_000

    @Option(name: .customLong("aggregate-repeats"), help: "Runs of the GROUP BY query per run.")
    var aggregateRepeats = 5

    @Option(name: .customLong("join-rows"), help: "Rows of the joined table u.")
    var joinRows = 100_000

    @Option(name: .customLong("join-repeats"), help: "Runs of the join query per run.")
    var joinRepeats = 5

    @Option(name: .customLong("sql-sync"), help: "Durability: normal (Basalt SyncMode.normal, SQLite synchronous=NORMAL) or full.")
    var sync = "normal"

    func validate() throws {
        guard rows >= 1, rows <= Int(Int32.max) / 2 else { throw ValidationError("--rows must be from 1 to \(Int32.max / 2)") }
        guard pointSelects >= 0, rangeSelects >= 0, indexLookups >= 0 else {
            throw ValidationError("--point-selects, --range-selects and --index-lookups must be >= 0")
        }
        guard rangeLength >= 1 else { throw ValidationError("--range-length must be at least 1") }
        guard aggregateRepeats >= 1, joinRepeats >= 1, joinRows >= 1 else {
            throw ValidationError("--aggregate-repeats, --join-repeats and --join-rows must be at least 1")
        }
        guard ["normal", "full"].contains(sync) else { throw ValidationError("--sql-sync must be normal or full") }
    }
}

struct SQLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sql", abstract: "SQL insert, point, range, index, aggregate and join queries.")

    @OptionGroup var common: CommonOptions
    @OptionGroup var sql: SQLOptions

    func run() throws {
        try runSuites([SQLSuite(options: sql)], common: common)
    }
}

struct SQLSuite: BenchSuite {
    let options: SQLOptions

    func run(_ context: BenchContext) throws -> SuiteOutcome {
        context.progress.say("sql: generating \(options.rows) rows and the access sequences (seed \(context.common.seed))")
        let data = SQLData(options, seed: context.common.seed)
        var samples = Samples()
        /// The database file's size after each engine's last run (closed, so checkpointed).
        var fileBytes: [Engine: UInt64] = [:]
        for run in 1...context.runs {
            try context.withFreshDirectory("sql-run\(run)") { dir in
                let basalt = try BasaltSQLBench(path: dir + "/basalt.db", cacheBytes: context.cacheBytes,
                                                pageSize: context.pageSize, full: options.sync == "full")
                let sqlite = try SQLiteSQLBench(path: dir + "/sqlite.db", cacheBytes: context.cacheBytes,
                                                synchronous: options.sync.uppercased())
                let pair = EnginePair(basalt: basalt, sqlite: sqlite, basaltFirst: run % 2 == 1)
                try runWorkloads(pair, data, &samples) { workload in
                    context.progress.say("sql run \(run)/\(context.runs): \(workload)")
                }
                try basalt.close()
                try sqlite.close()
                fileBytes[.basalt] = Self.fileSize(dir + "/basalt.db")
                fileBytes[.sqlite] = Self.fileSize(dir + "/sqlite.db")
            }
        }
        let shape = "sql: t rows=\(options.rows) (k in 0..<\(data.kRange), v 20-100 B text), point=\(options.pointSelects), "
            + "range=\(options.rangeSelects) × \(options.rangeLength), index lookups=\(options.indexLookups), "
            + "aggregate × \(options.aggregateRepeats), join u rows=\(options.joinRows) × \(options.joinRepeats)"
        let engines = "sql: Basalt SyncMode.\(options.sync), pageSize=\(context.pageSize), SQL API with $n parameters; "
            + "SQLite journal_mode=WAL, synchronous=\(options.sync.uppercased()), prepared statements with sqlite3_bind; "
            + "autocommit reads on both"
        let pairing = "sql: both engines open side by side in each run; each workload runs on one engine and then the "
            + "other (the order alternating), reads in \(Self.slices) alternating slices, so both see the same machine"
        let mib = { (engine: Engine) in
            fileBytes[engine].map { String(format: "%.1f MiB", Double($0) / 1_048_576) } ?? "?"
        }
        let sizes = "sql: database file after the run (t with its index on k, and u): "
            + "Basalt \(mib(.basalt)), SQLite \(mib(.sqlite))"
        return SuiteOutcome(results: samples.results(), notes: [shape, engines, pairing, sizes])
    }

    private static func fileSize(_ path: String) -> UInt64? {
        (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.uint64Value
    }

    /// Slices a read workload's access sequence is cut into, run alternately on the two engines. This VM's
    /// speed drifts by up to 2× within a minute: engines measured minutes apart (a whole run each) saw
    /// different machines, while alternating slices of a second or less see the same one.
    static let slices = 10

    /// Every workload once on both engines of `pair`; records one sample per engine each and verifies the
    /// results. A workload runs on one engine and then the other, before the next workload starts.
    private func runWorkloads(_ pair: EnginePair, _ data: SQLData, _ samples: inout Samples,
                              _ say: (String) -> Void) throws {
        func fail(_ workload: String, _ engine: Engine, _ message: String) -> BenchFailure {
            BenchFailure("sql.\(workload) on \(engine.rawValue): \(message)")
        }
        /// Runs `read` over `items` in alternating slices; checks each engine's total against `expected`.
        func readWorkload(_ workload: String, _ items: [Int], unit: String, expected: ReadResult,
                          _ read: (any SQLBenchEngine, ArraySlice<Int>) throws -> ReadResult) throws {
            guard !items.isEmpty else { return }
            say("\(workload) \(items.count)")
            var totals: [Engine: (result: ReadResult, seconds: Double)] = [:]
            let size = (items.count + Self.slices - 1) / Self.slices
            for (i, start) in stride(from: 0, to: items.count, by: size).enumerated() {
                let slice = items[start..<min(start + size, items.count)]
                for engine in pair.order(i) {
                    var result = ReadResult()
                    let seconds = try timed { result = try read(pair[engine], slice) }
                    totals[engine, default: (ReadResult(), 0)].result.add(result)
                    totals[engine, default: (ReadResult(), 0)].seconds += seconds
                }
            }
            for (engine, total) in totals {
                guard total.result == expected else {
                    throw fail(workload, engine, "read \(total.result.rows) rows (checksum \(total.result.checksum)), "
                        + "expected \(expected.rows) (\(expected.checksum))")
                }
                samples.record("sql.\(workload)", engine, operations: items.count, seconds: total.seconds, unit: unit)
            }
        }

        say("insert \(data.ids.count) rows")
        for engine in pair.order(0) {
            let seconds = try timed { try pair[engine].insert(data) }
            samples.record("sql.insert", engine, operations: data.ids.count, seconds: seconds, unit: "rows/s")
        }

        try readWorkload("point", data.pointIDs, unit: "selects/s", expected: data.expectedPoint) { try $0.pointSelects($1) }
        try readWorkload("range", data.rangeStarts, unit: "selects/s", expected: data.expectedRange) {
            try $0.rangeSelects($1, length: options.rangeLength)
        }

        say("create index")
        for engine in pair.order(1) {
            let seconds = try timed { try pair[engine].createIndex() }
            samples.record("sql.create-index", engine, operations: data.ids.count, seconds: seconds, unit: "rows/s")
        }

        try readWorkload("index", data.lookupKs, unit: "lookups/s", expected: data.expectedLookups) { try $0.indexLookups($1) }

        say("aggregate × \(options.aggregateRepeats)")
        var aggregateSeconds: [Engine: Double] = [:]
        for step in 0..<options.aggregateRepeats {
            for engine in pair.order(step) {
                var groups: [Int64: [Int64]] = [:]
                aggregateSeconds[engine, default: 0] += try timed { groups = try pair[engine].aggregate() }
                guard groups == data.expectedGroups else {
                    throw fail("aggregate", engine, "\(groups.count) groups differing from the expected \(data.expectedGroups.count) "
                        + "(first: \(groups.sorted { $0.key < $1.key }.first.map { "\($0.key): \($0.value)" } ?? "none"), expected "
                        + "\(data.expectedGroups.sorted { $0.key < $1.key }.first.map { "\($0.key): \($0.value)" } ?? "none"))")
                }
            }
        }
        for (engine, seconds) in aggregateSeconds {
            samples.record("sql.aggregate", engine, operations: options.aggregateRepeats * data.ids.count, seconds: seconds,
                           unit: "rows/s")
        }

        say("join: load u (\(data.joinTIDs.count) rows, untimed)")
        for engine in pair.order(0) { try pair[engine].loadJoinTable(data) }
        say("join × \(options.joinRepeats)")
        var joinSeconds: [Engine: Double] = [:]
        for step in 0..<options.joinRepeats {
            for engine in pair.order(step) {
                var joined: [Int64] = []
                joinSeconds[engine, default: 0] += try timed { joined = try pair[engine].join() }
                guard joined == data.expectedJoin else {
                    throw fail("join", engine, "count, sum = \(joined), expected \(data.expectedJoin)")
                }
            }
        }
        for (engine, seconds) in joinSeconds {
            samples.record("sql.join", engine, operations: options.joinRepeats * data.joinTIDs.count, seconds: seconds,
                           unit: "rows/s")
        }
    }
}

/// The two engines of one run, open side by side, and which goes first.
struct EnginePair {
    let basalt: BasaltSQLBench
    let sqlite: SQLiteSQLBench
    /// Whether Basalt runs first in even-numbered steps (the order flips every step).
    let basaltFirst: Bool

    subscript(engine: Engine) -> any SQLBenchEngine {
        engine == .basalt ? basalt : sqlite
    }

    /// The engines in the order step `step` runs them: alternating, so neither always goes first.
    func order(_ step: Int) -> [Engine] {
        (step % 2 == 0) == basaltFirst ? [.basalt, .sqlite] : [.sqlite, .basalt]
    }
}

/// Rows read by a read workload and a checksum over the values read.
struct ReadResult: Equatable {
    var rows = 0
    var checksum: UInt64 = 0

    /// Adds another slice's rows and checksum (the checksum is a wrapping sum over the values read).
    mutating func add(_ other: ReadResult) {
        rows += other.rows
        checksum &+= other.checksum
    }
}

/// The checksum term of one text value: its length and first and last byte, so its bytes must be there.
@inline(__always)
func touchText(count: Int, first: UInt8, last: UInt8) -> UInt64 {
    UInt64(first) &* 257 &+ UInt64(last) &* 65_537 &+ UInt64(count)
}

/// The generated data and access sequences, shared by every run and engine, with the results a correct
/// engine must produce.
final class SQLData {
    /// Ids 1...rows, in insert order.
    let ids: [Int]
    /// k of id i at index i - 1.
    let ks: [Int]
    /// v of id i at index i - 1.
    let vs: [String]
    let kRange: Int
    let pointIDs: [Int]
    let rangeStarts: [Int]
    let lookupKs: [Int]
    /// u(id = index + 1, t_id, w).
    let joinTIDs: [Int]
    let joinWs: [Int]

    let expectedPoint: ReadResult
    let expectedRange: ReadResult
    let expectedLookups: ReadResult
    /// k % 100 -> [count, sum(length(v))]
    let expectedGroups: [Int64: [Int64]]
    /// [count, sum(u.w + t.k)]
    let expectedJoin: [Int64]

    init(_ options: SQLOptions, seed: UInt64) {
        var random = BenchRandom(seed: seed)
        let rows = options.rows
        kRange = max(1, rows / 10)
        ids = Array(1...rows)
        ks = (0..<rows).map { _ in Int.random(in: 0..<max(1, rows / 10), using: &random) }
        vs = ids.map(SQLData.value(forID:))

        pointIDs = (0..<options.pointSelects).map { _ in Int.random(in: 1...rows, using: &random) }
        rangeStarts = (0..<options.rangeSelects).map { _ in Int.random(in: 1...max(1, rows - options.rangeLength + 1), using: &random) }
        lookupKs = (0..<options.indexLookups).map { _ in Int.random(in: 0..<max(1, rows / 10), using: &random) }
        joinTIDs = (0..<options.joinRows).map { _ in Int.random(in: 1...rows, using: &random) }
        joinWs = (0..<options.joinRows).map { _ in Int.random(in: 0..<1000, using: &random) }

        let touches = vs.map { v in touchText(count: v.utf8.count, first: v.utf8.first ?? 0, last: v.utf8.last ?? 0) }

        var point = ReadResult()
        for id in pointIDs {
            point.rows += 1
            point.checksum &+= UInt64(ks[id - 1]) &* 31 &+ touches[id - 1]
        }
        expectedPoint = point

        var range = ReadResult()
        for start in rangeStarts {
            for id in start..<min(start + options.rangeLength, rows + 1) {
                range.rows += 1
                range.checksum &+= UInt64(id) &+ UInt64(ks[id - 1]) &* 31 &+ touches[id - 1]
            }
        }
        expectedRange = range

        var idsByK = [[Int]](repeating: [], count: kRange)
        for (index, k) in ks.enumerated() { idsByK[k].append(index + 1) }
        var lookups = ReadResult()
        for k in lookupKs {
            lookups.rows += idsByK[k].count
            for id in idsByK[k] { lookups.checksum &+= UInt64(id) }
        }
        expectedLookups = lookups

        var groups: [Int64: [Int64]] = [:]
        for index in 0..<rows {
            let group = Int64(ks[index] % 100)
            var entry = groups[group] ?? [0, 0]
            entry[0] += 1
            entry[1] += Int64(vs[index].utf8.count)
            groups[group] = entry
        }
        expectedGroups = groups

        var joinSum: Int64 = 0
        for (tid, w) in zip(joinTIDs, joinWs) { joinSum += Int64(w + ks[tid - 1]) }
        expectedJoin = [Int64(options.joinRows), joinSum]
    }

    /// "v<id>:" then letters, 20...100 bytes long in all (the length from a hash of the id).
    static func value(forID id: Int) -> String {
        var z = UInt64(id) &* 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 31)) &* 0xBF58_476D_1CE4_E5B9
        z ^= z >> 29
        let length = 20 + Int(z % 81)
        var bytes = Array("v\(id):".utf8)
        var letter = Int(z >> 8) % 26
        while bytes.count < length {
            bytes.append(UInt8(ascii: "a") + UInt8(letter))
            letter = (letter + 7) % 26
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// The SQL workloads, written once per engine; each returns what it read so the suite can check it.
protocol SQLBenchEngine {
    static var engine: Engine { get }
    /// Every row of t through one prepared INSERT in one transaction.
    func insert(_ data: SQLData) throws
    /// One `SELECT k, v FROM t WHERE id = ?` per id.
    func pointSelects(_ ids: ArraySlice<Int>) throws -> ReadResult
    /// One `SELECT id, k, v FROM t WHERE id >= ? AND id < ?` per start.
    func rangeSelects(_ starts: ArraySlice<Int>, length: Int) throws -> ReadResult
    /// CREATE INDEX t_k ON t(k)
    func createIndex() throws
    /// One `SELECT id FROM t WHERE k = ?` per k.
    func indexLookups(_ ks: ArraySlice<Int>) throws -> ReadResult
    /// k % 100 -> [count(*), sum(length(v))]
    func aggregate() throws -> [Int64: [Int64]]
    /// Creates and fills u in one transaction.
    func loadJoinTable(_ data: SQLData) throws
    /// [count(*), sum(u.w + t.k)] of u JOIN t.
    func join() throws -> [Int64]
    func close() throws
}

let sqlBenchTableT = "CREATE TABLE t(id INTEGER PRIMARY KEY, k INTEGER, v TEXT)"
let sqlBenchTableU = "CREATE TABLE u(id INTEGER PRIMARY KEY, t_id INTEGER, w INTEGER)"
let sqlBenchAggregate = "SELECT k % 100, count(*), sum(length(v)) FROM t GROUP BY 1"
let sqlBenchJoin = "SELECT count(*), sum(u.w + t.k) FROM u JOIN t ON u.t_id = t.id"

/// Basalt through its public SQL API only.
final class BasaltSQLBench: SQLBenchEngine {
    static let engine = Engine.basalt
    let database: Database
    private let point: PreparedStatement
    private let range: PreparedStatement

    init(path: String, cacheBytes: Int, pageSize: Int, full: Bool) throws {
        var config = Config()
        config.bufferPoolBytes = cacheBytes
        config.pageSize = pageSize
        config.syncMode = full ? .full : .normal
        database = try Database.open(path: path, config: config)
        try database.execute(sqlBenchTableT)
        point = try database.prepare("SELECT k, v FROM t WHERE id = $1")
        range = try database.prepare("SELECT id, k, v FROM t WHERE id >= $1 AND id < $2")
    }

    func insert(_ data: SQLData) throws {
        let session = database.session()
        try session.execute("BEGIN")
        let insert = try session.prepare("INSERT INTO t(id, k, v) VALUES ($1, $2, $3)")
        for index in data.ids.indices {
            try insert.execute(binding: data.ids[index], data.ks[index], data.vs[index])
        }
        try session.execute("COMMIT")
    }

    func pointSelects(_ ids: ArraySlice<Int>) throws -> ReadResult {
        var result = ReadResult()
        for id in ids {
            let rows = try point.query(binding: id)
            while let row = try rows.next() {
                result.rows += 1
                result.checksum &+= try UInt64(bitPattern: integer(row[0])) &* 31 &+ touch(row, 1)
            }
        }
        return result
    }

    func rangeSelects(_ starts: ArraySlice<Int>, length: Int) throws -> ReadResult {
        var result = ReadResult()
        for start in starts {
            let rows = try range.query(binding: start, start + length)
            while let row = try rows.next() {
                result.rows += 1
                result.checksum &+= try UInt64(bitPattern: integer(row[0])) &+ UInt64(bitPattern: integer(row[1])) &* 31 &+ touch(row, 2)
            }
        }
        return result
    }

    func createIndex() throws {
        try database.execute("CREATE INDEX t_k ON t(k)")
    }

    func indexLookups(_ ks: ArraySlice<Int>) throws -> ReadResult {
        let lookup = try database.prepare("SELECT id FROM t WHERE k = $1")
        var result = ReadResult()
        for k in ks {
            let rows = try lookup.query(binding: k)
            while let row = try rows.next() {
                result.rows += 1
                result.checksum &+= try UInt64(bitPattern: integer(row[0]))
            }
        }
        return result
    }

    func aggregate() throws -> [Int64: [Int64]] {
        var groups: [Int64: [Int64]] = [:]
        let rows = try database.query(sqlBenchAggregate)
        while let row = try rows.next() {
            groups[try integer(row[0])] = [try integer(row[1]), try integer(row[2])]
        }
        return groups
    }

    func loadJoinTable(_ data: SQLData) throws {
        try database.execute(sqlBenchTableU)
        let session = database.session()
        try session.execute("BEGIN")
        let insert = try session.prepare("INSERT INTO u(id, t_id, w) VALUES ($1, $2, $3)")
        for index in data.joinTIDs.indices {
            try insert.execute(binding: index + 1, data.joinTIDs[index], data.joinWs[index])
        }
        try session.execute("COMMIT")
    }

    func join() throws -> [Int64] {
        let rows = try database.query(sqlBenchJoin).all()
        guard rows.count == 1 else { throw BenchFailure("sql.join on Basalt: \(rows.count) result rows") }
        return [try integer(rows[0][0]), try integer(rows[0][1])]
    }

    func close() throws {
        try database.close()
    }

    private func integer(_ value: SQLValue) throws -> Int64 {
        switch value {
        case .integer(let n): return n
        case .numeric(let d):
            guard let n = Int64(d.description) else { throw BenchFailure("sql on Basalt: numeric \(d) is not an integer") }
            return n
        default: throw BenchFailure("sql on Basalt: \(value) where an integer was expected")
        }
    }

    /// Reads the text in place, as the SQLite side does with `sqlite3_column_text`: neither side builds
    /// a `String`.
    private func touch(_ row: Row, _ column: Int) throws -> UInt64 {
        let touched = try row.withUnsafeBytes(ofColumn: column) { text in
            touchText(count: text.count, first: text.first ?? 0, last: text.last ?? 0)
        }
        guard let touched else { throw BenchFailure("sql on Basalt: NULL where text was expected") }
        return touched
    }
}

/// SQLite through prepared statements, parameters bound with sqlite3_bind_*, columns read in place.
final class SQLiteSQLBench: SQLBenchEngine, SQLiteConnection {
    static let engine = Engine.sqlite
    private(set) var db: OpaquePointer?
    private var statements: [OpaquePointer?] = []

    init(path: String, cacheBytes: Int, synchronous: String) throws {
        let rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nil)
        guard rc == SQLITE_OK else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(db)
            throw SQLiteError(code: rc, message: "open \(path): \(message)")
        }
        do {
            try execute("PRAGMA journal_mode=WAL")
            try execute("PRAGMA synchronous=\(synchronous)")
            try execute("PRAGMA cache_size=-\(cacheBytes >> 10)")
            try execute(sqlBenchTableT)
        } catch {
            try? close()
            throw error
        }
    }

    deinit { try? close() }

    func execute(_ sql: String) throws {
        try check(sqlite3_exec(db, sql, nil, nil, nil), sql)
    }

    /// A statement finalized at close.
    private func statement(_ sql: String) throws -> OpaquePointer? {
        let statement = try prepare(sql)
        statements.append(statement)
        return statement
    }

    /// Steps `statement` to its end, calling `body` per row; resets it afterwards.
    private func each(_ statement: OpaquePointer?, _ what: String, _ body: () -> Void) throws {
        defer { sqlite3_reset(statement) }
        while true {
            let rc = sqlite3_step(statement)
            if rc == SQLITE_DONE { return }
            guard rc == SQLITE_ROW else { throw error(what, code: rc) }
            body()
        }
    }

    private func touch(_ statement: OpaquePointer?, _ column: Int32) -> UInt64 {
        guard let text = sqlite3_column_text(statement, column) else { return 0 }
        let count = Int(sqlite3_column_bytes(statement, column))
        guard count > 0 else { return touchText(count: 0, first: 0, last: 0) }
        return touchText(count: count, first: text[0], last: text[count - 1])
    }

    func insert(_ data: SQLData) throws {
        let insert = try statement("INSERT INTO t(id, k, v) VALUES (?1, ?2, ?3)")
        try execute("BEGIN")
        for index in data.ids.indices {
            sqlite3_bind_int64(insert, 1, Int64(data.ids[index]))
            sqlite3_bind_int64(insert, 2, Int64(data.ks[index]))
            var v = data.vs[index]
            v.withUTF8 { bytes in
                // SQLITE_STATIC: the bytes stay alive and unchanged until the reset below.
                _ = sqlite3_bind_text(insert, 3, UnsafeRawPointer(bytes.baseAddress!).assumingMemoryBound(to: CChar.self),
                                      Int32(bytes.count), basalt_sqlite_static())
            }
            let rc = sqlite3_step(insert)
            sqlite3_reset(insert)
            guard rc == SQLITE_DONE else { throw error("INSERT", code: rc) }
        }
        try execute("COMMIT")
    }

    func pointSelects(_ ids: ArraySlice<Int>) throws -> ReadResult {
        let point = try statement("SELECT k, v FROM t WHERE id = ?1")
        var result = ReadResult()
        for id in ids {
            sqlite3_bind_int64(point, 1, Int64(id))
            try each(point, "SELECT k, v") {
                result.rows += 1
                result.checksum &+= UInt64(bitPattern: sqlite3_column_int64(point, 0)) &* 31 &+ touch(point, 1)
            }
        }
        return result
    }

    func rangeSelects(_ starts: ArraySlice<Int>, length: Int) throws -> ReadResult {
        let range = try statement("SELECT id, k, v FROM t WHERE id >= ?1 AND id < ?2")
        var result = ReadResult()
        for start in starts {
            sqlite3_bind_int64(range, 1, Int64(start))
            sqlite3_bind_int64(range, 2, Int64(start + length))
            try each(range, "SELECT id, k, v") {
                result.rows += 1
                result.checksum &+= UInt64(bitPattern: sqlite3_column_int64(range, 0))
                    &+ UInt64(bitPattern: sqlite3_column_int64(range, 1)) &* 31 &+ touch(range, 2)
            }
        }
        return result
    }

    func createIndex() throws {
        try execute("CREATE INDEX t_k ON t(k)")
    }

    func indexLookups(_ ks: ArraySlice<Int>) throws -> ReadResult {
        let lookup = try statement("SELECT id FROM t WHERE k = ?1")
        var result = ReadResult()
        for k in ks {
            sqlite3_bind_int64(lookup, 1, Int64(k))
            try each(lookup, "SELECT id") {
                result.rows += 1
                result.checksum &+= UInt64(bitPattern: sqlite3_column_int64(lookup, 0))
            }
        }
        return result
    }

    func aggregate() throws -> [Int64: [Int64]] {
        let query = try prepare(sqlBenchAggregate)
        defer { sqlite3_finalize(query) }
        var groups: [Int64: [Int64]] = [:]
        try each(query, "aggregate") {
            groups[sqlite3_column_int64(query, 0)] = [sqlite3_column_int64(query, 1), sqlite3_column_int64(query, 2)]
        }
        return groups
    }

    func loadJoinTable(_ data: SQLData) throws {
        try execute(sqlBenchTableU)
        let insert = try statement("INSERT INTO u(id, t_id, w) VALUES (?1, ?2, ?3)")
        try execute("BEGIN")
        for index in data.joinTIDs.indices {
            sqlite3_bind_int64(insert, 1, Int64(index + 1))
            sqlite3_bind_int64(insert, 2, Int64(data.joinTIDs[index]))
            sqlite3_bind_int64(insert, 3, Int64(data.joinWs[index]))
            let rc = sqlite3_step(insert)
            sqlite3_reset(insert)
            guard rc == SQLITE_DONE else { throw error("INSERT INTO u", code: rc) }
        }
        try execute("COMMIT")
    }

    func join() throws -> [Int64] {
        let query = try prepare(sqlBenchJoin)
        defer { sqlite3_finalize(query) }
        var result: [[Int64]] = []
        try each(query, "join") { result.append([sqlite3_column_int64(query, 0), sqlite3_column_int64(query, 1)]) }
        guard result.count == 1 else { throw BenchFailure("sql.join on SQLite: \(result.count) result rows") }
        return result[0]
    }

    func close() throws {
        guard let handle = db else { return }
        for statement in statements { sqlite3_finalize(statement) }
        statements = []
        db = nil
        let rc = sqlite3_close_v2(handle)
        guard rc == SQLITE_OK else { throw SQLiteError(code: rc, message: "close") }
    }
}
