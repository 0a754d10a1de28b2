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

    @Test func createIndexWaitsForAnUncommittedInsertAndIndexesIt() throws {
        let db = try Self.open()
        let writer = db.session()
        try writer.execute("BEGIN")
        try writer.execute("INSERT INTO t VALUES (2, 20)")
        let ddl = Background { try db.execute("CREATE INDEX t_k ON t(k)") }
        Thread.sleep(forTimeInterval: 0.2)
        #expect(!ddl.finished, "CREATE INDEX must wait for the transaction writing t")
        // Writers of other tables do not wait for it.
        try db.execute("INSERT INTO u VALUES (1)")
        try writer.execute("COMMIT")
        #expect(ddl.join())
        #expect(ddl.error == nil, "\(String(describing: ddl.error))")
        let plan = try db.column("EXPLAIN SELECT id FROM t WHERE k = 20").joined(separator: "\n")
        #expect(plan.contains("t_k"), "the lookup should use the index: \(plan)")
        #expect(try db.column("SELECT id FROM t WHERE k = 20") == ["2"])
        #expect(try db.column("SELECT id FROM t WHERE k = 10") == ["1"])
        try db.close()
    }

    @Test func insertWaitsForAnUncommittedCreateIndexAndWritesItsEntry() throws {
        let db = try Self.open()
        let ddl = db.session()
        try ddl.execute("BEGIN")
        try ddl.execute("CREATE INDEX t_k ON t(k)")
        let insert = Background { try db.execute("INSERT INTO t VALUES (3, 30)") }
        Thread.sleep(forTimeInterval: 0.2)
        #expect(!insert.finished, "the insert must wait for the uncommitted index on t")
        try db.execute("INSERT INTO u VALUES (1)")
        try ddl.execute("COMMIT")
        #expect(insert.join())
        #expect(insert.error == nil, "\(String(describing: insert.error))")
        #expect(try db.column("SELECT id FROM t WHERE k = 30") == ["3"])
        #expect(try db.column("SELECT count(*) FROM t WHERE k >= 0") == ["2"])
        try db.close()
    }

    @Test func dropTableWaitsForAnUncommittedUpdateThenLeavesNothing() throws {
        let db = try Self.open()
        let writer = db.session()
        try writer.execute("BEGIN")
        try writer.execute("UPDATE t SET k = 11 WHERE id = 1")
        try writer.execute("INSERT INTO t VALUES (4, 40)")
        let ddl = Background { try db.execute("DROP TABLE t") }
        Thread.sleep(forTimeInterval: 0.2)
        #expect(!ddl.finished, "DROP TABLE must wait for the transaction writing t")
        try writer.execute("COMMIT")
        #expect(ddl.join())
        #expect(ddl.error == nil, "\(String(describing: ddl.error))")
        #expect(throws: BasaltError.self) { _ = try db.column("SELECT id FROM t") }
        try db.execute("CREATE TABLE t (id INT PRIMARY KEY, k INT)")
        #expect(try db.column("SELECT count(*) FROM t") == ["0"])
        try db.close()
    }
}
