import Basalt
import Foundation
import Synchronization
import Testing

/// DDL against concurrent writers of the same table: a schema change waits for the transactions
/// writing the table's rows, and a writer waits for an uncommitted schema change of its table, so no
/// row is ever written under a schema that is no longer the table's (an index missing an entry, rows of
/// a dropped table left behind).
@Suite struct SQLConcurrentDDLTests {
    /// Runs `body` on its own thread; `finished` turns true when it returns (its error is kept).
    final class Background: @unchecked Sendable {
        // Written by the thread before `finished` is set (release) and read after it is seen (acquire).
        private(set) var error: (any Error)?
        private let done = Atomic<Bool>(false)

        init(_ body: @escaping @Sendable () throws -> Void) {
            let thread = Thread { [self] in
                do { try body() } catch { self.error = error }
                self.done.store(true, ordering: .releasing)
            }
            thread.start()
        }

        var finished: Bool { done.load(ordering: .acquiring) }

        /// Waits up to `seconds` for the body to return; false on timeout.
        func join(seconds: Double = 10) -> Bool {
            let deadline = Date().addingTimeInterval(seconds)
            while !finished && Date() < deadline { Thread.sleep(forTimeInterval: 0.005) }
            return finished
        }
    }

    static func open() throws -> Database {
        let db = try SQLTest.open()
        try db.execute("CREATE TABLE t (id INT PRIMARY KEY, k INT)")
        try db.execute("CREATE TABLE u (id INT PRIMARY KEY)")
        try db.execute("INSERT INTO t VALUES (1, 10)")
        return db
    }

    /// Runs `held` in an open transaction, then `blocked` (autocommit) on another thread: `blocked` must
    /// reach a lock wait (seen in `db.locks()`, however late its thread runs) and still be waiting while
    /// a write to the other table u goes through, and finish without error once the transaction commits.
    static func expectWaits(_ db: Database, held: [String], blocked: String,
                            sourceLocation: SourceLocation = #_sourceLocation) throws {
        let holder = db.session()
        try holder.execute("BEGIN")
        for statement in held { try holder.execute(statement) }
        let waiter = BlockingStep { () throws -> Void in _ = try db.execute(blocked) }
        #expect(waiter.waitsForLock(nil, in: db),   // only the waiter can be waiting
                "\(blocked) must wait for the transaction of \(held)", sourceLocation: sourceLocation)
        try db.execute("INSERT INTO u VALUES (1)")
        try holder.execute("COMMIT")
        let outcome = waiter.join()
        #expect(outcome != nil, "\(blocked) still waits after the commit", sourceLocation: sourceLocation)
        #expect(outcome?.failureCode == nil, "\(String(describing: outcome))", sourceLocation: sourceLocation)
    }

    @Test func createIndexWaitsForAnUncommittedInsertAndIndexesIt() throws {
        let db = try Self.open()
        try Self.expectWaits(db, held: ["INSERT INTO t VALUES (2, 20)"], blocked: "CREATE INDEX t_k ON t(k)")
        let plan = try db.column("EXPLAIN SELECT id FROM t WHERE k = 20").joined(separator: "\n")
        #expect(plan.contains("t_k"), "the lookup should use the index: \(plan)")
        #expect(try db.column("SELECT id FROM t WHERE k = 20") == ["2"])
        #expect(try db.column("SELECT id FROM t WHERE k = 10") == ["1"])
        try db.close()
    }

    @Test func insertWaitsForAnUncommittedCreateIndexAndWritesItsEntry() throws {
        let db = try Self.open()
        try Self.expectWaits(db, held: ["CREATE INDEX t_k ON t(k)"], blocked: "INSERT INTO t VALUES (3, 30)")
        #expect(try db.column("SELECT id FROM t WHERE k = 30") == ["3"])
        #expect(try db.column("SELECT count(*) FROM t WHERE k >= 0") == ["2"])
        try db.close()
    }

    @Test func dropTableWaitsForAnUncommittedUpdateThenLeavesNothing() throws {
        let db = try Self.open()
        try Self.expectWaits(db, held: ["UPDATE t SET k = 11 WHERE id = 1", "INSERT INTO t VALUES (4, 40)"],
                             blocked: "DROP TABLE t")
        #expect(throws: BasaltError.self) { _ = try db.column("SELECT id FROM t") }
        try db.execute("CREATE TABLE t (id INT PRIMARY KEY, k INT)")
        #expect(try db.column("SELECT count(*) FROM t") == ["0"])
        try db.close()
    }

    /// Serialization failures, deadlocks and lock timeouts: the expected outcomes of contention.
    static let contention: Set<String> = ["40001", "40P01", "55P03"]

    /// One writer's transactions until `deadline`: one to three inserts, updates or deletes of t each,
    /// held open a moment so that schema changes meet uncommitted rows.
    static func writeUntil(_ deadline: Date, _ db: Database, seed: UInt64, firstID: Int) throws {
        var rng = SeededRandom(seed: seed)
        var next = firstID
        let session = db.session()
        let insert = try session.prepare("INSERT INTO t VALUES ($1, $2)")
        let update = try session.prepare("UPDATE t SET k = $1 WHERE id = $2")
        let delete = try session.prepare("DELETE FROM t WHERE id = $1")
        while Date() < deadline {
            do {
                try session.execute("BEGIN")
                for _ in 0..<Int.random(in: 1...3, using: &rng) {
                    let k: Int = Int.random(in: 0..<20, using: &rng)
                    switch Int.random(in: 0..<3, using: &rng) {
                    case 0:
                        _ = try insert.execute([next, k])
                        next += 1
                    case 1:
                        let id: Int = Int.random(in: 0..<200, using: &rng)
                        _ = try update.execute([k, id])
                    default:
                        let id: Int = Int.random(in: 0..<next, using: &rng)
                        _ = try delete.execute([id])
                    }
                }
                Thread.sleep(forTimeInterval: Double.random(in: 0...0.002, using: &rng))
                try session.execute("COMMIT")
            } catch let error as BasaltError where contention.contains(error.code.rawValue) {
                try session.execute("ROLLBACK")
            }
        }
    }

    /// Writers from two threads while a third creates and drops an index on t over and over: the index
    /// then holds exactly the table's rows (each lookup through it equals a scan that cannot use it).
    @Test func indexChurnUnderConcurrentWritersKeepsIndexAndTableInStep() throws {
        let seed = UInt64.random(in: 0...UInt64(UInt32.max))
        let db = try SQLTest.open()
        try db.execute("CREATE TABLE t (id INT PRIMARY KEY, k INT)")
        for id in 0..<200 { try db.execute("INSERT INTO t VALUES ($1, $2)", [id, id % 20]) }
        let deadline = Date().addingTimeInterval(1.5)
        let first = Background { try Self.writeUntil(deadline, db, seed: seed, firstID: 1_000) }
        let second = Background { try Self.writeUntil(deadline, db, seed: seed &+ 1, firstID: 100_000) }
        // The last build happens while the writers still run, so the index checked below is one built
        // under concurrent writes (a rebuild after they stopped would hide a missed row).
        let ddl = Background {
            var built = false
            while !built {
                do {
                    try db.execute("CREATE INDEX IF NOT EXISTS t_k ON t (k)")
                    if Date() >= deadline.addingTimeInterval(-0.4) {
                        built = true
                    } else {
                        Thread.sleep(forTimeInterval: 0.005)
                        try db.execute("DROP INDEX IF EXISTS t_k")
                    }
                } catch let error as BasaltError where Self.contention.contains(error.code.rawValue) {
                    continue
                }
            }
        }
        for thread in [first, second, ddl] {
            #expect(thread.join(seconds: 60), "seed \(seed): a thread did not finish")
            #expect(thread.error == nil, "seed \(seed): \(String(describing: thread.error))")
        }
        let plan = try db.column("EXPLAIN SELECT count(*) FROM t WHERE k = 3").joined(separator: "\n")
        #expect(plan.contains("t_k"), "seed \(seed): \(plan)")
        for k in 0..<20 {
            let indexed = try db.scalar("SELECT count(*) FROM t WHERE k = $1", [k])
            let scanned = try db.scalar("SELECT count(*) FROM t WHERE k + 0 = $1", [k])
            #expect(indexed == scanned, "seed \(seed): k = \(k): \(indexed) through the index, \(scanned) in the table")
        }
        #expect(try db.checkIntegrity().isClean, "seed \(seed)")
        try db.close()
    }
}
