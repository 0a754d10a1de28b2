import Basalt
import Testing

/// The crash tests of the durability work, extended to SQL: a seeded workload of DDL (CREATE/DROP
/// TABLE and INDEX, ALTER TABLE) and DML (autocommit statements, multi-statement transactions that
/// commit or roll back) runs on the simulated file system, which captures the disk a power loss would
/// leave before chosen writes, syncs and truncates. Every captured disk must recover to the SQL state
/// before or after the step: same tables, same definitions, same rows, and indexes that agree with
/// their tables.
@Suite struct SQLCrashRecoveryTests {
    /// What SQL sees: each table's definition and its rows in a canonical order.
    typealias State = [String: String]

    static func config(_ fs: SimulatedFileSystem) -> Config {
        var config = CrashRecoveryTests.config(fs)
        config.syncMode = .full
        return config
    }

    static func state(_ db: Database) throws -> State {
        var state: State = [:]
        for name in try db.tableNames() {
            let definition = try db.schemaSQL(of: name) ?? ""
            let rows = try db.query("SELECT * FROM \(name)").allValues()
                .map { $0.map(\.description).joined(separator: "|") }.sorted()
            state[name] = definition + "\n" + rows.joined(separator: "\n")
        }
        return state
    }

    /// Each index answers like a scan: the rows an equality lookup through the index returns are the
    /// rows whose column has that value.
    static func checkIndexes(_ db: Database, context: String) throws {
        guard try db.tableNames().contains("acct") else { return }
        let owners = try db.query("SELECT owner, count(*) FROM acct GROUP BY owner").allValues()
        for row in owners {
            let found = try db.query("SELECT count(*) FROM acct WHERE owner = $1", [row[0]]).allValues()
            #expect(found.first?.first == row[1], "\(context): index acct_owner disagrees for \(row[0])")
        }
    }

    static func makeStep(_ rng: inout SeededRandom, step: Int) -> [String] {
        func owner() -> String { "owner-\(Int.random(in: 0..<12, using: &rng))" }
        func id() -> Int { Int.random(in: 0..<60, using: &rng) }
        func dml() -> String {
            switch Int.random(in: 0..<10, using: &rng) {
            case 0..<4:
                return "INSERT INTO acct(id, owner, balance, tag) VALUES (\(id()), '\(owner())', \(Int.random(in: 0..<1000, using: &rng)), 't\(id())') ON CONFLICT DO NOTHING"
            case 4..<6: return "UPDATE acct SET balance = balance + \(Int.random(in: -50..<50, using: &rng)) WHERE owner = '\(owner())'"
            case 6: return "UPDATE acct SET id = id + 100 WHERE id = \(id())"
            case 7: return "DELETE FROM acct WHERE id = \(id())"
            default: return "INSERT INTO log VALUES ('\(owner())', \(step))"
            }
        }
        switch Int.random(in: 0..<100, using: &rng) {
        case 0..<45: return [dml()]
        case 45..<75:
            let body = (0..<Int.random(in: 1...5, using: &rng)).map { _ in dml() }
            return ["BEGIN"] + body + [Int.random(in: 0..<4, using: &rng) == 0 ? "ROLLBACK" : "COMMIT"]
        case 75..<80: return ["CREATE UNIQUE INDEX IF NOT EXISTS acct_tag ON acct(tag)"]
        case 80..<84: return ["DROP INDEX IF EXISTS acct_tag"]
        case 84..<87: return ["ALTER TABLE log ADD COLUMN IF NOT EXISTS extra TEXT"]
        case 87..<89: return ["DROP TABLE IF EXISTS scratch"]
        case 89..<92:
            return ["BEGIN", "CREATE TABLE IF NOT EXISTS scratch(a INTEGER PRIMARY KEY, b TEXT)",
                    "INSERT INTO scratch VALUES (\(id()), 'x') ON CONFLICT DO NOTHING", "COMMIT"]
        case 92..<95: return ["@checkpoint"]
        case 95..<97: return ["@collect"]
        default: return ["@reopen"]
        }
    }

    /// Runs one step's statements on one session; a statement that fails (a duplicate for a unique
    /// index, say) fails as it would for a user, and the block then rolls back.
    static func run(_ step: [String], on db: inout Database, fs: SimulatedFileSystem) throws {
        switch step.first {
        case "@checkpoint": try db.checkpoint(); return
        case "@collect": try db.collectVersions(); return
        case "@reopen":
            try db.close()
            db = try Database.open(path: "crash.db", config: config(fs))
            return
        default: break
        }
        let session = db.session()
        for statement in step {
            do {
                try session.execute(statement)
            } catch let error as BasaltError where error.code.rawValue.hasPrefix("23") || error.code.rawValue == "25P02" {
                continue
            }
        }
        if session.inTransaction { try session.execute("ROLLBACK") }
    }

    static func verify(_ fs: SimulatedFileSystem, before: State, after: State, context: String) throws {
        let db = try Database.open(path: "crash.db", config: config(fs))
        let found = try state(db)
        if found != before && found != after {
            let tables = Set(found.keys).union(before.keys).union(after.keys).sorted()
            let differing = tables.filter { found[$0] != before[$0] && found[$0] != after[$0] }
            let detail = differing.map { "\($0):\nfound:\n\(found[$0] ?? "-")\nbefore:\n\(before[$0] ?? "-")\nafter:\n\(after[$0] ?? "-")" }
            Issue.record("\(context): recovered state differs from before and after the step in \(differing): \(detail.first?.prefix(1500) ?? "")")
        }
        try checkIndexes(db, context: context)
        #expect(try db.checkIntegrity().isClean, "\(context): integrity check failed")
        try db.close()
    }

    static func runWorkload(seed: UInt64, steps: Int, fs: SimulatedFileSystem,
                            afterStep: (Int, State, State) throws -> Void) throws -> Int {
        var rng = SeededRandom(seed: seed)
        var db = try Database.open(path: "crash.db", config: config(fs))
        // The schema in one transaction: a crash during it leaves all of it or nothing.
        try db.execute("""
            BEGIN;
            CREATE TABLE acct(id INTEGER PRIMARY KEY, owner TEXT NOT NULL, balance BIGINT, tag VARCHAR(20));
            CREATE INDEX acct_owner ON acct(owner);
            CREATE TABLE log(msg TEXT, n INTEGER);
            COMMIT
            """)
        var before = try state(db)
        try afterStep(-1, [:], before)
        for number in 0..<steps {
            let step = makeStep(&rng, step: number)
            try run(step, on: &db, fs: fs)
            let after = try state(db)
            try afterStep(number, before, after)
            before = after
        }
        try db.close()
        return fs.changingOperationCount
    }

    @Test(arguments: 0..<3)
    func sqlCrashAnywhereRecoversToBeforeOrAfterTheStep(shard: Int) throws {
        var points = 0
        let seed = UInt64(0x5A1 + shard)
        let operations = try Self.runWorkload(seed: seed, steps: 60, fs: SimulatedFileSystem()) { _, _, _ in }
        var rng = SeededRandom(seed: seed ^ 0xC4A5)
        let schedule = (0..<120).map { _ in Int.random(in: 1...operations, using: &rng) }
        let fs = SimulatedFileSystem()
        fs.scheduleCrashSnapshots(at: schedule, seed: seed)
        _ = try Self.runWorkload(seed: seed, steps: 60, fs: fs) { number, before, after in
            for snapshot in fs.takeCrashSnapshots() {
                points += 1
                try Self.verify(snapshot.fileSystem, before: before, after: after,
                                context: "seed \(seed) step \(number) crash before operation \(snapshot.operation)")
            }
        }
        print("SQL crash shard \(shard): \(points) crash points over \(operations) operations")
        #expect(points >= 60)
    }
}
