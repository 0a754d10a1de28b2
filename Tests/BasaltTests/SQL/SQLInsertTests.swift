import Basalt
import Foundation
import Testing

@Suite struct SQLInsertTests {
    @Test func multiRowValuesReturnsRowCount() throws {
        let db = try SQLTest.open()
        try db.execute("CREATE TABLE t (id INT PRIMARY KEY, s TEXT)")
        #expect(try db.execute("INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, 'c')") == 3)
        #expect(try db.execute("INSERT INTO t VALUES (4, 'd')") == 1)
        #expect(try db.rows("SELECT id, s FROM t ORDER BY id") == [["1", "a"], ["2", "b"], ["3", "c"], ["4", "d"]])
        try db.close()
    }

    @Test func columnListInAnyOrderFillsOmittedWithNull() throws {
        let db = try SQLTest.open()
        try db.execute("CREATE TABLE t (a INT, b TEXT, c BOOLEAN)")
        try db.execute("INSERT INTO t (c, a) VALUES (true, 1)")
        try db.execute("INSERT INTO t (b, c, a) VALUES ('x', false, 2)")
        try db.execute("INSERT INTO t (b) VALUES ('only')")
        #expect(try db.rows("SELECT a, b, c FROM t ORDER BY b NULLS FIRST") == [["1", "NULL", "t"], ["NULL", "only", "NULL"], ["2", "x", "f"]])
        try db.close()
    }

    @Test func columnListErrors() throws {
        let db = try SQLTest.open()
        try db.execute("CREATE TABLE t (a INT, b TEXT)")
        expectSQLError("42703", db, "INSERT INTO t (a, nope) VALUES (1, 'x')")
        expectSQLError("42701", db, "INSERT INTO t (a, a) VALUES (1, 2)")
        // PostgreSQL: 42601 INSERT has more expressions than target columns.
        expectSQLError("42601", db, "INSERT INTO t (a) VALUES (1, 'x')")
        expectSQLError("42601", db, "INSERT INTO t VALUES (1, 'x', 3)")
        #expect(try db.count("t") == 0)
        try db.close()
    }

    @Test func insertSelectCopiesRows() throws {
        let db = try SQLTest.open()
        try db.execute("CREATE TABLE src (id INT, v INT)")
        try db.execute("CREATE TABLE dst (id INT PRIMARY KEY, doubled INT)")
        try db.execute("INSERT INTO src VALUES (1, 10), (2, 20), (3, 30)")
        #expect(try db.execute("INSERT INTO dst SELECT id, v * 2 FROM src WHERE v > 10") == 2)
        #expect(try db.execute("INSERT INTO dst (doubled, id) SELECT v, id + 100 FROM src") == 3)
        #expect(try db.rows("SELECT id, doubled FROM dst ORDER BY id") ==
            [["2", "40"], ["3", "60"], ["101", "10"], ["102", "20"], ["103", "30"]])
        // Self-insert reads the snapshot before the statement (no infinite loop).
        #expect(try db.execute("INSERT INTO src SELECT id + 3, v FROM src") == 3)
        #expect(try db.count("src") == 6)
        try db.close()
    }

    @Test func insertSelectWithDuplicateFailsWhole() throws {
        let db = try SQLTest.open()
        try db.execute("CREATE TABLE src (id INT)")
        try db.execute("CREATE TABLE dst (id INT PRIMARY KEY)")
        try db.execute("INSERT INTO src VALUES (1), (2), (2), (3)")
        expectSQLError("23505", db, "INSERT INTO dst SELECT id FROM src")
        #expect(try db.count("dst") == 0)
        try db.close()
    }

    @Test func defaultValuesInsertsAllDefaults() throws {
        let db = try SQLTest.open()
        try db.execute("CREATE TABLE t (a INT DEFAULT 7, b TEXT DEFAULT 'd', c INT)")
        #expect(try db.execute("INSERT INTO t DEFAULT VALUES") == 1)
        try db.execute("INSERT INTO t DEFAULT VALUES")
        #expect(try db.rows("SELECT a, b, c FROM t") == [["7", "d", "NULL"], ["7", "d", "NULL"]])
        try db.close()
    }

    @Test func onConflictDoNothingSkipsDuplicates() throws {
        let db = try SQLTest.open()
        try db.execute("CREATE TABLE t (id INT PRIMARY KEY, v TEXT)")
        try db.execute("INSERT INTO t VALUES (1, 'a')")
        #expect(try db.execute("INSERT INTO t VALUES (1, 'x'), (2, 'b') ON CONFLICT DO NOTHING") == 1)
        #expect(try db.execute("INSERT INTO t VALUES (2, 'y') ON CONFLICT (id) DO NOTHING") == 0)
        #expect(try db.rows("SELECT id, v FROM t ORDER BY id") == [["1", "a"], ["2", "b"]])
        try db.close()
    }

    @Test func onConflictDoNothingWithUniqueColumn() throws {
        let db = try SQLTest.open()
        try db.execute("CREATE TABLE t (id INT PRIMARY KEY, email TEXT UNIQUE)")
        try db.execute("INSERT INTO t VALUES (1, 'a')")
        #expect(try db.execute("INSERT INTO t VALUES (2, 'a') ON CONFLICT DO NOTHING") == 0)
        #expect(try db.execute("INSERT INTO t VALUES (3, 'a') ON CONFLICT (email) DO NOTHING") == 0)
        #expect(try db.rows("SELECT id, email FROM t") == [["1", "a"]])
        try db.close()
    }

    @Test
    func onConflictConflictOnOtherConstraintStillRaises() throws {
        let db = try SQLTest.open()
        try db.execute("CREATE TABLE t (id INT PRIMARY KEY, email TEXT UNIQUE)")
        try db.execute("INSERT INTO t VALUES (1, 'a')")
        expectSQLError("23505", db, "INSERT INTO t VALUES (1, 'zz') ON CONFLICT (email) DO NOTHING")
        expectSQLError("23505", db, "INSERT INTO t VALUES (2, 'a') ON CONFLICT (id) DO NOTHING")
        #expect(try db.rows("SELECT id, email FROM t") == [["1", "a"]])
        try db.close()
    }

    @Test
    func onConflictTargetMustBeAUniqueColumn() throws {
        let db = try SQLTest.open()
        try db.execute("CREATE TABLE t (id INT PRIMARY KEY, x INT)")
        expectSQLError("42703", db, "INSERT INTO t VALUES (1, 1) ON CONFLICT (nope) DO NOTHING")
        expectSQLError("42P10", db, "INSERT INTO t VALUES (1, 1) ON CONFLICT (x) DO NOTHING")
        #expect(try db.count("t") == 0)
        try db.close()
    }

    @Test
    func onConflictDoUpdateOnUniqueSecondaryColumn() throws {
        let db = try SQLTest.open()
        try db.execute("CREATE TABLE t (id INT PRIMARY KEY, email TEXT UNIQUE, hits INT)")
        try db.execute("INSERT INTO t VALUES (1, 'a', 1)")
        #expect(try db.execute("INSERT INTO t VALUES (2, 'a', 5) ON CONFLICT (email) DO UPDATE SET hits = t.hits + excluded.hits") == 1)
        #expect(try db.rows("SELECT id, email, hits FROM t") == [["1", "a", "6"]])
        try db.close()
    }

    @Test func onConflictDoUpdateUsesExcluded() throws {
        let db = try SQLTest.open()
        try db.execute("CREATE TABLE counters (name TEXT PRIMARY KEY, hits INT NOT NULL, note TEXT)")
        try db.execute("INSERT INTO counters VALUES ('a', 1, 'first')")
        let upsert = "INSERT INTO counters VALUES ($1, $2, $3) ON CONFLICT (name) DO UPDATE SET hits = counters.hits + excluded.hits, note = excluded.note"
        #expect(try db.execute(upsert, ["a", 5, "second"]) == 1)
        #expect(try db.execute(upsert, ["b", 2, "new"]) == 1)
        #expect(try db.rows("SELECT name, hits, note FROM counters ORDER BY name") == [["a", "6", "second"], ["b", "2", "new"]])
        // WHERE on DO UPDATE: a false condition skips the row.
        #expect(try db.execute("INSERT INTO counters VALUES ('a', 100, 'x') ON CONFLICT (name) DO UPDATE SET hits = excluded.hits WHERE counters.hits > 1000") == 0)
        #expect(try db.scalar("SELECT hits FROM counters WHERE name = 'a'") == "6")
        try db.close()
    }

    @Test
    func onConflictDoUpdateTwiceInOneStatementIs21000() throws {
        let db = try SQLTest.open()
        try db.execute("CREATE TABLE t (id INT PRIMARY KEY, v INT)")
        // PostgreSQL: ON CONFLICT DO UPDATE command cannot affect row a second time (21000).
        expectSQLError("21000", db, "INSERT INTO t VALUES (1, 1), (1, 2) ON CONFLICT (id) DO UPDATE SET v = excluded.v")
        #expect(try db.count("t") == 0)
        try db.close()
    }

    @Test func returningStarReturnsInsertedRowsWithDefaults() throws {
        let db = try SQLTest.open()
        try db.execute("CREATE TABLE t (id INT PRIMARY KEY, s TEXT DEFAULT 'dflt', n INT)")
        let rows = try db.query("INSERT INTO t (id, n) VALUES (1, 10), (2, 20) RETURNING *")
        #expect(rows.columns == ["id", "s", "n"])
        #expect(try rows.strings() == [["1", "dflt", "10"], ["2", "dflt", "20"]])
        #expect(try db.count("t") == 2)
        try db.close()
    }

    @Test func returningExpressionsWithAliases() throws {
        let db = try SQLTest.open()
        try db.execute("CREATE TABLE t (id INT PRIMARY KEY, s TEXT)")
        let rows = try db.query("INSERT INTO t VALUES (3, 'abc') RETURNING id * 2 AS twice, upper(s), length(s) + id AS x")
        #expect(rows.columns == ["twice", "upper", "x"])
        #expect(try rows.strings() == [["6", "ABC", "6"]])
        // execute() of a RETURNING statement counts the returned rows.
        #expect(try db.execute("INSERT INTO t VALUES (4, 'd'), (5, 'e') RETURNING id") == 2)
        #expect(try db.count("t") == 3)
        try db.close()
    }

    @Test func returningFromOnConflictReturnsOnlyAffectedRows() throws {
        let db = try SQLTest.open()
        try db.execute("CREATE TABLE t (id INT PRIMARY KEY, v INT)")
        try db.execute("INSERT INTO t VALUES (1, 1)")
        #expect(try db.rows("INSERT INTO t VALUES (1, 9), (2, 2) ON CONFLICT DO NOTHING RETURNING id, v") == [["2", "2"]])
        #expect(try db.rows("INSERT INTO t VALUES (1, 7) ON CONFLICT (id) DO UPDATE SET v = excluded.v + t.v RETURNING id, v") == [["1", "8"]])
        try db.close()
    }

    @Test func dollarAndQuestionMarkParameters() throws {
        let db = try SQLTest.open()
        try db.execute("CREATE TABLE t (id INT PRIMARY KEY, s TEXT, d DOUBLE PRECISION, b BOOLEAN, o TEXT)")
        try db.execute("INSERT INTO t VALUES ($1, $2, $3, $4, $5)", [1, "one", 1.5, true, String?.none])
        try db.execute("INSERT INTO t VALUES (?, ?, ?, ?, ?)", [2, "two", 2.5, false, Optional("o")])
        // $n may repeat and appear out of order.
        try db.execute("INSERT INTO t VALUES ($2, $1, $2 * 1.5, $3, $1)", ["three", 3, true])
        #expect(try db.rows("SELECT id, s, d, b, o FROM t ORDER BY id") == [
            ["1", "one", "1.5", "t", "NULL"], ["2", "two", "2.5", "f", "o"], ["3", "three", "4.5", "t", "three"],
        ])
        #expect(try db.column("SELECT id FROM t WHERE s = ? OR id = ?", ["two", 3]) == ["2", "3"])
        // Injection-looking text is just text.
        try db.execute("INSERT INTO t (id, s) VALUES ($1, $2)", [4, "'); DROP TABLE t; --"])
        #expect(try db.scalar("SELECT s FROM t WHERE id = 4") == "'); DROP TABLE t; --")
        try db.close()
    }

    @Test func missingParameterIsAnError() throws {
        let db = try SQLTest.open()
        try db.execute("CREATE TABLE t (id INT)")
        // PostgreSQL: 08P01 bind message supplies 1 parameters, but prepared statement requires 2.
        let error = expectSQLError("08P01", db, "INSERT INTO t VALUES ($2)", [1])
        _ = error
        #expect(try db.count("t") == 0)
        try db.close()
    }

    @Test func preparedInsertReusedThousandTimes() throws {
        let db = try SQLTest.open()
        try db.execute("CREATE TABLE t (id INT PRIMARY KEY, s TEXT, sq BIGINT)")
        let insert = try db.prepare("INSERT INTO t VALUES ($1, $2, $3)")
        var total = 0
        for i in 0..<1000 {
            total += try insert.execute([i, "row \(i)", Int64(i) * Int64(i)])
        }
        #expect(total == 1000)
        expectSQLError("23505") { try insert.execute([5, "dup", 0]) }
        // The statement still works after an error.
        #expect(try insert.execute([1000, "last", 0]) == 1)
        #expect(try db.scalar("SELECT count(*) FROM t") == "1001")
        #expect(try db.scalar("SELECT sum(sq) FROM t") == "332833500")
        let lookup = try db.prepare("SELECT s FROM t WHERE id = $1")
        for i in stride(from: 0, to: 1000, by: 97) {
            #expect(try lookup.query([i]).strings() == [["row \(i)"]])
        }
        try db.close()
    }

    /// A prepared INSERT of parameters runs without the operator tree (`PointInsert`); it must keep
    /// every rule of the planned path: constraints, index maintenance after later DDL, the aborted
    /// state of a transaction block, and the transaction's own uncommitted DDL.
    @Test func preparedPointInsertKeepsConstraintsIndexesAndTransactionRules() throws {
        let db = try SQLTest.open()
        try db.execute("CREATE TABLE p (id INT PRIMARY KEY)")
        try db.execute("INSERT INTO p VALUES (1), (2)")
        try db.execute("""
            CREATE TABLE t (id INT PRIMARY KEY, k INT NOT NULL CHECK (k >= 0), s VARCHAR(3), p INT REFERENCES p(id))
            """)
        let session = db.session()
        let insert = try session.prepare("INSERT INTO t VALUES ($1, $2, $3, $4)")
        for i in 0..<20 { #expect(try insert.execute([i, i % 5, "s\(i)", i % 2 + 1]) == 1) }
        expectSQLError("23505") { try insert.execute([3, 0, "x", 1]) }
        expectSQLError("23502") { try insert.execute([100, Int?.none, "x", 1]) }
        expectSQLError("23514") { try insert.execute([100, -1, "x", 1]) }
        expectSQLError("22001") { try insert.execute([100, 1, "long", 1]) }
        expectSQLError("23503") { try insert.execute([100, 1, "x", 3]) }
        expectSQLError("22P02") { try insert.execute(["nope", 1, "x", 1]) }
        #expect(try db.scalar("SELECT count(*) FROM t") == "20")

        // An index created after the statement was prepared is maintained by its next executions.
        try db.execute("CREATE UNIQUE INDEX tk ON t(s, k)")
        #expect(try insert.execute([20, 7, "new", 1]) == 1)
        expectSQLError("23505") { try insert.execute([21, 7, "new", 1]) }
        #expect(try db.rows("SELECT id FROM t WHERE s = 'new' AND k = 7") == [["20"]])

        // In a block: rows are visible only after COMMIT, and a failed execution aborts the block.
        try session.execute("BEGIN")
        for i in 30..<40 { #expect(try insert.execute([i, 1, "b\(i - 30)", 1]) == 1) }
        #expect(try db.scalar("SELECT count(*) FROM t WHERE id >= 30") == "0")
        try session.execute("COMMIT")
        #expect(try db.scalar("SELECT count(*) FROM t WHERE id >= 30") == "10")
        try session.execute("BEGIN")
        #expect(try insert.execute([40, 1, "c", 1]) == 1)
        expectSQLError("23505") { try insert.execute([40, 1, "d", 1]) }
        expectSQLError("25P02") { try insert.execute([41, 1, "e", 1]) }
        try session.execute("ROLLBACK")
        #expect(try db.scalar("SELECT count(*) FROM t WHERE id >= 40") == "0")

        // The block's own DDL: the insert sees the added column's default and the dropped index.
        try session.execute("BEGIN")
        try session.execute("ALTER TABLE t ADD COLUMN extra INT DEFAULT 9")
        try session.execute("DROP INDEX tk")
        #expect(try insert.execute([50, 7, "new", 1]) == 1)
        try session.execute("COMMIT")
        #expect(try db.rows("SELECT id, extra FROM t WHERE s = 'new' ORDER BY id") == [["20", "9"], ["50", "9"]])
        try db.close()
    }

    /// A prepared INSERT of `($1, …, $n)` in column order uses the parameter array itself as the row
    /// when each value already has its column's type, and casts the others. Every parameter that needs
    /// a cast, or fails one, must give what the planned path (the same INSERT with RETURNING, which is
    /// not a point insert) gives: the same stored row or the same SQLSTATE.
    @Test func preparedParameterRowsCastLikeThePlannedPath() throws {
        let db = try SQLTest.open()
        let columns = "i INT, b BIGINT, r REAL, n NUMERIC(6,2), s TEXT, v VARCHAR(4), f BOOLEAN"
        try db.execute("CREATE TABLE fast (id INT PRIMARY KEY, \(columns))")
        try db.execute("CREATE TABLE planned (id INT PRIMARY KEY, \(columns))")
        let fast = try db.prepare("INSERT INTO fast VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
        let planned = try db.prepare("INSERT INTO planned VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id")
        let rows: [[any SQLParameter]] = [
            [1, 7, Int64(1) << 40, 2.5, 3.14159, "text", "abcd", true],            // all of their own type
            [2, "42", "9", 1, 7, 12, 12, "true"],                                    // text and integers cast
            [3, Int?.none, Int?.none, Double?.none, Double?.none, String?.none, String?.none, Bool?.none],
            [4, Int64(Int32.max) + 1, 0, 0, 0, "", "", false],                       // 22003 for INT
            [5, 1, 1, 1, 12345.678, "", "", false],                                  // 22003 for NUMERIC(6,2)
            [6, 1, 1, 1, 1, "", "abcde", false],                                     // 22001 for VARCHAR(4)
            [7, "x", 1, 1, 1, "", "", false],                                        // 22P02 for INT
            [8, 2.5, 1, 1, 1, "", "", false],                                        // a double into INT
            [9, 1, 1, 1, 1, "", "", 1],                                              // an integer into BOOLEAN
            [Int64(1) << 40, 1, 1, 1, 1, "", "", false],                             // 22003 for the key
        ]
        for (n, row) in rows.enumerated() {
            let fastOutcome: String
            do { fastOutcome = "\(try fast.execute(row))" } catch let error as BasaltError { fastOutcome = error.code.rawValue }
            let plannedOutcome: String
            do { plannedOutcome = "\(try planned.query(row).all().count)" } catch let error as BasaltError { plannedOutcome = error.code.rawValue }
            #expect(fastOutcome == plannedOutcome, "row \(n): point insert \(fastOutcome), planned \(plannedOutcome)")
        }
        #expect(try db.rows("SELECT * FROM fast ORDER BY id") == db.rows("SELECT * FROM planned ORDER BY id"))
        #expect(try db.count("fast") >= 3)
        try db.close()
    }

    /// `execute(binding:)` and `query(binding:)` against the array API: inside a block (where inserts
    /// take the direct path and reuse the parameter buffer, here across statements of different
    /// parameter counts) and in autocommit, with NULLs, casts and a failing row that fails the block.
    @Test func parametersBoundOneByOneMatchTheArrayAPI() throws {
        let db = try SQLTest.open()
        try db.execute("CREATE TABLE a (id INT PRIMARY KEY, s TEXT, r REAL)")
        try db.execute("CREATE TABLE b (id INT PRIMARY KEY, n BIGINT)")
        let session = db.session()
        let intoA = try session.prepare("INSERT INTO a VALUES ($1, $2, $3)")
        let intoB = try session.prepare("INSERT INTO b VALUES ($1, $2)")
        try session.execute("BEGIN")
        for i in 0..<200 {
            let text: String? = i % 7 == 0 ? nil : "row \(i) ✓"
            if i % 2 == 0 {
                #expect(try intoA.execute(binding: i, text, Double(i) / 4) == 1)
            } else {
                #expect(try intoA.execute([i, text, Double(i) / 4]) == 1)
            }
            // Every third value as text, cast to BIGINT like the array API casts it.
            if i % 3 == 0 {
                #expect(try intoB.execute(binding: i, "\(i * 10)") == 1)
            } else {
                #expect(try intoB.execute(binding: i, i * 10) == 1)
            }
        }
        try session.execute("COMMIT")
        #expect(try db.count("a") == 200)
        #expect(try db.rows("SELECT s, r FROM a WHERE id = 14") == [["NULL", "3.5"]])
        #expect(try db.rows("SELECT s FROM a WHERE id = 15") == [["row 15 ✓"]])
        #expect(try db.rows("SELECT sum(n) FROM b") == [["\(10 * (0..<200).reduce(0, +))"]])

        // A failing row fails the block; its rows are gone at ROLLBACK.
        try session.execute("BEGIN")
        #expect(try intoB.execute(binding: 1000, 1) == 1)
        expectSQLError("23505") { _ = try intoB.execute(binding: 1000, 2) }
        expectSQLError("25P02") { _ = try intoB.execute(binding: 1001, 2) }
        try session.execute("ROLLBACK")
        #expect(try db.count("b") == 200)

        // Autocommit, and queries.
        #expect(try intoB.execute(binding: Int64(5000), Int?.none) == 1)
        let lookup = try session.prepare("SELECT id, s FROM a WHERE id >= $1 AND id < $2 ORDER BY id")
        let one = try lookup.query(binding: 10, 13).strings()
        #expect(one == (try lookup.query([10, 13]).strings()))
        #expect(one == [["10", "row 10 ✓"], ["11", "row 11 ✓"], ["12", "row 12 ✓"]])
        #expect(try db.rows("SELECT n FROM b WHERE id = 5000") == [["NULL"]])
        try db.close()
    }

    @Test func preparedStatementSeesLaterSchemaAndData() throws {
        let db = try SQLTest.open()
        try db.execute("CREATE TABLE t (id INT)")
        let count = try db.prepare("SELECT count(*) FROM t")
        #expect(try count.query().strings() == [["0"]])
        try db.execute("INSERT INTO t VALUES (1), (2)")
        #expect(try count.query().strings() == [["2"]])
        try db.execute("DROP TABLE t")
        expectSQLError("42P01") { _ = try count.query().all() }
        try db.close()
    }

    @Test func insertTypeMismatchIs42804OrCoercionError() throws {
        let db = try SQLTest.open()
        try db.execute("CREATE TABLE t (b BOOLEAN, d DATE)")
        // PostgreSQL: column "b" is of type boolean but expression is of type integer (42804).
        expectSQLError("42804", db, "INSERT INTO t (b) VALUES (1)")
        expectSQLError("22007", db, "INSERT INTO t (d) VALUES ('not a date')")
        #expect(try db.count("t") == 0)
        try db.close()
    }
}

extension SQLInsertTests {
    /// Point inserts in one block share an execution context while the catalog is unchanged: two
    /// prepared inserts into different tables interleaved, a schema change committed by another
    /// session in between (the next inserts replan and keep going), a savepoint rolled back, and a
    /// new block afterwards must all write exactly their own rows.
    @Test func pointInsertsInABlockAcrossCatalogChanges() throws {
        let db = try SQLTest.open()
        try db.execute("CREATE TABLE a (id INT PRIMARY KEY, v TEXT); CREATE TABLE b (id BIGINT PRIMARY KEY, w INT)")
        let session = db.session()
        let intoA = try session.prepare("INSERT INTO a VALUES ($1, $2)")
        let intoB = try session.prepare("INSERT INTO b VALUES ($1, $2)")
        try session.execute("BEGIN")
        for i in 0..<10 {
            #expect(try intoA.execute([i, "a\(i)"]) == 1)
            #expect(try intoB.execute([i * 10, i]) == 1)
        }
        try db.execute("CREATE TABLE other (x INT)")   // another session's DDL moves the catalog epoch
        for i in 10..<20 {
            #expect(try intoA.execute([i, "a\(i)"]) == 1)
            #expect(try intoB.execute([i * 10, i]) == 1)
        }
        try session.execute("SAVEPOINT s")
        #expect(try intoA.execute([100, "undone"]) == 1)
        try session.execute("ROLLBACK TO SAVEPOINT s")
        expectSQLError("23505") { try intoB.execute([0, 0]) }
        try session.execute("ROLLBACK TO SAVEPOINT s")
        #expect(try intoB.execute([1_000, 1]) == 1)
        try session.execute("COMMIT")
        try session.execute("BEGIN")
        #expect(try intoA.execute([20, "a20"]) == 1)
        try session.execute("COMMIT")
        #expect(try db.rows("SELECT count(*), min(id), max(id) FROM a") == [["21", "0", "20"]])
        #expect(try db.rows("SELECT count(*), sum(w) FROM b") == [["21", "191"]])
        #expect(try db.rows("SELECT v FROM a WHERE id = 17") == [["a17"]])
        try db.close()
    }
}

extension SQLInsertTests {
    /// A bulk insert past lock escalation probes the tree once per gap between committed keys
    /// (`TransactionContext.absentRanges`): committed keys inside the inserted run must still be
    /// found — as conflicts ON CONFLICT DO NOTHING skips, and as 23505 for a plain insert — on both
    /// sides of each gap, in the table and in a unique index.
    @Test func insertsAfterEscalationStillFindCommittedKeys() throws {
        let db = try SQLTest.open()
        try db.execute("CREATE TABLE t (id INT PRIMARY KEY, u INT UNIQUE, pad TEXT)")
        let committed = [1, 6_999, 7_000, 12_000, 12_001, 19_998]
        for id in committed { try db.execute("INSERT INTO t VALUES ($1, $2, 'old')", [id, -id]) }
        let session = db.session()
        let skip = try session.prepare("INSERT INTO t VALUES ($1, $2, 'new') ON CONFLICT DO NOTHING")
        try session.execute("BEGIN")
        var inserted = 0
        for id in 0..<20_000 { inserted += try skip.execute([id, id == 15_000 ? -12_000 : id + 100_000]) }
        #expect(inserted == 20_000 - committed.count - 1, "committed ids and the committed unique value are skipped")
        let plain = try session.prepare("INSERT INTO t VALUES ($1, $2, 'x')")
        #expect(try plain.execute([20_500, 1]) == 1)
        expectSQLError("23505") { try plain.execute([12_001, 5]) }
        try session.execute("ROLLBACK")
        try session.execute("BEGIN")
        for id in 30_000..<36_000 { #expect(try plain.execute([id, id]) == 1) }
        expectSQLError("23505") { try plain.execute([36_000, -7_000]) }
        try session.execute("ROLLBACK")
        #expect(try db.rows("SELECT count(*), min(id), max(id) FROM t") == [["6", "1", "19998"]])
        try db.close()
    }
}
