import Basalt
import Foundation
import Testing

@Suite struct SQLTransactionTests {
    static func withTable() throws -> Database {
        let db = try SQLTest.open()
        try db.execute("CREATE TABLE t (id INT PRIMARY KEY, v TEXT)")
        return db
    }

    @Test func beginCommitMakesChangesVisible() throws {
        let db = try Self.withTable()
        let session = db.session()
        #expect(!session.inTransaction)
        try session.execute("BEGIN")
        #expect(session.inTransaction)
        try session.execute("INSERT INTO t VALUES (1, 'a')")
        try session.execute("INSERT INTO t VALUES (2, 'b')")
        try session.execute("UPDATE t SET v = 'bb' WHERE id = 2")
        #expect(try session.rows("SELECT id, v FROM t ORDER BY id") == [["1", "a"], ["2", "bb"]])
        try session.execute("COMMIT")
        #expect(!session.inTransaction)
        #expect(try db.rows("SELECT id, v FROM t ORDER BY id") == [["1", "a"], ["2", "bb"]])
        try db.close()
    }

    @Test func rollbackDiscardsChanges() throws {
        let db = try Self.withTable()
        try db.execute("INSERT INTO t VALUES (1, 'keep')")
        let session = db.session()
        try session.execute("START TRANSACTION")
        try session.execute("INSERT INTO t VALUES (2, 'gone')")
        try session.execute("DELETE FROM t WHERE id = 1")
        #expect(try session.rows("SELECT id FROM t") == [["2"]])
        try session.execute("ROLLBACK")
        #expect(!session.inTransaction)
        #expect(try db.rows("SELECT id, v FROM t") == [["1", "keep"]])
        #expect(try session.rows("SELECT id, v FROM t") == [["1", "keep"]])
        try db.close()
    }

    @Test func scriptWithBeginCommitInOneExecute() throws {
        let db = try Self.withTable()
        try db.execute("BEGIN; INSERT INTO t VALUES (1, 'a'); INSERT INTO t VALUES (2, 'b'); COMMIT")
        #expect(try db.count("t") == 2)
        // A block left open at the end of a script is rolled back.
        try db.execute("BEGIN; INSERT INTO t VALUES (3, 'c')")
        #expect(try db.count("t") == 2)
        try db.close()
    }

    @Test func savepointRollbackToAndRelease() throws {
        let db = try Self.withTable()
        let session = db.session()
        try session.execute("BEGIN")
        try session.execute("INSERT INTO t VALUES (1, 'a')")
        try session.execute("SAVEPOINT s1")
        try session.execute("INSERT INTO t VALUES (2, 'b')")
        try session.execute("SAVEPOINT s2")
        try session.execute("UPDATE t SET v = 'changed'")
        try session.execute("ROLLBACK TO SAVEPOINT s2")
        #expect(try session.rows("SELECT id, v FROM t ORDER BY id") == [["1", "a"], ["2", "b"]])
        try session.execute("ROLLBACK TO s1")
        #expect(try session.rows("SELECT id, v FROM t ORDER BY id") == [["1", "a"]])
        // The savepoint stays after ROLLBACK TO: it can be used again.
        try session.execute("INSERT INTO t VALUES (3, 'c')")
        try session.execute("ROLLBACK TO SAVEPOINT s1")
        try session.execute("INSERT INTO t VALUES (4, 'd')")
        try session.execute("RELEASE SAVEPOINT s1")
        expectSQLError("3B001", session, "ROLLBACK TO SAVEPOINT s1")
        try session.execute("ROLLBACK")
        try session.execute("BEGIN")
        try session.execute("INSERT INTO t VALUES (1, 'a')")
        try session.execute("SAVEPOINT x")
        try session.execute("INSERT INTO t VALUES (4, 'd')")
        try session.execute("RELEASE x")
        try session.execute("COMMIT")
        #expect(try db.rows("SELECT id, v FROM t ORDER BY id") == [["1", "a"], ["4", "d"]])
        try db.close()
    }

    @Test func savepointOutsideBlockIs25P01() throws {
        let db = try Self.withTable()
        let session = db.session()
        expectSQLError("25P01", session, "SAVEPOINT s")
        expectSQLError("25P01", session, "RELEASE SAVEPOINT s")
        expectSQLError("25P01", session, "ROLLBACK TO SAVEPOINT s")
        try session.execute("BEGIN")
        expectSQLError("3B001", session, "ROLLBACK TO SAVEPOINT nope")
        try session.execute("ROLLBACK")
        try db.close()
    }

    @Test func failedStatementAbortsBlockUntilRollback() throws {
        let db = try Self.withTable()
        try db.execute("INSERT INTO t VALUES (1, 'a')")
        let session = db.session()
        try session.execute("BEGIN")
        try session.execute("INSERT INTO t VALUES (2, 'b')")
        expectSQLError("23505", session, "INSERT INTO t VALUES (1, 'dup')")
        let aborted = expectSQLError("25P02", session, "SELECT 1")
        #expect(aborted?.message.contains("aborted") == true)
        expectSQLError("25P02", session, "INSERT INTO t VALUES (3, 'c')")
        expectSQLError("25P02", session, "SAVEPOINT s")
        #expect(session.inTransaction)
        try session.execute("ROLLBACK")
        #expect(try session.rows("SELECT id FROM t ORDER BY id") == [["1"]])
        try db.close()
    }

    @Test func commitOfFailedBlockRollsBack() throws {
        let db = try Self.withTable()
        let session = db.session()
        try session.execute("BEGIN")
        try session.execute("INSERT INTO t VALUES (1, 'a')")
        expectSQLError("22012", session, "SELECT 1 / 0")
        try session.execute("COMMIT")
        #expect(!session.inTransaction)
        #expect(try db.count("t") == 0)
        // The session works normally afterwards.
        try session.execute("INSERT INTO t VALUES (2, 'b')")
        #expect(try db.column("SELECT id FROM t") == ["2"])
        try db.close()
    }

    @Test func rollbackToSavepointRecoversFromFailedStatement() throws {
        let db = try Self.withTable()
        let session = db.session()
        try session.execute("BEGIN")
        try session.execute("INSERT INTO t VALUES (1, 'a')")
        try session.execute("SAVEPOINT before")
        try session.execute("INSERT INTO t VALUES (2, 'b')")
        expectSQLError("42P01", session, "SELECT * FROM nope")
        expectSQLError("25P02", session, "SELECT 1")
        try session.execute("ROLLBACK TO SAVEPOINT before")
        try session.execute("INSERT INTO t VALUES (3, 'c')")
        try session.execute("COMMIT")
        #expect(try db.column("SELECT id FROM t ORDER BY id") == ["1", "3"])
        try db.close()
    }

    @Test func rollbackToSavepointUndoesPartiallyAppliedFailedInsert() throws {
        let db = try Self.withTable()
        let session = db.session()
        try session.execute("BEGIN")
        try session.execute("INSERT INTO t VALUES (1, 'a')")
        try session.execute("SAVEPOINT s")
        // The multi-row insert fails on its third row: rows 2 and 3 must not stay behind.
        expectSQLError("23505", session, "INSERT INTO t VALUES (2, 'b'), (3, 'c'), (1, 'dup')")
        try session.execute("ROLLBACK TO s")
        #expect(try session.rows("SELECT id FROM t ORDER BY id") == [["1"]])
        try session.execute("COMMIT")
        #expect(try db.column("SELECT id FROM t ORDER BY id") == ["1"])
        try db.close()
    }

    @Test func rollbackToSavepointUndoesPartiallyAppliedFailedUpdate() throws {
        let db = try Self.withTable()
        try db.execute("INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, 'c')")
        let session = db.session()
        try session.execute("BEGIN")
        try session.execute("SAVEPOINT s")
        // Rows 1 and 2 are updated before row 3 divides by zero.
        expectSQLError("22012", session, "UPDATE t SET v = (10 / (3 - id))::text")
        try session.execute("ROLLBACK TO SAVEPOINT s")
        #expect(try session.rows("SELECT v FROM t ORDER BY id") == [["a"], ["b"], ["c"]])
        try session.execute("COMMIT")
        #expect(try db.column("SELECT v FROM t ORDER BY id") == ["a", "b", "c"])
        try db.close()
    }

    @Test func autocommitFailureChangesNothing() throws {
        let db = try Self.withTable()
        try db.execute("INSERT INTO t VALUES (1, 'a'), (2, 'b')")
        expectSQLError("23505", db, "INSERT INTO t VALUES (3, 'c'), (4, 'd'), (1, 'dup')")
        expectSQLError("23505", db, "UPDATE t SET id = id + 1")
        expectSQLError("22012", db, "DELETE FROM t WHERE id / (id - 2) > 0")
        #expect(try db.rows("SELECT id, v FROM t ORDER BY id") == [["1", "a"], ["2", "b"]])
        // A script keeps the statements before the failing one (each its own transaction).
        expectSQLError("23505") { try db.execute("INSERT INTO t VALUES (5, 'e'); INSERT INTO t VALUES (1, 'x'); INSERT INTO t VALUES (6, 'f')") }
        #expect(try db.column("SELECT id FROM t ORDER BY id") == ["1", "2", "5"])
        try db.close()
    }

    @Test func uncommittedRowsAreInvisibleToOtherSessions() throws {
        let db = try Self.withTable()
        try db.execute("INSERT INTO t VALUES (1, 'old')")
        let writer = db.session()
        let reader = db.session()
        try writer.execute("BEGIN")
        try writer.execute("INSERT INTO t VALUES (2, 'new')")
        try writer.execute("UPDATE t SET v = 'changed' WHERE id = 1")
        #expect(try reader.rows("SELECT id, v FROM t ORDER BY id") == [["1", "old"]])
        #expect(try db.rows("SELECT id, v FROM t ORDER BY id") == [["1", "old"]])
        try writer.execute("COMMIT")
        #expect(try reader.rows("SELECT id, v FROM t ORDER BY id") == [["1", "changed"], ["2", "new"]])
        try db.close()
    }

    @Test func repeatableReadSessionDoesNotSeeLaterCommits() throws {
        let db = try Self.withTable()
        try db.execute("INSERT INTO t VALUES (1, 'a')")
        let reader = db.session()
        try reader.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
        #expect(try reader.rows("SELECT count(*) FROM t") == [["1"]])
        try db.execute("INSERT INTO t VALUES (2, 'b')")
        #expect(try reader.rows("SELECT count(*) FROM t") == [["1"]])
        try reader.execute("COMMIT")
        #expect(try reader.rows("SELECT count(*) FROM t") == [["2"]])
        try db.close()
    }

    @Test func readCommittedSessionSeesLaterCommits() throws {
        let db = try Self.withTable()
        try db.execute("INSERT INTO t VALUES (1, 'a')")
        let reader = db.session()
        try reader.execute("BEGIN ISOLATION LEVEL READ COMMITTED")
        #expect(try reader.rows("SELECT count(*) FROM t") == [["1"]])
        try db.execute("INSERT INTO t VALUES (2, 'b')")
        #expect(try reader.rows("SELECT count(*) FROM t") == [["2"]])
        try reader.execute("COMMIT")
        try db.close()
    }

    @Test func setTransactionIsolationBeforeFirstQueryAndShow() throws {
        let db = try Self.withTable()
        let session = db.session()
        #expect(try session.rows("SHOW transaction_isolation") == [["serializable"]])
        try session.execute("BEGIN")
        try session.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        #expect(try session.rows("SHOW transaction_isolation") == [["repeatable read"]])
        try session.execute("SELECT 1")
        // After the first query it is too late: 25001.
        expectSQLError("25001", session, "SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
        try session.execute("ROLLBACK")
        try session.execute("BEGIN ISOLATION LEVEL READ COMMITTED")
        #expect(try session.rows("SHOW transaction_isolation") == [["read committed"]])
        try session.execute("COMMIT")
        #expect(try session.rows("SHOW transaction_isolation") == [["serializable"]])
        try db.close()
    }

    @Test func setTransactionOutsideBlockAppliesToNextTransactionOnly() throws {
        let db = try Self.withTable()
        let session = db.session()
        try session.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
        try session.execute("BEGIN")
        #expect(try session.rows("SHOW transaction_isolation") == [["read committed"]])
        try session.execute("COMMIT")
        try session.execute("BEGIN")
        #expect(try session.rows("SHOW transaction_isolation") == [["serializable"]])
        try session.execute("COMMIT")
        try db.close()
    }

    @Test func readOnlyTransactionRejectsWrites() throws {
        let db = try Self.withTable()
        let session = db.session()
        try session.execute("BEGIN READ ONLY")
        // PostgreSQL: 25006 cannot execute INSERT in a read-only transaction.
        expectSQLError("25006", session, "INSERT INTO t VALUES (1, 'a')")
        try session.execute("ROLLBACK")
        #expect(try db.count("t") == 0)
        try db.close()
    }

    @Test func concurrentWritersOfSameRowSerializableFailOrSerialize() throws {
        let db = try Self.withTable()
        try db.execute("INSERT INTO t VALUES (1, '0')")
        let a = db.session(), b = db.session()
        try a.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
        try b.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
        #expect(try a.rows("SELECT v FROM t WHERE id = 1") == [["0"]])
        #expect(try b.rows("SELECT v FROM t WHERE id = 1") == [["0"]])
        try a.execute("UPDATE t SET v = 'a' WHERE id = 1")
        try a.execute("COMMIT")
        // b's snapshot predates a's commit: updating the same row is a serialization failure (40001).
        expectSQLError("40001", b, "UPDATE t SET v = 'b' WHERE id = 1")
        try b.execute("ROLLBACK")
        #expect(try db.scalar("SELECT v FROM t WHERE id = 1") == "a")
        try db.close()
    }

    @Test
    func rollbackToSavepointRestoresDroppedTable() throws {
        let db = try SQLTest.open()
        let session = db.session()
        try session.execute("BEGIN")
        try session.execute("CREATE TABLE u (a INT)")
        try session.execute("SAVEPOINT s")
        try session.execute("DROP TABLE u")
        try session.execute("ROLLBACK TO SAVEPOINT s")
        try session.execute("INSERT INTO u VALUES (1)")
        try session.execute("COMMIT")
        #expect(try db.column("SELECT a FROM u") == ["1"])
        try db.close()
    }

    @Test
    func rollbackToSavepointForgetsCreatedTable() throws {
        let db = try SQLTest.open()
        let session = db.session()
        try session.execute("BEGIN")
        try session.execute("SAVEPOINT s")
        try session.execute("CREATE TABLE w (a INT)")
        try session.execute("ROLLBACK TO SAVEPOINT s")
        expectSQLError("42P01", session, "INSERT INTO w VALUES (1)")
        try session.execute("ROLLBACK")
        try db.execute("CREATE TABLE w (b TEXT)")
        #expect(try db.count("w") == 0)
        #expect(try db.checkIntegrity().isClean)
        try db.close()
    }

    @Test func savepointRollbackKeepsIndexConsistentAfterDeleteAndReinsert() throws {
        let db = try SQLTest.open()
        try db.execute("CREATE TABLE t (id INT PRIMARY KEY, k INT); CREATE INDEX t_k ON t (k); INSERT INTO t VALUES (1, 10), (2, 20)")
        let session = db.session()
        try session.execute("BEGIN")
        try session.execute("DELETE FROM t WHERE id = 1")
        try session.execute("INSERT INTO t VALUES (1, 30)")
        try session.execute("SAVEPOINT s")
        try session.execute("UPDATE t SET k = 40 WHERE id = 1")
        try session.execute("ROLLBACK TO s")
        #expect(try session.rows("SELECT id FROM t WHERE k = 30") == [["1"]])
        #expect(try session.rows("SELECT id FROM t WHERE k = 40").isEmpty)
        #expect(try session.rows("SELECT id FROM t WHERE k = 10").isEmpty)
        try session.execute("COMMIT")
        #expect(try db.rows("SELECT id, k FROM t WHERE k IN (10, 30, 40)") == [["1", "30"]])
        try db.close()
    }

    @Test func ddlInsideBlockIsTransactional() throws {
        let db = try Self.withTable()
        try db.execute("INSERT INTO t VALUES (1, 'a')")
        let session = db.session()
        try session.execute("BEGIN")
        try session.execute("DROP TABLE t")
        expectSQLError("42P01", session, "SELECT * FROM t")
        #expect(try db.count("t") == 1)
        try session.execute("ROLLBACK")
        #expect(try db.rows("SELECT id, v FROM t") == [["1", "a"]])
        try db.close()
    }
}
