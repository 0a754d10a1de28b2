import Basalt
import Foundation
import Testing

@Suite struct SQLIndexTests {
    static func plan(_ db: Database, _ sql: String, _ parameters: [any SQLParameter] = []) throws -> String {
        let rows = try db.query("EXPLAIN " + sql, parameters)
        #expect(rows.columns == ["QUERY PLAN"])
        return try rows.strings().map { $0[0] }.joined(separator: "\n")
    }

    @Test func createIndexOnExistingRowsIsBuiltFromThem() throws {
        let db = try SQLTest.open()
        try db.execute("CREATE TABLE t (id INT PRIMARY KEY, k INT, s TEXT)")
        try db.execute("INSERT INTO t SELECT n, n % 10, 's' || n FROM (WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 200) SELECT n FROM c) AS x")
        #expect(try db.count("t") == 200)
        try db.execute("CREATE INDEX t_k ON t (k)")
        #expect(try Self.plan(db, "SELECT id FROM t WHERE k = 3").contains("Index Scan using t_k"))
        let ids = try db.column("SELECT id FROM t WHERE k = 3 ORDER BY id")
        #expect(ids == stride(from: 3, through: 193, by: 10).map(String.init))
        // Rows added after the build are found too.
        try db.execute("INSERT INTO t VALUES (1000, 3, 'late')")
        #expect(try db.column("SELECT id FROM t WHERE k = 3 ORDER BY id").last == "1000")
        try db.close()
    }

    /// CREATE INDEX encodes the entries of an index on one integer column straight from the decoded
    /// values; those entries must be exactly what inserting into an already indexed table writes. Two
    /// tables get the same seeded rows (negative, large, duplicate and NULL values), one indexed before
    /// its inserts and one after; every index range read must then agree, in both directions and for
    /// each integer width.
    @Test(arguments: ["SMALLINT", "INT", "BIGINT"])
    func integerIndexBuiltFromRowsMatchesOneMaintainedByInserts(type: String) throws {
        let seed = UInt64.random(in: 0 ... .max)
        var rng = SeededRandom(seed: seed)
        let db = try SQLTest.open()
        let limit: Int64 = type == "SMALLINT" ? Int64(Int16.max) : type == "INT" ? Int64(Int32.max) : .max
        for table in ["before", "after"] {
            try db.execute("CREATE TABLE \(table) (id INT PRIMARY KEY, k \(type), w \(type), u \(type))")
        }
        // One index per column, so each range read below has to use it.
        for name in ["k_desc ON before (k DESC)", "w_asc ON before (w)", "u_unique ON before (u)"] {
            try db.execute("CREATE \(name.hasPrefix("u_") ? "UNIQUE " : "")INDEX before_\(name)")
        }
        let session = db.session()
        let insertBefore = try session.prepare("INSERT INTO before VALUES ($1, $2, $3, $4)")
        let insertAfter = try session.prepare("INSERT INTO after VALUES ($1, $2, $3, $4)")
        try session.execute("BEGIN")
        for id in 0..<3_000 {
            let k: Int64? = Int.random(in: 0..<10, using: &rng) == 0 ? nil
                : [Int64.random(in: -limit ... limit, using: &rng), Int64.random(in: -5...5, using: &rng), limit, -limit][Int.random(in: 0..<4, using: &rng)]
            let u: Int64? = id % 7 == 0 ? nil : (Int64(id) * 7919) % limit - limit / 2
            let w = k.map { $0 / 2 }
            try insertBefore.execute([id, k, w, u])
            try insertAfter.execute([id, k, w, u])
        }
        try session.execute("COMMIT")
        for name in ["k_desc ON after (k DESC)", "w_asc ON after (w)", "u_unique ON after (u)"] {
            try db.execute("CREATE \(name.hasPrefix("u_") ? "UNIQUE " : "")INDEX after_\(name)")
        }
        for _ in 0..<40 {
            let a = Int64.random(in: -limit ... limit, using: &rng), b = Int64.random(in: -limit ... limit, using: &rng)
            let (low, high) = (min(a, b), max(a, b))
            for query in ["SELECT id, k FROM %@ WHERE k BETWEEN $1 AND $2 ORDER BY k, id",
                          "SELECT id, w FROM %@ WHERE w BETWEEN $1 AND $2 ORDER BY w DESC, id DESC",
                          "SELECT id, u FROM %@ WHERE u >= $1 AND u <= $2 ORDER BY u",
                          "SELECT count(*) FROM %@ WHERE k IS NULL OR k = $1 OR k = $2"] {
                let before = try db.rows(query.replacingOccurrences(of: "%@", with: "before"), [low, high])
                let after = try db.rows(query.replacingOccurrences(of: "%@", with: "after"), [low, high])
                #expect(before == after, "seed \(seed), \(type): \(query) with \(low), \(high)")
            }
        }
        for column in ["k", "w", "u"] {
            #expect(try Self.plan(db, "SELECT id FROM after WHERE \(column) BETWEEN 1 AND 3").contains("Index"), "seed \(seed)")
        }
        // A duplicate in the built unique index is refused; the others stay usable.
        expectSQLError("23505", db, "INSERT INTO after VALUES (9999, 0, 0, $1)", [(Int64(15) * 7919) % limit - limit / 2])
        try db.close()
    }

    @Test func createUniqueIndexOnExistingRowsEnforcesUniqueness() throws {
        let db = try SQLTest.open()
        try db.execute("CREATE TABLE t (id INT PRIMARY KEY, email TEXT)")
        try db.execute("INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, NULL), (4, NULL)")
        try db.execute("CREATE UNIQUE INDEX t_email ON t (email)")
        let error = expectSQLError("23505", db, "INSERT INTO t VALUES (5, 'a')")
        #expect(error?.message.contains("t_email") == true)
        try db.execute("INSERT INTO t VALUES (5, NULL), (6, 'c')")
        #expect(try db.column("SELECT id FROM t WHERE email = 'b'") == ["2"])
        try db.close()
    }

    @Test func uniqueIndexOnDuplicatesFails23505AndLeavesNothing() throws {
        let db = try SQLTest.open()
        try db.execute("CREATE TABLE t (id INT PRIMARY KEY, k INT)")
        try db.execute("INSERT INTO t VALUES (1, 1), (2, 2), (3, 1)")
        expectSQLError("23505", db, "CREATE UNIQUE INDEX t_k ON t (k)")
        // No index: equality still scans, duplicates can still be inserted, and the name is free.
        #expect(try Self.plan(db, "SELECT id FROM t WHERE k = 1").contains("Seq Scan"))
        try db.execute("INSERT INTO t VALUES (4, 2)")
        expectSQLError("42704", db, "DROP INDEX t_k")
        try db.execute("CREATE INDEX t_k ON t (k)")
        #expect(try db.column("SELECT id FROM t WHERE k = 2 ORDER BY id") == ["2", "4"])
        try db.close()
    }

    @Test func duplicateIndexNameIs42P07AndIfNotExistsSkips() throws {
        let db = try SQLTest.open()
        try db.execute("CREATE TABLE t (a INT, b INT)")
        try db.execute("CREATE INDEX t_i ON t (a)")
        expectSQLError("42P07", db, "CREATE INDEX t_i ON t (b)")
        try db.execute("CREATE INDEX IF NOT EXISTS t_i ON t (b)")
        expectSQLError("42703", db, "CREATE INDEX t_j ON t (nope)")
        expectSQLError("42P01", db, "CREATE INDEX t_j ON nope (a)")
        try db.close()
    }

    @Test func dropIndexFallsBackToSeqScanAndIfExists() throws {
        let db = try SQLTest.open()
        try db.execute("CREATE TABLE t (id INT PRIMARY KEY, k INT)")
        try db.execute("INSERT INTO t VALUES (1, 5), (2, 6), (3, 5)")
        try db.execute("CREATE INDEX t_k ON t (k)")
        #expect(try Self.plan(db, "SELECT id FROM t WHERE k = 5").contains("Index Scan"))
        try db.execute("DROP INDEX t_k")
        #expect(try Self.plan(db, "SELECT id FROM t WHERE k = 5").contains("Seq Scan"))
        #expect(try db.column("SELECT id FROM t WHERE k = 5 ORDER BY id") == ["1", "3"])
        expectSQLError("42704", db, "DROP INDEX t_k")
        try db.execute("DROP INDEX IF EXISTS t_k")
        try db.close()
    }

    @Test func explainShowsIndexScanForEqualityAndSeqScanOtherwise() throws {
        let db = try SQLTest.open()
        try db.execute("CREATE TABLE t (id INT PRIMARY KEY, k INT, other INT)")
        try db.execute("CREATE INDEX t_k ON t (k)")
        try db.execute("INSERT INTO t VALUES (1, 1, 1), (2, 2, 2)")
        let indexed = try Self.plan(db, "SELECT * FROM t WHERE k = 1")
        #expect(indexed.contains("Index Scan using t_k on t"), "\(indexed)")
        let param = try Self.plan(db, "SELECT * FROM t WHERE k = $1", [1])
        #expect(param.contains("Index Scan"), "\(param)")
        let unindexed = try Self.plan(db, "SELECT * FROM t WHERE other = 1")
        #expect(unindexed.contains("Seq Scan on t"), "\(unindexed)")
        #expect(!unindexed.contains("Index Scan"))
        let noFilter = try Self.plan(db, "SELECT * FROM t")
        #expect(noFilter.contains("Seq Scan on t"), "\(noFilter)")
        // A function of the indexed column cannot use it.
        #expect(try Self.plan(db, "SELECT * FROM t WHERE k + 0 = 1").contains("Seq Scan"))
        // EXPLAIN does not run the statement.
        _ = try Self.plan(db, "DELETE FROM t WHERE k = 1")
        #expect(try db.count("t") == 2)
        try db.close()
    }

    @Test func multiColumnIndexServesPrefixEquality() throws {
        let db = try SQLTest.open()
        try db.execute("CREATE TABLE t (id INT PRIMARY KEY, a INT, b TEXT)")
        try db.execute("CREATE INDEX t_ab ON t (a, b)")
        try db.execute("INSERT INTO t VALUES (1, 1, 'x'), (2, 1, 'y'), (3, 2, 'x'), (4, 1, 'x')")
        #expect(try Self.plan(db, "SELECT id FROM t WHERE a = 1 AND b = 'x'").contains("Index Scan"))
        #expect(try db.column("SELECT id FROM t WHERE a = 1 AND b = 'x' ORDER BY id") == ["1", "4"])
        #expect(try db.column("SELECT id FROM t WHERE a = 1 ORDER BY id") == ["1", "2", "4"])
        #expect(try db.column("SELECT id FROM t WHERE b = 'x' ORDER BY id") == ["1", "3", "4"])
        try db.close()
    }

    /// Seeded random data with duplicates, NULLs and negatives: equality and range queries give the
    /// same rows through an index as through a scan and as a Swift model.
    @Test func indexedAndUnindexedQueriesAgreeWithModel() throws {
        let seed = UInt64.random(in: 0...UInt64(UInt32.max))
        var rng = SeededRandom(seed: seed)
        let db = try SQLTest.open()
        try db.execute("CREATE TABLE ix (id INT PRIMARY KEY, k INT, s TEXT)")
        try db.execute("CREATE TABLE sc (id INT PRIMARY KEY, k INT, s TEXT)")
        var model: [(id: Int, k: Int?, s: String)] = []
        let session = db.session()
        try session.execute("BEGIN")
        let insIx = try session.prepare("INSERT INTO ix VALUES ($1, $2, $3)")
        let insSc = try session.prepare("INSERT INTO sc VALUES ($1, $2, $3)")
        for id in 0..<400 {
            let k: Int? = Int.random(in: 0..<10, using: &rng) == 0 ? nil : Int.random(in: -50...50, using: &rng)
            let s = String(UnicodeScalar(UInt8(97 + Int.random(in: 0..<6, using: &rng)))) + String(Int.random(in: 0..<5, using: &rng))
            try insIx.execute([id, k, s])
            try insSc.execute([id, k, s])
            model.append((id, k, s))
        }
        try session.execute("COMMIT")
        // The indexes are built from the loaded rows.
        try db.execute("CREATE INDEX ix_k ON ix (k)")
        try db.execute("CREATE INDEX ix_s ON ix (s)")
        #expect(try Self.plan(db, "SELECT id FROM ix WHERE k = 1").contains("Index Scan"), "seed \(seed)")
        #expect(try Self.plan(db, "SELECT id FROM sc WHERE k = 1").contains("Seq Scan"), "seed \(seed)")
        for _ in 0..<25 {
            let v = Int.random(in: -55...55, using: &rng)
            let expected = model.filter { $0.k == v }.map { String($0.id) }
            for table in ["ix", "sc"] {
                #expect(try db.column("SELECT id FROM \(table) WHERE k = $1 ORDER BY id", [v]) == expected, "seed \(seed) \(table) k = \(v)")
            }
            let lo = Int.random(in: -55...55, using: &rng), hi = lo + Int.random(in: 0...20, using: &rng)
            let range = model.filter { $0.k.map { $0 >= lo && $0 < hi } ?? false }.map { String($0.id) }
            for table in ["ix", "sc"] {
                #expect(try db.column("SELECT id FROM \(table) WHERE k >= $1 AND k < $2 ORDER BY id", [lo, hi]) == range,
                        "seed \(seed) \(table) \(lo) <= k < \(hi)")
                #expect(try db.column("SELECT id FROM \(table) WHERE k BETWEEN \(lo) AND \(hi) ORDER BY id")
                    == model.filter { $0.k.map { $0 >= lo && $0 <= hi } ?? false }.map { String($0.id) }, "seed \(seed) \(table)")
            }
            let s = String(UnicodeScalar(UInt8(97 + Int.random(in: 0..<6, using: &rng)))) + String(Int.random(in: 0..<5, using: &rng))
            let prefix = model.filter { $0.s > s }.map { String($0.id) }
            for table in ["ix", "sc"] {
                #expect(try db.column("SELECT id FROM \(table) WHERE s > $1 ORDER BY id", [s]) == prefix, "seed \(seed) \(table) s > \(s)")
                #expect(try db.column("SELECT id FROM \(table) WHERE s = $1 ORDER BY id", [s]) == model.filter { $0.s == s }.map { String($0.id) },
                        "seed \(seed) \(table) s = \(s)")
            }
        }
        let nulls = model.filter { $0.k == nil }.map { String($0.id) }
        #expect(try db.column("SELECT id FROM ix WHERE k IS NULL ORDER BY id") == nulls, "seed \(seed)")
        // Ordered by the indexed column, NULLs last (PostgreSQL's ASC default).
        let ordered = try db.column("SELECT k FROM ix ORDER BY k, id")
        let expectedOrder = model.sorted { a, b in
            switch (a.k, b.k) {
            case let (x?, y?): return x != y ? x < y : a.id < b.id
            case (nil, nil): return a.id < b.id
            case (nil, _): return false
            case (_, nil): return true
            }
        }.map { $0.k.map(String.init) ?? "NULL" }
        #expect(ordered == expectedOrder, "seed \(seed)")
        #expect(try db.checkIntegrity().isClean)
        try db.close()
    }

    @Test func indexOnTextAndNumericKinds() throws {
        let db = try SQLTest.open()
        try db.execute("CREATE TABLE t (id INT PRIMARY KEY, d DOUBLE PRECISION, n NUMERIC(10,2), day DATE)")
        try db.execute("CREATE INDEX t_d ON t (d); CREATE INDEX t_n ON t (n); CREATE INDEX t_day ON t (day)")
        try db.execute("INSERT INTO t VALUES (1, 1.5, 2.50, '2024-01-01'), (2, -0.0, 2.5, '2024-01-02'), (3, 0.0, 3, '2023-12-31')")
        // Index lookups compare by value across forms: 2.5 = 2.50, -0.0 = 0.0, integer literal vs double column.
        #expect(try db.column("SELECT id FROM t WHERE n = 2.5 ORDER BY id") == ["1", "2"])
        #expect(try db.column("SELECT id FROM t WHERE n = 3 ORDER BY id") == ["3"])
        #expect(try db.column("SELECT id FROM t WHERE d = 0 ORDER BY id") == ["2", "3"])
        #expect(try db.column("SELECT id FROM t WHERE day >= '2024-01-01' ORDER BY id") == ["1", "2"])
        try db.close()
    }
}
