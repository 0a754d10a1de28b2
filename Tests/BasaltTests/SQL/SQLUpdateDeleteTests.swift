import Basalt
import Foundation
import Testing

@Suite struct SQLUpdateDeleteTests {
    static func seeded() throws -> Database {
        let db = try SQLTest.open()
        try db.execute("CREATE TABLE t (id INT PRIMARY KEY, a INT, b INT, s TEXT)")
        try db.execute("INSERT INTO t VALUES (1, 10, 100, 'x'), (2, 20, 200, 'y'), (3, 30, 300, NULL), (4, NULL, 400, 'z')")
        return db
    }

    @Test func updateWithWhereAndExpressionsCountsRows() throws {
        let db = try Self.seeded()
        #expect(try db.execute("UPDATE t SET a = a * 2 + 1, s = s || '!' WHERE id >= 2") == 3)
        #expect(try db.execute("UPDATE t SET b = 0 WHERE id = 99") == 0)
        // NULL condition matches nothing.
        #expect(try db.execute("UPDATE t SET b = 0 WHERE a > NULL") == 0)
        #expect(try db.rows("SELECT id, a, b, s FROM t ORDER BY id") == [
            ["1", "10", "100", "x"], ["2", "41", "200", "y!"], ["3", "61", "300", "NULL"], ["4", "NULL", "400", "z!"],
        ])
        #expect(try db.execute("UPDATE t SET b = b + 1") == 4)
        #expect(try db.column("SELECT b FROM t ORDER BY id") == ["101", "201", "301", "401"])
        try db.close()
    }

    @Test func updateSetUsesOldValuesSoSwapWorks() throws {
        let db = try Self.seeded()
        #expect(try db.execute("UPDATE t SET a = b, b = a WHERE id <= 2") == 2)
        #expect(try db.rows("SELECT id, a, b FROM t WHERE id <= 2 ORDER BY id") == [["1", "100", "10"], ["2", "200", "20"]])
        // Parenthesized multi-column form.
        try db.execute("UPDATE t SET (a, b) = (b, a) WHERE id = 1")
        #expect(try db.rows("SELECT a, b FROM t WHERE id = 1") == [["10", "100"]])
        try db.close()
    }

    @Test func updateWithSubqueryAndFromOtherTable() throws {
        let db = try Self.seeded()
        try db.execute("CREATE TABLE adj (id INT, delta INT)")
        try db.execute("INSERT INTO adj VALUES (1, 5), (3, 7)")
        #expect(try db.execute("UPDATE t SET a = a + (SELECT delta FROM adj WHERE adj.id = t.id) WHERE id IN (SELECT id FROM adj)") == 2)
        #expect(try db.column("SELECT a FROM t ORDER BY id") == ["15", "20", "37", "NULL"])
        // UPDATE … FROM is not supported: a clean 0A000, nothing changed.
        expectSQLError("0A000", db, "UPDATE t SET b = t.b + adj.delta FROM adj WHERE adj.id = t.id")
        #expect(try db.column("SELECT b FROM t ORDER BY id") == ["100", "200", "300", "400"])
        try db.close()
    }

    @Test func updateOfPrimaryKeyMovesRow() throws {
        let db = try Self.seeded()
        #expect(try db.execute("UPDATE t SET id = id + 10") == 4)
        #expect(try db.column("SELECT id FROM t ORDER BY id") == ["11", "12", "13", "14"])
        #expect(try db.rows("SELECT a, s FROM t WHERE id = 12") == [["20", "y"]])
        #expect(try db.rows("SELECT * FROM t WHERE id = 2").isEmpty)
        // Shift down by one: each new key collides with an old one mid-statement, but not at the end.
        #expect(try db.execute("UPDATE t SET id = id - 1") == 4)
        #expect(try db.column("SELECT id FROM t ORDER BY id") == ["10", "11", "12", "13"])
        #expect(try db.column("SELECT s FROM t WHERE id = 11") == ["y"])
        try db.close()
    }

    @Test func updatePrimaryKeyToExistingIs23505AndChangesNothing() throws {
        let db = try Self.seeded()
        expectSQLError("23505", db, "UPDATE t SET id = 1 WHERE id = 2")
        expectSQLError("23505", db, "UPDATE t SET id = 5")
        #expect(try db.column("SELECT id FROM t ORDER BY id") == ["1", "2", "3", "4"])
        try db.close()
    }

    @Test func updateReturningGivesNewValues() throws {
        let db = try Self.seeded()
        let rows = try db.query("UPDATE t SET a = a + 1 WHERE id IN (1, 2) RETURNING id, a, a * 10 AS big")
        #expect(rows.columns == ["id", "a", "big"])
        #expect(try rows.strings().sorted { $0[0] < $1[0] } == [["1", "11", "110"], ["2", "21", "210"]])
        #expect(try db.rows("UPDATE t SET s = 'q' WHERE id = 4 RETURNING *") == [["4", "NULL", "400", "q"]])
        try db.close()
    }

    @Test func deleteWithWhereCountsRows() throws {
        let db = try Self.seeded()
        #expect(try db.execute("DELETE FROM t WHERE a > 15") == 2)
        #expect(try db.execute("DELETE FROM t WHERE a > 15") == 0)
        #expect(try db.execute("DELETE FROM t WHERE s IS NULL") == 0)
        #expect(try db.column("SELECT id FROM t ORDER BY id") == ["1", "4"])
        #expect(try db.execute("DELETE FROM t") == 2)
        #expect(try db.count("t") == 0)
        try db.close()
    }

    @Test func deleteReturningGivesDeletedRows() throws {
        let db = try Self.seeded()
        let rows = try db.query("DELETE FROM t WHERE id <> 2 RETURNING id, s")
        #expect(try rows.strings().sorted { $0[0] < $1[0] } == [["1", "x"], ["3", "NULL"], ["4", "z"]])
        #expect(try db.column("SELECT id FROM t") == ["2"])
        #expect(try db.rows("DELETE FROM t RETURNING *") == [["2", "20", "200", "y"]])
        try db.close()
    }

    @Test func deleteWithSubqueryOnSameTable() throws {
        let db = try Self.seeded()
        #expect(try db.execute("DELETE FROM t WHERE b > (SELECT avg(b) FROM t)") == 2)
        #expect(try db.column("SELECT id FROM t ORDER BY id") == ["1", "2"])
        try db.close()
    }

    @Test func updateErrorMidStatementChangesNothing() throws {
        let db = try Self.seeded()
        // Row 3 divides by zero after rows 1 and 2 were updated.
        expectSQLError("22012", db, "UPDATE t SET a = 100 / (3 - id)")
        expectSQLError("22012", db, "DELETE FROM t WHERE 1 / (3 - id) > 0")
        #expect(try db.column("SELECT a FROM t ORDER BY id") == ["10", "20", "30", "NULL"])
        #expect(try db.count("t") == 4)
        try db.close()
    }

    @Test func unknownColumnInUpdateIs42703() throws {
        let db = try Self.seeded()
        expectSQLError("42703", db, "UPDATE t SET nope = 1")
        expectSQLError("42703", db, "UPDATE t SET a = nope")
        expectSQLError("42703", db, "DELETE FROM t WHERE nope = 1")
        try db.close()
    }

    /// Random inserts, updates (of indexed, unique and key columns) and deletes, checked after every
    /// step batch against a dictionary model through the primary key, a secondary index and a unique index.
    @Test func randomUpdatesKeepSecondaryIndexesRight() throws {
        let seed = UInt64.random(in: 0...UInt64(UInt32.max))
        var rng = SeededRandom(seed: seed)
        let db = try SQLTest.open()
        try db.execute("CREATE TABLE t (id INT PRIMARY KEY, g INT, u INT UNIQUE, s TEXT)")
        try db.execute("CREATE INDEX t_g ON t (g)")
        try db.execute("CREATE INDEX t_s ON t (s)")
        struct Row: Equatable { var g: Int; var u: Int?; var s: String }
        var model: [Int: Row] = [:]
        let insert = try db.prepare("INSERT INTO t VALUES ($1, $2, $3, $4)")
        var nextU = 0
        func check(_ step: Int) throws {
            for g in 0..<8 {
                let expected = model.filter { $0.value.g == g }.keys.sorted().map(String.init)
                let got = try db.column("SELECT id FROM t WHERE g = $1 ORDER BY id", [g])
                #expect(got == expected, "seed \(seed) step \(step): g = \(g)")
                if got != expected { throw SQLTestFailure("seed \(seed) diverged at step \(step)") }
            }
            let lo = Int.random(in: 0..<6, using: &rng)
            let expectedRange = model.filter { $0.value.g >= lo && $0.value.g <= lo + 2 }.keys.sorted().map(String.init)
            #expect(try db.column("SELECT id FROM t WHERE g BETWEEN $1 AND $2 ORDER BY id", [lo, lo + 2]) == expectedRange,
                    "seed \(seed) step \(step)")
            for (id, row) in model.prefix(5) {
                #expect(try db.rows("SELECT id, g, u, s FROM t WHERE s = $1 AND id = $2", [row.s, id])
                    == [[String(id), String(row.g), row.u.map(String.init) ?? "NULL", row.s]], "seed \(seed)")
                if let u = row.u {
                    #expect(try db.column("SELECT id FROM t WHERE u = $1", [u]) == [String(id)], "seed \(seed)")
                }
            }
            #expect(try db.count("t") == model.count, "seed \(seed) step \(step)")
        }
        for step in 0..<300 { do {
            let op = Int.random(in: 0..<10, using: &rng)
            let id = Int.random(in: 0..<120, using: &rng)
            switch op {
            case 0..<4:
                let row = Row(g: Int.random(in: 0..<8, using: &rng), u: Bool.random(using: &rng) ? nextU : nil,
                              s: "s\(Int.random(in: 0..<20, using: &rng))")
                nextU += 1
                if model[id] != nil {
                    expectSQLError("23505") { try insert.execute([id, row.g, row.u, row.s]) }
                } else {
                    #expect(try insert.execute([id, row.g, row.u, row.s]) == 1)
                    model[id] = row
                }
            case 4..<6:
                let g = Int.random(in: 0..<8, using: &rng)
                let n = try db.execute("UPDATE t SET g = $1, s = s || 'u' WHERE id = $2", [g, id])
                #expect(n == (model[id] == nil ? 0 : 1), "seed \(seed)")
                if model[id] != nil { model[id]!.g = g; model[id]!.s += "u" }
            case 6:
                // Move a whole group to another value of g.
                let from = Int.random(in: 0..<8, using: &rng), to = Int.random(in: 0..<8, using: &rng)
                let n = try db.execute("UPDATE t SET g = $1 WHERE g = $2", [to, from])
                let ids = model.filter { $0.value.g == from }.keys
                #expect(n == ids.count, "seed \(seed)")
                for k in ids { model[k]!.g = to }
            case 7:
                // Change the primary key.
                let target = id + 1000
                if model[id] != nil && model[target] != nil {
                    expectSQLError("23505") { try db.execute("UPDATE t SET id = $1 WHERE id = $2", [target, id]) }
                } else {
                    let n = try db.execute("UPDATE t SET id = $1 WHERE id = $2", [target, id])
                    #expect(n == (model[id] == nil ? 0 : 1), "seed \(seed)")
                    if let row = model.removeValue(forKey: id) { model[target] = row }
                }
            case 8:
                // Clear the unique column (its index entry must go away).
                let n = try db.execute("UPDATE t SET u = NULL WHERE id = $1", [id])
                #expect(n == (model[id] == nil ? 0 : 1), "seed \(seed)")
                if model[id] != nil { model[id]!.u = nil }
            default:
                let n = try db.execute("DELETE FROM t WHERE id = $1", [id])
                #expect(n == (model.removeValue(forKey: id) == nil ? 0 : 1), "seed \(seed)")
            }
            if step % 50 == 49 { try check(step) }
        } catch {
            Issue.record("seed \(seed) step \(step): \(error)")
            throw error
        } }
        try check(300)
        #expect(try db.checkIntegrity().isClean)
        try db.close()
    }
}
