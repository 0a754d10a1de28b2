import Basalt
import Foundation
import Testing

/// Plans that skip work must not change results: covering-index scans (rows from index entries alone)
/// and primary key lookup joins are compared with the plain plans on seeded random data.
@Suite struct SQLPlanTests {
    static func plan(_ db: Database, _ sql: String) throws -> String {
        try db.query("EXPLAIN " + sql).allValues().map { $0[0].textValue }.joined(separator: "\n")
    }

    @Test func coveringIndexAndLookupJoinAgreeWithPlainPlans() throws {
        let (db, dir) = try SQLAPITests.open()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let seed = UInt64.random(in: 0...UInt64.max)
        var rng = SeededRandom(seed: seed)
        try db.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, k INTEGER, v TEXT); CREATE TABLE u(id INTEGER PRIMARY KEY, t_id INTEGER, w INTEGER)")
        let session = db.session()
        try session.execute("BEGIN")
        let insertT = try session.prepare("INSERT INTO t VALUES ($1, $2, $3)")
        for id in 0..<400 {
            let k: Int? = Int.random(in: 0..<10, using: &rng) == 0 ? nil : Int.random(in: 0..<40, using: &rng)
            try insertT.execute([id, k, "v\(id)"])
        }
        let insertU = try session.prepare("INSERT INTO u VALUES ($1, $2, $3)")
        for id in 0..<300 {
            let ref: Int? = Int.random(in: 0..<8, using: &rng) == 0 ? nil : Int.random(in: -20..<420, using: &rng)
            try insertU.execute([id, ref, Int.random(in: 0..<100, using: &rng)])
        }
        try session.execute("COMMIT")
        // Plain answers first (no index), then through the covering index.
        let queries = (0..<20).map { _ in "SELECT id, k FROM t WHERE k = \(Int.random(in: 0..<40, using: &rng)) ORDER BY id" }
            + ["SELECT id FROM t WHERE k >= 10 AND k < 20 ORDER BY id", "SELECT k, count(*) FROM t WHERE k < 5 GROUP BY k ORDER BY k"]
        let plain = try queries.map { try db.query($0).allValues() }
        try db.execute("CREATE INDEX t_k ON t(k)")
        #expect(try Self.plan(db, queries[0]).contains("(index only)"), "seed \(seed)")
        for (q, expected) in zip(queries, plain) {
            #expect(try db.query(q).allValues() == expected, "seed \(seed): \(q)")
        }
        // The lookup join against a hash join over the same data (forced by a predicate on t).
        let join = "SELECT u.id, t.k, u.w FROM u JOIN t ON u.t_id = t.id ORDER BY u.id"
        #expect(try Self.plan(db, join).contains("Primary Key Lookup"), "seed \(seed)")
        let viaLookup = try db.query(join).allValues()
        let viaHash = try db.query("SELECT u.id, t.k, u.w FROM u JOIN t ON u.t_id = t.id AND t.id = t.id + 0 ORDER BY u.id").allValues()
        #expect(viaLookup == viaHash, "seed \(seed)")
        #expect(viaLookup.count == (try db.query("SELECT count(*) FROM u WHERE t_id >= 0 AND t_id < 400").allValues()[0][0] == .integer(Int64(viaLookup.count)) ? viaLookup.count : -1))
    }
}

extension SQLPlanTests {
    /// `WITH RECURSIVE` plans a work-table iteration only for a CTE whose later term reads itself; a
    /// plain union under WITH RECURSIVE runs once (it used to be taken for recursive by name matching).
    @Test func withRecursiveIteratesOnlyWhenTheTermReadsItself() throws {
        let (db, dir) = try SQLAPITests.open()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(try db.query("WITH RECURSIVE t AS (SELECT 1 AS n UNION ALL SELECT 2) SELECT n FROM t ORDER BY n").allValues()
                == [[.integer(1)], [.integer(2)]])
        #expect(try db.query("WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 5) SELECT sum(n) FROM t").allValues()
                == [[.integer(15)]])
        #expect(try db.query("WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM (SELECT n FROM t) AS s WHERE n < 3) SELECT count(*) FROM t").allValues()
                == [[.integer(3)]])
    }
}

extension SQLPlanTests {
    /// Lookup joins read their keys in sorted rounds (one batch, then up to 131,072 rows): results
    /// must equal a hash join's over several rounds, with repeated, missing and NULL keys, an integer
    /// key and a composite text key, the transaction's own uncommitted rows, and the left side's order.
    @Test func batchedLookupJoinsMatchHashJoinsAndKeepLeftOrder() throws {
        let (db, dir) = try SQLAPITests.open()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let seed = UInt64.random(in: 0...UInt64.max)
        var rng = SeededRandom(seed: seed)
        try db.execute("""
            CREATE TABLE t(id INTEGER PRIMARY KEY, k INTEGER);
            CREATE TABLE c(a TEXT, b INTEGER, x INTEGER, PRIMARY KEY (a, b));
            CREATE TABLE u(id INTEGER PRIMARY KEY, t_id INTEGER, ca TEXT, cb INTEGER)
            """)
        let session = db.session()
        try session.execute("BEGIN")
        let insertT = try session.prepare("INSERT INTO t VALUES ($1, $2)")
        for id in stride(from: 0, to: 3000, by: 2) { try insertT.execute([id, id * 7 % 101]) }
        let insertC = try session.prepare("INSERT INTO c VALUES ($1, $2, $3)")
        for a in 0..<30 { for b in 0..<20 where (a + b) % 3 != 0 { try insertC.execute(["a\(a)", b, a * 100 + b]) } }
        let insertU = try session.prepare("INSERT INTO u VALUES ($1, $2, $3, $4)")
        for id in 0..<2600 {
            let ref: Int? = Int.random(in: 0..<10, using: &rng) == 0 ? nil : Int.random(in: -10..<3100, using: &rng)
            let a: String? = Int.random(in: 0..<10, using: &rng) == 0 ? nil : "a\(Int.random(in: 0..<32, using: &rng))"
            try insertU.execute([id, ref, a, Int.random(in: 0..<22, using: &rng)])
        }
        try session.execute("COMMIT")
        let cases = [
            ("SELECT u.id, t.k FROM u JOIN t ON u.t_id = t.id",
             "SELECT u.id, t.k FROM u JOIN t ON u.t_id = t.id AND t.id = t.id + 0 ORDER BY u.id"),
            ("SELECT u.id, c.x FROM u JOIN c ON c.a = u.ca AND c.b = u.cb",
             "SELECT u.id, c.x FROM u JOIN c ON c.a = u.ca AND c.b = u.cb AND c.x = c.x + 0 ORDER BY u.id"),
        ]
        for (lookup, hash) in cases {
            #expect(try Self.plan(db, lookup).contains("Primary Key Lookup"), "seed \(seed): \(lookup)")
            let viaLookup = try db.query(lookup).allValues()   // no ORDER BY: the left side's order
            let viaHash = try db.query(hash).allValues()
            #expect(viaLookup == viaHash, "seed \(seed): \(lookup)")
            #expect(viaLookup.count > 900, "seed \(seed): \(lookup) matched only \(viaLookup.count)")
        }
        // Rows the transaction itself wrote (and deleted) are joined as it sees them.
        try session.execute("BEGIN")
        try session.execute("INSERT INTO t SELECT id, -1 FROM u WHERE id % 2 = 1 AND id < 3000")
        try session.execute("DELETE FROM t WHERE id < 1000 AND id % 4 = 0")
        let inside = try session.query("SELECT u.id, t.k FROM u JOIN t ON u.t_id = t.id").allValues()
        let insideHash = try session.query(cases[0].1).allValues()
        #expect(inside == insideHash, "seed \(seed): inside the transaction")
        try session.execute("ROLLBACK")
        #expect(try db.query(cases[0].0).allValues() == (try db.query(cases[0].1).allValues()), "seed \(seed): after rollback")
        // A snapshot older than a concurrent commit reads the replaced rows from history.
        try session.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
        let before = try session.query(cases[0].0).allValues()
        try db.execute("UPDATE t SET k = k + 1000 WHERE id % 3 = 0")
        try db.execute("DELETE FROM t WHERE id % 5 = 0")
        #expect(try session.query(cases[0].0).allValues() == before, "seed \(seed): the snapshot's join changed")
        try session.execute("COMMIT")
        let after = try db.query(cases[0].0).allValues()
        #expect(after != before, "seed \(seed): the concurrent commit is not visible afterwards")
        #expect(after == (try db.query(cases[0].1).allValues()), "seed \(seed): after the concurrent commit")
    }
}

extension SQLPlanTests {
    /// The scans and primary key lookups of a join decode only the columns the query names somewhere
    /// (select list, WHERE, ON, GROUP BY, HAVING, ORDER BY; through aliases and column aliases, in self
    /// joins): every query's answer is checked against a model of the tables, so a column skipped that
    /// something reads shows up as a wrong (NULL) value.
    @Test func joinsDecodeOnlyWhatTheQueryReadsAndAnswerTheSame() throws {
        let (db, dir) = try SQLAPITests.open()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let seed = UInt64.random(in: 0...UInt64.max)
        var rng = SeededRandom(seed: seed)
        try db.execute("CREATE TABLE a(id INTEGER PRIMARY KEY, x INTEGER, s TEXT, y INTEGER); "
            + "CREATE TABLE b(id INTEGER PRIMARY KEY, a_id INTEGER, t TEXT, z INTEGER)")
        struct A { var id: Int64; var x: Int64?; var s: String; var y: Int64 }
        struct B { var id: Int64; var aID: Int64?; var t: String; var z: Int64 }
        let letters = Array("abcdefghijklmnopqrstuvwxyz")
        func text(_ prefix: String) -> String {
            prefix + String((0..<Int.random(in: 0..<40, using: &rng)).map { _ in letters.randomElement(using: &rng)! })
        }
        var aRows: [Int64: A] = [:]
        var bRows: [B] = []
        for id in 0..<60 {
            let x: Int64? = Int.random(in: 0..<6, using: &rng) == 0 ? nil : Int64.random(in: -3..<70, using: &rng)
            let row = A(id: Int64(id), x: x, s: text("s\(id)-"), y: Int64.random(in: 0..<100, using: &rng))
            aRows[row.id] = row
            try db.execute("INSERT INTO a VALUES ($1, $2, $3, $4)", [row.id, row.x, row.s, row.y])
        }
        for id in 0..<80 {
            let ref: Int64? = Int.random(in: 0..<8, using: &rng) == 0 ? nil : Int64.random(in: -5..<65, using: &rng)
            let row = B(id: Int64(id), aID: ref, t: text("t\(id)-"), z: Int64.random(in: 0..<100, using: &rng))
            bRows.append(row)
            try db.execute("INSERT INTO b VALUES ($1, $2, $3, $4)", [row.id, row.aID, row.t, row.z])
        }
        let pairs = bRows.compactMap { b in b.aID.flatMap { aRows[$0] }.map { (b, $0) } }
        func check(_ sql: String, _ expected: [[SQLValue]], plan: String? = nil) throws {
            #expect(try db.query(sql).allValues() == expected, "seed \(seed): \(sql)")
            if let plan { #expect(try Self.plan(db, sql).contains(plan), "seed \(seed): \(sql)") }
        }
        func value(_ n: Int64?) -> SQLValue { n.map { .integer($0) } ?? .null }
        try check("SELECT b.id, a.s FROM b JOIN a ON b.a_id = a.id ORDER BY b.id",
                  pairs.map { [.integer($0.0.id), .text($0.1.s)] }, plan: "Primary Key Lookup")
        try check("SELECT b.id FROM b JOIN a ON b.a_id = a.id WHERE a.y > 50 ORDER BY b.id",
                  pairs.filter { $0.1.y > 50 }.map { [.integer($0.0.id)] })
        try check("SELECT sum(b.z + a.y), count(*) FROM a, b WHERE a.id = b.a_id",
                  [[pairs.isEmpty ? .null : .integer(pairs.reduce(0) { $0 + $1.0.z + $1.1.y }), .integer(Int64(pairs.count))]])
        try check("SELECT p.j FROM b JOIN a AS p(i, j, k, l) ON b.a_id = p.i ORDER BY b.id",
                  pairs.map { [value($0.1.x)] })
        try check("SELECT b.id FROM b JOIN a ON b.a_id = a.id ORDER BY a.s, b.id",
                  pairs.sorted { ($0.1.s, $0.0.id) < ($1.1.s, $1.0.id) }.map { [.integer($0.0.id)] })
        try check("SELECT a.y, count(*) FROM a JOIN b ON b.a_id = a.id GROUP BY a.y HAVING max(b.t) > 't5' ORDER BY a.y",
                  Dictionary(grouping: pairs, by: { $0.1.y }).filter { $0.value.map(\.0.t).max()! > "t5" }
                      .sorted { $0.key < $1.key }.map { [.integer($0.key), .integer(Int64($0.value.count))] })
        let selfPairs = aRows.values.sorted { $0.id < $1.id }.compactMap { a1 in a1.x.flatMap { aRows[$0] }.map { (a1, $0) } }
        try check("SELECT a1.id, a2.s, a2.x FROM a AS a1 JOIN a AS a2 ON a1.x = a2.id ORDER BY a1.id",
                  selfPairs.map { [.integer($0.0.id), .text($0.1.s), value($0.1.x)] })
    }
}

extension SQLPlanTests {
    /// Covering scans over integer entries decode each key in place (`KeyCodec.decodeIntegers`):
    /// negative values, NULLs, descending columns, composite indexes, a unique index (primary key in
    /// the entry's value) and a table keyed by a hidden row id must read as the plain plans do.
    @Test func integerCoveringScansMatchPlainPlans() throws {
        let (db, dir) = try SQLAPITests.open()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let seed = UInt64.random(in: 0...UInt64.max)
        var rng = SeededRandom(seed: seed)
        try db.execute("""
            CREATE TABLE t(id BIGINT PRIMARY KEY, k INTEGER, j SMALLINT, u BIGINT);
            CREATE TABLE h(k INTEGER, w INTEGER)
            """)
        let session = db.session()
        try session.execute("BEGIN")
        let insertT = try session.prepare("INSERT INTO t VALUES ($1, $2, $3, $4)")
        let insertH = try session.prepare("INSERT INTO h VALUES ($1, $2)")
        var used = Set<Int>()
        for n in 0..<500 {
            let id = Int.random(in: -1_000_000_000_000...1_000_000_000_000, using: &rng)
            guard used.insert(id).inserted else { continue }
            let k: Int? = Int.random(in: 0..<8, using: &rng) == 0 ? nil : Int.random(in: -300...300, using: &rng)
            let j: Int? = Int.random(in: 0..<8, using: &rng) == 0 ? nil : Int.random(in: -5...5, using: &rng)
            try insertT.execute([id, k, j, n * 7 - 1_000])
            try insertH.execute([k, n])
        }
        try session.execute("COMMIT")
        let queries = (0..<10).flatMap { _ -> [String] in
            let k = Int.random(in: -300...300, using: &rng), j = Int.random(in: -5...5, using: &rng)
            return ["SELECT id, k FROM t WHERE k = \(k) ORDER BY id",
                    "SELECT id, j FROM t WHERE k = \(k) AND j >= \(j) ORDER BY id",
                    "SELECT id, u FROM t WHERE u >= \(k * 7) AND u < \(k * 7 + 400) ORDER BY id"]
        } + ["SELECT id, k, j FROM t WHERE k < -100 ORDER BY id", "SELECT count(*) FROM h WHERE k >= 0 AND k < 100"]
        let plain = try queries.map { try db.query($0).allValues() }
        try db.execute("""
            CREATE INDEX t_kj ON t(k, j DESC); CREATE UNIQUE INDEX t_u ON t(u DESC); CREATE INDEX h_k ON h(k)
            """)
        #expect(try Self.plan(db, queries[1]).contains("(index only)"), "seed \(seed)")
        #expect(try Self.plan(db, queries[2]).contains("(index only)"), "seed \(seed)")
        for (q, expected) in zip(queries, plain) {
            #expect(try db.query(q).allValues() == expected, "seed \(seed): \(q)")
        }
    }
}
