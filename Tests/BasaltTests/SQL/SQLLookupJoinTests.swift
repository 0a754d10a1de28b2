import Basalt
import Foundation
import Testing

/// The primary key lookup join (batched, sorted lookups of the inner table) against a model: seeded
/// random tables with missing, repeated and NULL join keys, read in autocommit, inside a transaction
/// through its own uncommitted writes, and under a snapshot older than concurrent commits (versions read
/// from history).
@Suite struct SQLLookupJoinTests {
    typealias Parent = (v: String, n: Int)

    static let query = "SELECT c.id, p.id, p.v, p.n FROM c JOIN p ON c.pid = p.id"

    /// The join's rows per the model, as text, sorted.
    static func expected(_ parents: [Int: Parent], _ children: [Int: Int?]) -> [String] {
        children.compactMap { id, pid -> String? in
            guard let pid, let parent = parents[pid] else { return nil }
            return "\(id)|\(pid)|\(parent.v)|\(parent.n)"
        }.sorted()
    }

    static func found(_ rows: [[SQLValue]]) -> [String] {
        rows.map { $0.map(\.description).joined(separator: "|") }.sorted()
    }

    @Test func lookupJoinMatchesTheModelThroughOwnWritesAndHistory() throws {
        let seed = UInt64.random(in: 0...UInt64.max)
        var rng = SeededRandom(seed: seed)
        let db = try SQLTest.open()
        try db.execute("CREATE TABLE p(id INTEGER PRIMARY KEY, v TEXT, n INTEGER)")
        try db.execute("CREATE TABLE c(id INTEGER PRIMARY KEY, pid INTEGER, w INTEGER)")
        var parents: [Int: Parent] = [:]
        var children: [Int: Int?] = [:]
        for id in (0..<1_000).shuffled(using: &rng).prefix(300) {
            let parent = (v: "v\(id)-\(Int.random(in: 0..<100, using: &rng))", n: Int.random(in: -50..<50, using: &rng))
            parents[id] = parent
            try db.execute("INSERT INTO p VALUES ($1, $2, $3)", [id, parent.v, parent.n])
        }
        // Enough children for several lookup rounds' worth of keys, many sharing a parent.
        let session = db.session()
        try session.execute("BEGIN")
        for id in 0..<3_000 {
            let pid: Int? = Int.random(in: 0..<20, using: &rng) == 0 ? nil : Int.random(in: -10..<1_100, using: &rng)
            children[id] = pid
            try session.execute("INSERT INTO c VALUES ($1, $2, 0)", [id, pid.map { SQLValue.integer(Int64($0)) } ?? .null])
        }
        try session.execute("COMMIT")
        let plan = try db.query("EXPLAIN " + Self.query).allValues().map(\.description).joined(separator: "\n")
        #expect(plan.contains("Primary Key Lookup on p"), "seed \(seed): the join is not a lookup join:\n\(plan)")
        #expect(Self.found(try db.query(Self.query).allValues()) == Self.expected(parents, children), "seed \(seed): autocommit")
        // Rows of no columns (only counted) and an aggregate over both sides.
        let matched = Self.expected(parents, children).count
        #expect(try db.query("SELECT count(*) FROM c JOIN p ON c.pid = p.id").allValues() == [[.integer(Int64(matched))]],
                "seed \(seed): count of the join")
        let total = children.values.compactMap { $0.flatMap { parents[$0] }?.n }.reduce(0, +)
        #expect(try db.query("SELECT sum(p.n + c.w) FROM c JOIN p ON c.pid = p.id").allValues()
                == [[matched == 0 ? .null : .integer(Int64(total))]], "seed \(seed): sum over the join")

        // A repeatable-read transaction writes parents (insert, update, delete) and reads its own writes,
        // while another session's commits after its snapshot stay invisible to it.
        let txn = db.session()
        try txn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
        #expect(Self.found(try txn.query(Self.query).allValues()) == Self.expected(parents, children), "seed \(seed): first read")
        var mine = parents
        for _ in 0..<60 {
            let id = Int.random(in: 0..<1_000, using: &rng)
            // Keys another session changes below are left alone here (they would conflict).
            guard id % 7 != 0 else { continue }
            if mine[id] != nil, Bool.random(using: &rng) {
                try txn.execute("DELETE FROM p WHERE id = $1", [id])
                mine[id] = nil
            } else {
                let parent = (v: "mine\(id)", n: Int.random(in: 0..<9, using: &rng))
                try txn.execute("INSERT INTO p VALUES ($1, $2, $3) ON CONFLICT (id) DO UPDATE SET v = excluded.v, n = excluded.n",
                                [id, parent.v, parent.n])
                mine[id] = parent
            }
        }
        var committed = parents
        for id in stride(from: 0, to: 1_000, by: 7) where parents[id] != nil {
            try db.execute("UPDATE p SET n = n + 1000 WHERE id = $1", [id])
            committed[id]!.n += 1000
        }
        #expect(Self.found(try txn.query(Self.query).allValues()) == Self.expected(mine, children),
                "seed \(seed): own writes over the snapshot")
        try txn.execute("ROLLBACK")
        #expect(Self.found(try db.query(Self.query).allValues()) == Self.expected(committed, children), "seed \(seed): after rollback")
        try db.close()
    }
}
