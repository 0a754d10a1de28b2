import Basalt
import Foundation
import Testing

@Suite struct SQLAlterViewTests {
    static func withRows() throws -> Database {
        let db = try SQLTest.open()
        try db.execute("CREATE TABLE t (id INT PRIMARY KEY, name TEXT, score INT)")
        try db.execute("INSERT INTO t VALUES (1, 'a', 10), (2, 'b', 20), (3, 'c', NULL)")
        return db
    }

    @Test func addColumnOldRowsReadNull() throws {
        let db = try Self.withRows()
        try db.execute("ALTER TABLE t ADD COLUMN extra TEXT")
        #expect(try db.query("SELECT * FROM t").columns == ["id", "name", "score", "extra"])
        #expect(try db.column("SELECT extra FROM t ORDER BY id") == ["NULL", "NULL", "NULL"])
        try db.execute("INSERT INTO t VALUES (4, 'd', 40, 'x')")
        try db.execute("UPDATE t SET extra = 'u' WHERE id = 1")
        #expect(try db.rows("SELECT id, extra FROM t ORDER BY id") == [["1", "u"], ["2", "NULL"], ["3", "NULL"], ["4", "x"]])
        expectSQLError("42701", db, "ALTER TABLE t ADD COLUMN name TEXT")
        try db.execute("ALTER TABLE t ADD COLUMN IF NOT EXISTS name TEXT")
        try db.close()
    }

    @Test
    func addColumnWithDefaultFillsOldRows() throws {
        // PostgreSQL fills existing rows with the default.
        let db = try Self.withRows()
        try db.execute("ALTER TABLE t ADD COLUMN flag BOOLEAN NOT NULL DEFAULT true")
        #expect(try db.column("SELECT flag FROM t ORDER BY id") == ["t", "t", "t"])
        try db.close()
    }

    @Test func dropColumnRemovesItAndKeepsOthers() throws {
        let db = try Self.withRows()
        try db.execute("ALTER TABLE t DROP COLUMN score")
        #expect(try db.query("SELECT * FROM t").columns == ["id", "name"])
        #expect(try db.rows("SELECT * FROM t ORDER BY id") == [["1", "a"], ["2", "b"], ["3", "c"]])
        expectSQLError("42703", db, "SELECT score FROM t")
        expectSQLError("42703", db, "ALTER TABLE t DROP COLUMN score")
        try db.execute("ALTER TABLE t DROP COLUMN IF EXISTS score")
        try db.execute("INSERT INTO t VALUES (4, 'd')")
        #expect(try db.column("SELECT name FROM t ORDER BY id") == ["a", "b", "c", "d"])
        try db.close()
    }

    @Test
    func addColumnAfterDropColumnReadsNullForOldRows() throws {
        let db = try Self.withRows()
        try db.execute("ALTER TABLE t DROP COLUMN score")
        try db.execute("INSERT INTO t VALUES (4, 'd')")
        try db.execute("ALTER TABLE t ADD COLUMN score INT")
        #expect(try db.column("SELECT score FROM t ORDER BY id") == ["NULL", "NULL", "NULL", "NULL"])
        #expect(try db.column("SELECT name FROM t ORDER BY id") == ["a", "b", "c", "d"])
        try db.close()
    }

    @Test
    func dropMiddleColumnKeepsOtherColumnsReadable() throws {
        let db = try Self.withRows()
        try db.execute("ALTER TABLE t DROP COLUMN name")
        #expect(try db.query("SELECT * FROM t").columns == ["id", "score"])
        #expect(try db.rows("SELECT * FROM t ORDER BY id") == [["1", "10"], ["2", "20"], ["3", "NULL"]])
        try db.execute("INSERT INTO t VALUES (4, 40)")
        #expect(try db.column("SELECT score FROM t ORDER BY id") == ["10", "20", "NULL", "40"])
        try db.close()
    }

    @Test
    func dropColumnKeepsUnrelatedCheckConstraints() throws {
        let db = try SQLTest.open()
        try db.execute("CREATE TABLE t (id INT PRIMARY KEY, price INT CHECK (price > 0), p INT)")
        try db.execute("ALTER TABLE t DROP COLUMN p")
        expectSQLError("23514", db, "INSERT INTO t VALUES (1, -1)")
        #expect(try db.count("t") == 0)
        try db.close()
    }

    @Test
    func renameColumnNotUsedByCheck() throws {
        let db = try SQLTest.open()
        try db.execute("CREATE TABLE t (id INT PRIMARY KEY, s TEXT, score INT CHECK (score >= 0))")
        try db.execute("ALTER TABLE t RENAME COLUMN s TO label")
        #expect(try db.query("SELECT * FROM t").columns == ["id", "label", "score"])
        expectSQLError("23514", db, "INSERT INTO t VALUES (1, 'x', -1)")
        try db.close()
    }

    @Test
    func dropIndexedColumnDropsItsIndex() throws {
        let db = try Self.withRows()
        try db.execute("CREATE INDEX t_score ON t (score)")
        try db.execute("ALTER TABLE t DROP COLUMN score")
        // PostgreSQL drops the index with the column: the name is free again.
        try db.execute("CREATE INDEX t_score ON t (name)")
        #expect(try db.column("SELECT id FROM t WHERE name = 'b'") == ["2"])
        try db.close()
    }

    @Test func renameColumnKeepsData() throws {
        let db = try Self.withRows()
        try db.execute("CREATE INDEX t_name ON t (name)")
        try db.execute("ALTER TABLE t RENAME COLUMN name TO label")
        #expect(try db.query("SELECT * FROM t").columns == ["id", "label", "score"])
        #expect(try db.column("SELECT label FROM t ORDER BY id") == ["a", "b", "c"])
        #expect(try db.column("SELECT id FROM t WHERE label = 'c'") == ["3"])
        expectSQLError("42703", db, "SELECT name FROM t")
        expectSQLError("42703", db, "ALTER TABLE t RENAME COLUMN nope TO x")
        expectSQLError("42701", db, "ALTER TABLE t RENAME COLUMN label TO score")
        try db.close()
    }

    @Test func renameTableKeepsDataAndFreesOldName() throws {
        let db = try Self.withRows()
        try db.execute("ALTER TABLE t RENAME TO renamed")
        #expect(try db.count("renamed") == 3)
        expectSQLError("42P01", db, "SELECT * FROM t")
        try db.execute("CREATE TABLE t (x INT)")
        #expect(try db.count("t") == 0)
        expectSQLError("42P07", db, "ALTER TABLE renamed RENAME TO t")
        expectSQLError("42P01", db, "ALTER TABLE nope RENAME TO other")
        // Constraints follow the table.
        expectSQLError("23505", db, "INSERT INTO renamed VALUES (1, 'dup', 0)")
        try db.close()
    }

    @Test func alterInRolledBackBlockLeavesTableUnchanged() throws {
        let db = try Self.withRows()
        let session = db.session()
        try session.execute("BEGIN")
        try session.execute("ALTER TABLE t ADD COLUMN extra INT")
        try session.execute("ALTER TABLE t DROP COLUMN score")
        try session.execute("ALTER TABLE t RENAME TO t2")
        try session.execute("ROLLBACK")
        #expect(try db.query("SELECT * FROM t").columns == ["id", "name", "score"])
        #expect(try db.column("SELECT score FROM t ORDER BY id") == ["10", "20", "NULL"])
        try db.close()
    }

    @Test func createSelectAndDropView() throws {
        let db = try Self.withRows()
        try db.execute("CREATE VIEW scored AS SELECT id, upper(name) AS big, score * 2 AS doubled FROM t WHERE score IS NOT NULL")
        let rows = try db.query("SELECT * FROM scored ORDER BY id")
        #expect(rows.columns == ["id", "big", "doubled"])
        #expect(try rows.strings() == [["1", "A", "20"], ["2", "B", "40"]])
        // The view reads current data, and can be joined and filtered.
        try db.execute("INSERT INTO t VALUES (4, 'd', 5)")
        #expect(try db.column("SELECT big FROM scored WHERE doubled < 30 ORDER BY id") == ["A", "D"])
        #expect(try db.rows("SELECT s.big, t.name FROM scored s JOIN t ON t.id = s.id WHERE s.id = 2") == [["B", "b"]])
        expectSQLError("42P07", db, "CREATE VIEW scored AS SELECT 1")
        expectSQLError("42P07", db, "CREATE VIEW t AS SELECT 1")
        try db.execute("DROP VIEW scored")
        expectSQLError("42P01", db, "SELECT * FROM scored")
        expectSQLError("42P01", db, "DROP VIEW scored")
        try db.execute("DROP VIEW IF EXISTS scored")
        try db.close()
    }

    @Test func createOrReplaceViewAndColumnNames() throws {
        let db = try Self.withRows()
        try db.execute("CREATE VIEW v (a, b) AS SELECT id, name FROM t")
        #expect(try db.query("SELECT * FROM v").columns == ["a", "b"])
        try db.execute("CREATE OR REPLACE VIEW v (a, b) AS SELECT id, name FROM t WHERE id > 1")
        #expect(try db.column("SELECT a FROM v ORDER BY a") == ["2", "3"])
        try db.close()
    }

    @Test func viewOnMissingTableIs42P01() throws {
        let db = try SQLTest.open()
        expectSQLError("42P01", db, "CREATE VIEW v AS SELECT * FROM nope")
        expectSQLError("42P01", db, "SELECT * FROM v")
        try db.close()
    }

    @Test func insertUpdateDeleteOnViewAreErrors() throws {
        // Basalt views are read-only. PostgreSQL would auto-update a simple view; for a view with
        // an expression column it fails with 0A000 / 55000. Any error is acceptable here, and nothing may change.
        let db = try Self.withRows()
        try db.execute("CREATE VIEW v AS SELECT id, upper(name) AS big FROM t")
        for sql in ["INSERT INTO v VALUES (9, 'Z')", "UPDATE v SET id = 9", "DELETE FROM v"] {
            do {
                try db.execute(sql)
                Issue.record("\(sql) succeeded on a view")
            } catch let error as BasaltError {
                #expect(["0A000", "55000", "42809"].contains(error.code.rawValue), "\(sql): \(error)")
            }
        }
        #expect(try db.column("SELECT id FROM t ORDER BY id") == ["1", "2", "3"])
        try db.close()
    }

    @Test
    func dropTableUsedByViewIsRejected() throws {
        // PostgreSQL: 2BP01 cannot drop table t because other objects depend on it.
        let db = try Self.withRows()
        try db.execute("CREATE VIEW v AS SELECT id FROM t")
        expectSQLError("2BP01", db, "DROP TABLE t")
        #expect(try db.count("t") == 3)
        try db.close()
    }

    @Test
    func dropViewOnTableAndDropTableOnViewAre42809() throws {
        let db = try Self.withRows()
        try db.execute("CREATE VIEW v AS SELECT id FROM t")
        // PostgreSQL: 42809 "t" is not a view / "v" is not a table.
        expectSQLError("42809", db, "DROP VIEW t")
        expectSQLError("42809", db, "DROP TABLE v")
        #expect(try db.count("v") == 3)
        try db.close()
    }
}
