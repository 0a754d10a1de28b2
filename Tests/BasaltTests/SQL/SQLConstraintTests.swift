import Basalt
import Foundation
import Testing

@Suite struct SQLConstraintTests {
    @Test func notNullViolationIs23502AndChangesNothing() throws {
        let db = try SQLTest.open()
        try db.execute("CREATE TABLE t (id INT PRIMARY KEY, name TEXT NOT NULL)")
        try db.execute("INSERT INTO t VALUES (1, 'a')")
        let error = expectSQLError("23502", db, "INSERT INTO t VALUES (2, NULL)")
        #expect(error?.message.contains("name") == true)
        expectSQLError("23502", db, "INSERT INTO t (id) VALUES (3)")
        // A multi-row insert with one bad row inserts none.
        expectSQLError("23502", db, "INSERT INTO t VALUES (4, 'd'), (5, NULL)")
        expectSQLError("23502", db, "UPDATE t SET name = NULL WHERE id = 1")
        expectSQLError("23502", db, "INSERT INTO t VALUES ($1, $2)", [6, String?.none])
        #expect(try db.rows("SELECT id, name FROM t") == [["1", "a"]])
        try db.close()
    }

    @Test func uniqueColumnIs23505AndAllowsManyNulls() throws {
        let db = try SQLTest.open()
        try db.execute("CREATE TABLE t (id INT PRIMARY KEY, email TEXT UNIQUE)")
        try db.execute("INSERT INTO t VALUES (1, 'a@x'), (2, NULL), (3, NULL), (4, 'b@x')")
        try db.execute("INSERT INTO t VALUES (5, NULL)")
        expectSQLError("23505", db, "INSERT INTO t VALUES (6, 'a@x')")
        expectSQLError("23505", db, "INSERT INTO t VALUES (6, 'c@x'), (7, 'c@x')")
        expectSQLError("23505", db, "UPDATE t SET email = 'b@x' WHERE id = 1")
        #expect(try db.count("t") == 5)
        #expect(try db.column("SELECT id FROM t WHERE email IS NULL ORDER BY id") == ["2", "3", "5"])
        #expect(try db.rows("SELECT id, email FROM t WHERE email IS NOT NULL ORDER BY id") == [["1", "a@x"], ["4", "b@x"]])
        // After the failed update the old value is still unique-indexed: reusing 'a@x' still fails.
        expectSQLError("23505", db, "INSERT INTO t VALUES (8, 'a@x')")
        try db.close()
    }

    @Test func uniqueTableConstraintOnTwoColumns() throws {
        let db = try SQLTest.open()
        try db.execute("CREATE TABLE t (a INT, b INT, CONSTRAINT t_ab UNIQUE (a, b))")
        try db.execute("INSERT INTO t VALUES (1, 1), (1, 2), (2, 1), (1, NULL), (1, NULL)")
        let error = expectSQLError("23505", db, "INSERT INTO t VALUES (1, 2)")
        #expect(error?.message.contains("t_ab") == true)
        #expect(try db.count("t") == 5)
        try db.close()
    }

    @Test func uniqueSlotIsFreedByDeleteAndUpdate() throws {
        let db = try SQLTest.open()
        try db.execute("CREATE TABLE t (id INT PRIMARY KEY, u INT UNIQUE)")
        try db.execute("INSERT INTO t VALUES (1, 10), (2, 20)")
        try db.execute("DELETE FROM t WHERE id = 1")
        try db.execute("INSERT INTO t VALUES (3, 10)")
        try db.execute("UPDATE t SET u = 30 WHERE id = 2")
        try db.execute("INSERT INTO t VALUES (4, 20)")
        #expect(try db.rows("SELECT id, u FROM t ORDER BY id") == [["2", "30"], ["3", "10"], ["4", "20"]])
        try db.close()
    }

    @Test func primaryKeyDuplicateIs23505() throws {
        let db = try SQLTest.open()
        try db.execute("CREATE TABLE t (id INT PRIMARY KEY, v TEXT)")
        try db.execute("INSERT INTO t VALUES (1, 'a')")
        let error = expectSQLError("23505", db, "INSERT INTO t VALUES (1, 'b')")
        #expect(error?.message.contains("t_pkey") == true)
        expectSQLError("23505", db, "INSERT INTO t VALUES (2, 'b'), (2, 'c')")
        expectSQLError("23502", db, "INSERT INTO t VALUES (NULL, 'n')")
        try db.execute("INSERT INTO t VALUES (2, 'b')")
        expectSQLError("23505", db, "UPDATE t SET id = 1 WHERE id = 2")
        #expect(try db.rows("SELECT id, v FROM t ORDER BY id") == [["1", "a"], ["2", "b"]])
        try db.close()
    }

    @Test func checkViolationIs23514WithConstraintName() throws {
        let db = try SQLTest.open()
        try db.execute("""
            CREATE TABLE t (id INT PRIMARY KEY, price NUMERIC(8,2) CHECK (price > 0),
                            lo INT, hi INT, CONSTRAINT lo_le_hi CHECK (lo <= hi))
            """)
        try db.execute("INSERT INTO t VALUES (1, 9.99, 1, 2)")
        let named = expectSQLError("23514", db, "INSERT INTO t VALUES (2, 1, 5, 4)")
        #expect(named?.message.contains("lo_le_hi") == true, "\(String(describing: named))")
        let generated = expectSQLError("23514", db, "INSERT INTO t VALUES (3, -1, 1, 1)")
        // PostgreSQL names an unnamed column check <table>_<column>_check.
        #expect(generated?.message.contains("t_price_check") == true, "\(String(describing: generated))")
        expectSQLError("23514", db, "UPDATE t SET hi = 0 WHERE id = 1")
        // NULL makes a check unknown, which passes.
        try db.execute("INSERT INTO t VALUES (4, NULL, NULL, 3)")
        #expect(try db.rows("SELECT id, price, lo, hi FROM t ORDER BY id") == [["1", "9.99", "1", "2"], ["4", "NULL", "NULL", "3"]])
        try db.close()
    }

    @Test func defaultValuesIncludingExpressions() throws {
        let db = try SQLTest.open()
        try db.execute("""
            CREATE TABLE t (id INT PRIMARY KEY, n INT DEFAULT 1 + 1, s TEXT DEFAULT 'none', flag BOOLEAN DEFAULT true,
                            created TIMESTAMP DEFAULT now(), lowered TEXT DEFAULT lower('ABC'), nothing INT)
            """)
        let before = Date().addingTimeInterval(-5)
        try db.execute("INSERT INTO t (id) VALUES (1)")
        try db.execute("INSERT INTO t (id, n, s) VALUES (2, 7, DEFAULT)")
        try db.execute("INSERT INTO t VALUES (3, DEFAULT, 'x', false, DEFAULT, DEFAULT, DEFAULT)")
        let after = Date().addingTimeInterval(5)
        #expect(try db.rows("SELECT id, n, s, flag, lowered, nothing FROM t ORDER BY id") == [
            ["1", "2", "none", "t", "abc", "NULL"],
            ["2", "7", "none", "t", "abc", "NULL"],
            ["3", "2", "x", "f", "abc", "NULL"],
        ])
        let created = try db.query("SELECT created FROM t ORDER BY id").allValues()
        #expect(created.count == 3)
        for row in created {
            guard case .timestamp(let micros) = row[0] else {
                Issue.record("created is \(row[0].tagged), not a timestamp")
                continue
            }
            let date = Date(timeIntervalSince1970: Double(micros) / 1e6)
            #expect(date > before && date < after, "now() default \(date) outside \(before)...\(after)")
        }
        try db.close()
    }

    @Test func foreignKeyInsertOfMissingParentIs23503() throws {
        let db = try SQLTest.open()
        try db.execute("CREATE TABLE parent (id INT PRIMARY KEY)")
        try db.execute("CREATE TABLE child (id INT PRIMARY KEY, pid INT REFERENCES parent (id))")
        try db.execute("INSERT INTO parent VALUES (1)")
        try db.execute("INSERT INTO child VALUES (10, 1), (11, NULL)")
        let error = expectSQLError("23503", db, "INSERT INTO child VALUES (12, 2)")
        #expect(error != nil)
        expectSQLError("23503", db, "INSERT INTO child VALUES (13, 1), (14, 3)")
        expectSQLError("23503", db, "UPDATE child SET pid = 5 WHERE id = 10")
        #expect(try db.rows("SELECT id, pid FROM child ORDER BY id") == [["10", "1"], ["11", "NULL"]])
        try db.close()
    }

    @Test func foreignKeyRestrictAndNoActionBlockDeleteOfReferencedParent() throws {
        let db = try SQLTest.open()
        try db.execute("CREATE TABLE parent (id INT PRIMARY KEY, code TEXT UNIQUE)")
        try db.execute("CREATE TABLE c1 (id INT PRIMARY KEY, pid INT REFERENCES parent (id) ON DELETE RESTRICT)")
        try db.execute("CREATE TABLE c2 (id INT PRIMARY KEY, pcode TEXT, FOREIGN KEY (pcode) REFERENCES parent (code))")
        try db.execute("INSERT INTO parent VALUES (1, 'a'), (2, 'b'), (3, 'c')")
        try db.execute("INSERT INTO c1 VALUES (10, 1)")
        try db.execute("INSERT INTO c2 VALUES (20, 'b')")
        expectSQLError("23503", db, "DELETE FROM parent WHERE id = 1")
        expectSQLError("23503", db, "DELETE FROM parent WHERE id = 2")
        expectSQLError("23503", db, "DELETE FROM parent")
        // Changing a referenced key is blocked too.
        expectSQLError("23503", db, "UPDATE parent SET id = 100 WHERE id = 1")
        #expect(try db.column("SELECT id FROM parent ORDER BY id") == ["1", "2", "3"])
        #expect(try db.execute("DELETE FROM parent WHERE id = 3") == 1)
        try db.execute("DELETE FROM c1")
        #expect(try db.execute("DELETE FROM parent WHERE id = 1") == 1)
        #expect(try db.column("SELECT id FROM parent ORDER BY id") == ["2"])
        try db.close()
    }

    @Test func foreignKeyOnDeleteCascadeDeletesChildren() throws {
        let db = try SQLTest.open()
        try db.execute("CREATE TABLE parent (id INT PRIMARY KEY)")
        try db.execute("CREATE TABLE child (id INT PRIMARY KEY, pid INT REFERENCES parent (id) ON DELETE CASCADE)")
        try db.execute("CREATE TABLE grandchild (id INT PRIMARY KEY, cid INT REFERENCES child (id) ON DELETE CASCADE)")
        try db.execute("INSERT INTO parent VALUES (1), (2)")
        try db.execute("INSERT INTO child VALUES (10, 1), (11, 1), (12, 2)")
        try db.execute("INSERT INTO grandchild VALUES (100, 10), (101, 12)")
        #expect(try db.execute("DELETE FROM parent WHERE id = 1") == 1)
        #expect(try db.column("SELECT id FROM child ORDER BY id") == ["12"])
        #expect(try db.column("SELECT id FROM grandchild ORDER BY id") == ["101"])
        try db.close()
    }

    @Test func foreignKeyOnDeleteSetNullClearsReferences() throws {
        let db = try SQLTest.open()
        try db.execute("CREATE TABLE parent (id INT PRIMARY KEY)")
        try db.execute("CREATE TABLE child (id INT PRIMARY KEY, pid INT REFERENCES parent (id) ON DELETE SET NULL)")
        try db.execute("INSERT INTO parent VALUES (1), (2)")
        try db.execute("INSERT INTO child VALUES (10, 1), (11, 2), (12, 1)")
        try db.execute("DELETE FROM parent WHERE id = 1")
        #expect(try db.rows("SELECT id, pid FROM child ORDER BY id") == [["10", "NULL"], ["11", "2"], ["12", "NULL"]])
        try db.close()
    }

    @Test func foreignKeyToMissingTableOrNonUniqueColumnFailsAtCreate() throws {
        let db = try SQLTest.open()
        try db.execute("CREATE TABLE parent (id INT PRIMARY KEY, x INT)")
        expectSQLError("42P01", db, "CREATE TABLE c (pid INT REFERENCES nope (id))")
        // PostgreSQL: 42830 there is no unique constraint matching given keys for referenced table.
        expectSQLError("42830", db, "CREATE TABLE c (px INT REFERENCES parent (x))")
        expectSQLError("42P01", db, "SELECT * FROM c")
        try db.close()
    }

    @Test func varcharTooLongIs22001() throws {
        let db = try SQLTest.open()
        try db.execute("CREATE TABLE t (v VARCHAR(3), c CHAR(2))")
        try db.execute("INSERT INTO t VALUES ('abc', 'xy'), ('é✓€', 'é')")
        let error = expectSQLError("22001", db, "INSERT INTO t VALUES ('abcd', 'x')")
        #expect(error?.message.contains("character varying(3)") == true, "\(String(describing: error))")
        expectSQLError("22001", db, "INSERT INTO t VALUES ('a', 'xyz')")
        expectSQLError("22001", db, "UPDATE t SET v = 'toolong'")
        // PostgreSQL: trailing spaces beyond the limit are truncated silently; an explicit cast truncates.
        try db.execute("INSERT INTO t VALUES ('ab   ', 'z')")
        try db.execute("INSERT INTO t VALUES ('abcdef'::varchar(3), 'w')")
        #expect(try db.column("SELECT v FROM t ORDER BY c") == ["abc", "abc", "ab ", "é✓€"])
        try db.close()
    }

    @Test func integerOutOfRangeIs22003() throws {
        let db = try SQLTest.open()
        try db.execute("CREATE TABLE t (s SMALLINT, i INTEGER, b BIGINT)")
        expectSQLError("22003", db, "INSERT INTO t VALUES (32768, 0, 0)")
        expectSQLError("22003", db, "INSERT INTO t VALUES (-32769, 0, 0)")
        expectSQLError("22003", db, "INSERT INTO t VALUES (0, 2147483648, 0)")
        expectSQLError("22003", db, "INSERT INTO t VALUES (0, -2147483649, 0)")
        expectSQLError("22003", db, "INSERT INTO t VALUES ($1, 0, 0)", [40000])
        expectSQLError("22003", db, "INSERT INTO t VALUES (0, $1, 0)", [Int64(1) << 40])
        try db.execute("INSERT INTO t VALUES (32767, 2147483647, 9223372036854775807)")
        expectSQLError("22003", db, "UPDATE t SET s = s + 1")
        expectSQLError("22003", db, "UPDATE t SET b = b + 1")
        #expect(try db.rows("SELECT s, i, b FROM t") == [["32767", "2147483647", "9223372036854775807"]])
        try db.close()
    }

    @Test func floatIntoIntegerColumnRoundsAndTextNumberIsCoerced() throws {
        let db = try SQLTest.open()
        try db.execute("CREATE TABLE t (i INT)")
        try db.execute("INSERT INTO t VALUES (2.5), (3.5), ('42')")
        // PostgreSQL rounds numeric to int half away from zero: 2.5 -> 3, 3.5 -> 4.
        #expect(try db.query("SELECT i FROM t ORDER BY i").tagged() == [["i:3"], ["i:4"], ["i:42"]])
        expectSQLError("22P02", db, "INSERT INTO t VALUES ('x')")
        #expect(try db.count("t") == 3)
        try db.close()
    }
}
