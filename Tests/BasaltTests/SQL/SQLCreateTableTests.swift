import Basalt
import Foundation
import Testing

@Suite struct SQLCreateTableTests {
    @Test func integerTypesRoundTrip() throws {
        let db = try SQLTest.open()
        try db.execute("CREATE TABLE t (a INTEGER, b BIGINT, c SMALLINT, d INT, e INT8, f INT2)")
        try db.execute("INSERT INTO t VALUES (2147483647, 9223372036854775807, 32767, -2147483648, -9223372036854775808, -32768)")
        try db.execute("INSERT INTO t VALUES ($1, $2, $3, NULL, NULL, NULL)", [1, Int64(2), Int16(3)])
        let rows = try db.query("SELECT a, b, c, d, e, f FROM t ORDER BY a").tagged()
        #expect(rows == [["i:1", "i:2", "i:3", "NULL", "NULL", "NULL"],
                         ["i:2147483647", "i:9223372036854775807", "i:32767", "i:-2147483648",
                          "i:-9223372036854775808", "i:-32768"]])
        try db.close()
    }

    @Test func floatingTypesRoundTrip() throws {
        let db = try SQLTest.open()
        try db.execute("CREATE TABLE t (a REAL, b DOUBLE PRECISION, c FLOAT8)")
        try db.execute("INSERT INTO t VALUES (1.5, 0.1, -2.25e10)")
        try db.execute("INSERT INTO t VALUES ($1, $2, $3)", [0.25, 1e300, Double(-0.5)])
        let rows = try db.query("SELECT a, b, c FROM t ORDER BY a").tagged()
        #expect(rows == [["d:0.25", "d:1e+300", "d:-0.5"], ["d:1.5", "d:0.1", "d:-22500000000"]])
        try db.close()
    }

    @Test func numericWithPrecisionAndScaleRoundsToScale() throws {
        let db = try SQLTest.open()
        try db.execute("CREATE TABLE t (id INT, n NUMERIC(10,2), m DECIMAL(5,0), x NUMERIC)")
        try db.execute("INSERT INTO t VALUES (1, 12.5, 12345, 1.23456), (2, 3.14159, -7.5, 0), (3, 0.005, 0.4, NULL)")
        let rows = try db.query("SELECT n, m, x FROM t ORDER BY id").tagged()
        // PostgreSQL rounds half away from zero to the column's scale.
        #expect(rows == [["n:12.50", "n:12345", "n:1.23456"], ["n:3.14", "n:-8", "n:0"], ["n:0.01", "n:0", "NULL"]])
        try db.close()
    }

    @Test func numericPrecisionOverflowIs22003() throws {
        let db = try SQLTest.open()
        try db.execute("CREATE TABLE t (n NUMERIC(4,2))")
        try db.execute("INSERT INTO t VALUES (99.99)")
        expectSQLError("22003", db, "INSERT INTO t VALUES (100)")
        #expect(try db.column("SELECT n FROM t") == ["99.99"])
        try db.close()
    }

    @Test func textTypesRoundTripAndCharPads() throws {
        let db = try SQLTest.open()
        try db.execute("CREATE TABLE t (id INT, a TEXT, b VARCHAR(5), c CHAR(5), d CHARACTER VARYING(3))")
        try db.execute("INSERT INTO t VALUES (1, 'héllo wörld ✓', 'abc', 'ab', 'xyz'), (2, '', '', '', NULL)")
        try db.execute("INSERT INTO t VALUES (3, $1, $2, $3, $4)", ["it's", "a'b", "q", "z"])
        let rows = try db.query("SELECT a, b, c, d FROM t ORDER BY id").tagged()
        #expect(rows == [["t:héllo wörld ✓", "t:abc", "t:ab   ", "t:xyz"],
                         ["t:", "t:", "t:     ", "NULL"],
                         ["t:it's", "t:a'b", "t:q    ", "t:z"]])
        // char(n) comparisons ignore the padding.
        #expect(try db.column("SELECT id FROM t WHERE c = 'ab'") == ["1"])
        try db.close()
    }

    @Test func byteaAndBlobRoundTrip() throws {
        let db = try SQLTest.open()
        try db.execute("CREATE TABLE t (id INT, a BYTEA, b BLOB)")
        try db.execute("INSERT INTO t VALUES (1, '\\x00ff10'::bytea, $1)", [[UInt8]([0, 1, 2, 255])])
        try db.execute("INSERT INTO t VALUES (2, $1, $2)", [Data([7, 8]), [UInt8]()])
        let rows = try db.query("SELECT a, b FROM t ORDER BY id").tagged()
        #expect(rows == [["b:\\x00ff10", "b:\\x000102ff"], ["b:\\x0708", "b:\\x"]])
        let raw = try db.query("SELECT b FROM t WHERE id = 1").allValues()
        #expect(raw.first?.first == .blob([0, 1, 2, 255]))
        try db.close()
    }

    @Test func booleanRoundTrip() throws {
        let db = try SQLTest.open()
        try db.execute("CREATE TABLE t (id INT, b BOOLEAN, c BOOL)")
        try db.execute("INSERT INTO t VALUES (1, true, 'f'), (2, false, 'yes'), (3, NULL, $1)", [true])
        #expect(try db.query("SELECT b, c FROM t ORDER BY id").tagged() == [["B:t", "B:f"], ["B:f", "B:t"], ["NULL", "B:t"]])
        #expect(try db.column("SELECT id FROM t WHERE b") == ["1"])
        #expect(try db.column("SELECT id FROM t WHERE NOT b") == ["2"])
        try db.close()
    }

    @Test func dateAndTimestampRoundTrip() throws {
        let db = try SQLTest.open()
        try db.execute("CREATE TABLE t (id INT, d DATE, ts TIMESTAMP)")
        try db.execute("INSERT INTO t VALUES (1, '2024-02-29', '2024-02-29 12:34:56.5'), (2, DATE '1969-12-31', TIMESTAMP '1970-01-01 00:00:00')")
        let when = Date(timeIntervalSince1970: 1_700_000_000.25)
        try db.execute("INSERT INTO t VALUES (3, NULL, $1)", [when])
        let rows = try db.query("SELECT d, ts FROM t ORDER BY id").tagged()
        #expect(rows == [["D:2024-02-29", "T:2024-02-29 12:34:56.5"],
                         ["D:1969-12-31", "T:1970-01-01 00:00:00"],
                         ["NULL", "T:2023-11-14 22:13:20.25"]])
        #expect(try db.query("SELECT ts FROM t WHERE id = 3").allValues() == [[.timestamp(1_700_000_000_250_000)]])
        #expect(try db.column("SELECT id FROM t WHERE d < '2000-01-01'") == ["2"])
        try db.close()
    }

    @Test func invalidDateLiteralIs22008() throws {
        let db = try SQLTest.open()
        try db.execute("CREATE TABLE t (d DATE)")
        expectSQLError("22008", db, "INSERT INTO t VALUES ('2023-02-29')")
        #expect(try db.count("t") == 0)
        try db.close()
    }

    @Test func columnTypesAreReported() throws {
        let db = try SQLTest.open()
        try db.execute("CREATE TABLE t (a INTEGER, b TEXT, c BOOLEAN)")
        let rows = try db.query("SELECT a, b, c FROM t")
        #expect(rows.columns == ["a", "b", "c"])
        #expect(try rows.all().isEmpty)
        try db.close()
    }

    @Test func ifNotExistsIsANoOpOnExistingTable() throws {
        let db = try SQLTest.open()
        try db.execute("CREATE TABLE t (a INT)")
        try db.execute("INSERT INTO t VALUES (1)")
        try db.execute("CREATE TABLE IF NOT EXISTS t (b TEXT, c TEXT)")
        #expect(try db.query("SELECT * FROM t").columns == ["a"])
        #expect(try db.column("SELECT a FROM t") == ["1"])
        try db.execute("CREATE TABLE IF NOT EXISTS u (b TEXT)")
        try db.execute("INSERT INTO u VALUES ('x')")
        #expect(try db.column("SELECT b FROM u") == ["x"])
        try db.close()
    }

    @Test func duplicateTableIs42P07() throws {
        let db = try SQLTest.open()
        try db.execute("CREATE TABLE t (a INT)")
        try db.execute("INSERT INTO t VALUES (1)")
        let error = expectSQLError("42P07", db, "CREATE TABLE t (b INT)")
        #expect(error?.message.contains("\"t\"") == true)
        expectSQLError("42P07", db, "CREATE TABLE T (b INT)")   // unquoted names fold to lower case
        #expect(try db.query("SELECT * FROM t").columns == ["a"])
        #expect(try db.count("t") == 1)
        try db.close()
    }

    @Test func duplicateColumnIs42701() throws {
        let db = try SQLTest.open()
        expectSQLError("42701", db, "CREATE TABLE t (a INT, b TEXT, a TEXT)")
        expectSQLError("42P01", db, "SELECT * FROM t")
        try db.close()
    }

    @Test func unknownTypeIs42704() throws {
        let db = try SQLTest.open()
        let error = expectSQLError("42704", db, "CREATE TABLE t (a FROBNITZ)")
        #expect(error?.message.contains("frobnitz") == true)
        expectSQLError("42P01", db, "SELECT * FROM t")
        try db.close()
    }

    @Test func multiplePrimaryKeysIs42P16() throws {
        let db = try SQLTest.open()
        expectSQLError("42P16", db, "CREATE TABLE t (a INT PRIMARY KEY, b INT PRIMARY KEY)")
        expectSQLError("42P16", db, "CREATE TABLE t (a INT PRIMARY KEY, b INT, PRIMARY KEY (b))")
        expectSQLError("42P01", db, "SELECT * FROM t")
        try db.close()
    }

    @Test func compositePrimaryKeyIsUniqueOnTheTupleOnly() throws {
        let db = try SQLTest.open()
        try db.execute("CREATE TABLE t (a INT, b TEXT, v INT, PRIMARY KEY (a, b))")
        try db.execute("INSERT INTO t VALUES (1, 'x', 1), (1, 'y', 2), (2, 'x', 3)")
        expectSQLError("23505", db, "INSERT INTO t VALUES (1, 'y', 9)")
        // Primary key columns are NOT NULL.
        expectSQLError("23502", db, "INSERT INTO t VALUES (3, NULL, 9)")
        #expect(try db.rows("SELECT a, b, v FROM t ORDER BY a, b") == [["1", "x", "1"], ["1", "y", "2"], ["2", "x", "3"]])
        #expect(try db.column("SELECT v FROM t WHERE a = 1 AND b = 'y'") == ["2"])
        try db.close()
    }

    @Test func dropTableRemovesTableAndRows() throws {
        let db = try SQLTest.open()
        try db.execute("CREATE TABLE t (a INT PRIMARY KEY, b TEXT)")
        try db.execute("CREATE INDEX t_b ON t (b)")
        try db.execute("INSERT INTO t VALUES (1, 'x'), (2, 'y')")
        try db.execute("DROP TABLE t")
        expectSQLError("42P01", db, "SELECT * FROM t")
        // A table of the same name starts empty, with its new columns.
        try db.execute("CREATE TABLE t (a INT PRIMARY KEY, c INT)")
        #expect(try db.count("t") == 0)
        try db.execute("INSERT INTO t VALUES (1, 10)")
        #expect(try db.rows("SELECT * FROM t") == [["1", "10"]])
        try db.close()
    }

    @Test func dropMissingTableIs42P01AndIfExistsIsANoOp() throws {
        let db = try SQLTest.open()
        let error = expectSQLError("42P01", db, "DROP TABLE nope")
        #expect(error?.message.contains("nope") == true)
        try db.execute("DROP TABLE IF EXISTS nope")
        try db.execute("CREATE TABLE t (a INT)")
        try db.execute("DROP TABLE IF EXISTS t")
        expectSQLError("42P01", db, "SELECT * FROM t")
        try db.close()
    }

    @Test func missingTableInInsertIs42P01() throws {
        let db = try SQLTest.open()
        expectSQLError("42P01", db, "INSERT INTO nope VALUES (1)")
        expectSQLError("42P01", db, "UPDATE nope SET a = 1")
        expectSQLError("42P01", db, "DELETE FROM nope")
        try db.close()
    }

    @Test func rolledBackCreateTableLeavesNothing() throws {
        let db = try SQLTest.open()
        let session = db.session()
        try session.execute("BEGIN")
        try session.execute("CREATE TABLE t (a INT PRIMARY KEY)")
        try session.execute("CREATE INDEX t_a ON t (a)")
        try session.execute("INSERT INTO t VALUES (1)")
        #expect(try session.rows("SELECT a FROM t") == [["1"]])
        // Not visible to others before commit.
        expectSQLError("42P01", db, "SELECT * FROM t")
        try session.execute("ROLLBACK")
        expectSQLError("42P01", db, "SELECT * FROM t")
        expectSQLError("42P01", session, "SELECT * FROM t")
        // The name (and the index name) are free again.
        try db.execute("CREATE TABLE t (b TEXT)")
        try db.execute("CREATE INDEX t_a ON t (b)")
        #expect(try db.query("SELECT * FROM t").columns == ["b"])
        try db.close()
    }

    @Test func committedCreateTableInBlockIsVisibleAfterCommit() throws {
        let db = try SQLTest.open()
        let session = db.session()
        try session.execute("BEGIN; CREATE TABLE t (a INT); INSERT INTO t VALUES (1), (2)")
        try session.execute("COMMIT")
        #expect(try db.column("SELECT a FROM t ORDER BY a") == ["1", "2"])
        try db.close()
    }

    @Test func ddlAndDataSurviveCloseAndReopen() throws {
        let path = SQLTest.temporaryPath()
        do {
            let db = try SQLTest.open(path: path)
            try db.execute("""
                CREATE TABLE parent (id INT PRIMARY KEY, name VARCHAR(10) NOT NULL UNIQUE);
                CREATE TABLE child (id INT PRIMARY KEY, pid INT REFERENCES parent (id), n NUMERIC(6,2) DEFAULT 1.5,
                                    CHECK (n > 0));
                CREATE INDEX child_pid ON child (pid);
                CREATE VIEW v AS SELECT c.id, p.name FROM child c JOIN parent p ON p.id = c.pid;
                INSERT INTO parent VALUES (1, 'one');
                INSERT INTO child (id, pid) VALUES (10, 1);
                CREATE TABLE gone (a INT);
                DROP TABLE gone
                """)
            try db.close()
        }
        let db = try SQLTest.open(path: path)
        #expect(try db.rows("SELECT id, pid, n FROM child") == [["10", "1", "1.50"]])
        #expect(try db.rows("SELECT * FROM v") == [["10", "one"]])
        expectSQLError("42P01", db, "SELECT * FROM gone")
        // Constraints survive too.
        expectSQLError("23505", db, "INSERT INTO parent VALUES (2, 'one')")
        expectSQLError("22001", db, "INSERT INTO parent VALUES (2, 'elevenchars')")
        expectSQLError("23503", db, "INSERT INTO child (id, pid) VALUES (11, 99)")
        expectSQLError("23514", db, "INSERT INTO child VALUES (12, 1, -1)")
        expectSQLError("42P07", db, "CREATE TABLE child (a INT)")
        expectSQLError("42P07", db, "CREATE INDEX child_pid ON child (n)")
        #expect(try db.query("EXPLAIN SELECT * FROM child WHERE pid = 1").strings().joined().joined().contains("Index Scan"))
        #expect(try db.checkIntegrity().isClean)
        try db.close()
    }
}
