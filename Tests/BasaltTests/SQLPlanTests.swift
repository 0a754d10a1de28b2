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
