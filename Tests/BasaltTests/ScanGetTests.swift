@testable import Basalt
import BasaltStorage
import Foundation
import Testing

/// Prepared short range reads run as scan gets after their first run (no transaction, no operators,
/// one lock hold at the newest visible state; `ScanGet`). They must answer exactly as the full path
/// does — the same statement inside a transaction block, where the fast path never applies — for
/// primary key ranges and index-only scans, through random changes, NULL and inexact parameters,
/// ranges longer than a scan get returns, other sessions' uncommitted changes and DDL.
@Suite struct ScanGetTests {
    static func open() throws -> (Database, String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("basalt-scanget-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var config = Config()
        config.syncMode = .off
        return (try Database.open(path: dir.appendingPathComponent("t.db").path, config: config), dir.path)
    }

    static let statements = [
        // Primary key ranges: a prefix and a bound, a projection that reorders, all columns.
        "SELECT v, b FROM r WHERE a = $1 AND b >= $2 AND b < $3",
        "SELECT * FROM r WHERE a > $1 AND a <= $2",
        "SELECT a, b, w FROM r WHERE a = $1",
        // Index-only scans: non-unique text index, unique descending index, composite index.
        "SELECT b, a FROM r WHERE v = $1",
        "SELECT a, v FROM r WHERE v >= $1 AND v < $2",
        "SELECT w, a, b FROM r WHERE w > $1 AND w <= $2",
        "SELECT a, b FROM r WHERE b = $1 AND a >= $2",
    ]

    static func parameters(_ statement: Int, _ rng: inout SeededRandom) -> [any SQLParameter] {
        func int(_ range: ClosedRange<Int>) -> any SQLParameter {
            switch rng.next() % 12 {
            case 0: return Int?.none
            case 1: return Double(Int.random(in: range, using: &rng)) + 0.5
            default: return Int.random(in: range, using: &rng)
            }
        }
        func text() -> any SQLParameter { rng.next() % 12 == 0 ? String?.none as any SQLParameter : "v\(rng.next() % 30)" }
        switch statement {
        case 0: return [int(0...12), int(-5...60), int(-5...60)]
        case 1: return [int(-2...12), int(-2...12)]
        case 2: return [int(-1...12)]
        case 3: return [text()]
        case 4: return [text(), text()]
        case 5: return [rng.next() % 12 == 0 ? Double?.none : Double(rng.next() % 700) / 4 - 10,
                        Double(rng.next() % 700) / 4 - 10]
        default: return [int(0...60), int(-1...12)]
        }
    }

    @Test(arguments: [UInt64(71), 72])
    func preparedRangeReadsMatchTheFullPath(seed: UInt64) throws {
        let (db, dir) = try Self.open()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try db.execute("CREATE TABLE r(a INTEGER, b INTEGER, v TEXT, w DOUBLE PRECISION, PRIMARY KEY (a, b))")
        try db.execute("CREATE INDEX r_v ON r(v)")
        try db.execute("CREATE UNIQUE INDEX r_w ON r(w DESC)")
        try db.execute("CREATE INDEX r_ba ON r(b, a)")
        var rng = SeededRandom(seed: seed)
        var nextW = 0.0
        for a in 0..<10 {
            for b in 0..<50 {
                nextW += 0.25
                try db.execute("INSERT INTO r VALUES ($1, $2, $3, $4)",
                               [a, b, rng.next() % 10 == 0 ? String?.none as any SQLParameter : "v\(rng.next() % 30)", nextW])
            }
        }
        let prepared = try Self.statements.map { try db.prepare($0) }
        let session = db.session()
        for step in 0..<400 {
            let s = Int(rng.next() % UInt64(Self.statements.count))
            let parameters = Self.parameters(s, &rng)
            try session.execute("BEGIN")
            let expected = try session.query(Self.statements[s], parameters).allValues()
            try session.execute("COMMIT")
            let actual = try prepared[s].query(parameters).allValues()
            #expect(actual == expected, "seed \(seed) step \(step): \(Self.statements[s]) \(parameters)")
            // A random change between reads: new rows, changed values (history for the fast path's
            // snapshot), deleted rows.
            switch rng.next() % 4 {
            case 0:
                nextW += 0.25
                try db.execute("INSERT INTO r VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                               [Int(rng.next() % 12), Int(rng.next() % 60), "v\(rng.next() % 30)", nextW])
            case 1:
                try db.execute("UPDATE r SET v = $1 WHERE a = $2 AND b = $3", ["v\(rng.next() % 30)", Int(rng.next() % 10), Int(rng.next() % 50)])
            case 2:
                try db.execute("DELETE FROM r WHERE a = $1 AND b = $2", [Int(rng.next() % 10), Int(rng.next() % 50)])
            default:
                break
            }
        }
        // The fast path ran for every shape (a test that never took it would prove nothing).
        for (s, statement) in prepared.enumerated() {
            #expect(statement.cache.scanGetsAnswered > 0, "seed \(seed): no scan get for \(Self.statements[s])")
        }
        #expect(throws: BasaltError.self) { try prepared[0].query([1]).allValues() }
    }

    /// A range longer than a scan get returns falls back to the plan and is complete; after a few such
    /// runs the statement goes straight to the plan, and comes back to the fast path when ranges are
    /// short again.
    @Test func longRangesFallBackToThePlan() throws {
        let (db, dir) = try Self.open()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try db.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, k INTEGER)")
        let insert = try db.prepare("INSERT INTO t VALUES ($1, $2)")
        for i in 1...2000 { try insert.execute([i, i % 7]) }
        let range = try db.prepare("SELECT id FROM t WHERE id >= $1 AND id < $2")
        for round in 0..<5 {
            let rows = try range.query([1, 1000]).allValues()
            #expect(rows == (1..<1000).map { [.integer(Int64($0))] }, "round \(round)")
        }
        #expect(range.cache.scanGetsAnswered == 0)
        var short = 0
        for start in 0..<200 {
            let rows = try range.query([start + 1, start + 11]).allValues()
            #expect(rows == (start + 1..<start + 11).map { [.integer(Int64($0))] })
            short += 1
        }
        #expect(range.cache.scanGetsAnswered > 0, "the fast path never came back after \(short) short ranges")
    }

    /// The fast path reads the newest committed state: another session's uncommitted inserts, updates
    /// and deletes stay invisible until it commits, and then all appear at once.
    @Test func uncommittedChangesOfOtherSessionsStayInvisible() throws {
        let (db, dir) = try Self.open()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try db.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, k INTEGER)")
        try db.execute("CREATE INDEX t_k ON t(k)")
        for i in 1...20 { try db.execute("INSERT INTO t VALUES ($1, $2)", [i, i % 4]) }
        let range = try db.prepare("SELECT id, k FROM t WHERE id >= $1 AND id < $2")
        let byK = try db.prepare("SELECT id FROM t WHERE k = $1")
        let before = try range.query([1, 30]).allValues()
        let beforeK = try byK.query([1]).allValues()
        _ = try range.query([1, 30]).allValues()
        _ = try byK.query([1]).allValues()
        let writer = db.session()
        try writer.execute("BEGIN")
        try writer.execute("INSERT INTO t VALUES (25, 1)")
        try writer.execute("UPDATE t SET k = 1 WHERE id = 2")
        try writer.execute("DELETE FROM t WHERE id = 5")
        #expect(try range.query([1, 30]).allValues() == before)
        #expect(try byK.query([1]).allValues() == beforeK)
        try writer.execute("COMMIT")
        let after = try range.query([1, 30]).allValues()
        #expect(after.count == before.count)   // one row in, one out
        #expect(after.contains([.integer(25), .integer(1)]) && !after.contains([.integer(5), .integer(1)]))
        #expect(try byK.query([1]).allValues() == [[.integer(1)], [.integer(2)], [.integer(9)], [.integer(13)], [.integer(17)], [.integer(25)]])
        // Every run after the first (which plans) took the fast path.
        #expect(range.cache.scanGetsAnswered == 3, "\(range.cache.scanGetsAnswered)")
        #expect(byK.cache.scanGetsAnswered == 3, "\(byK.cache.scanGetsAnswered)")
        // DDL: the plan is made again under the new catalog (here without the index).
        try db.execute("DROP INDEX t_k")
        #expect(try byK.query([1]).allValues() == [[.integer(1)], [.integer(2)], [.integer(9)], [.integer(13)], [.integer(17)], [.integer(25)]])
    }

    /// `Row.withUnsafeBytes(ofColumn:)` reads TEXT as its UTF-8 and BYTEA as its bytes, in place, from
    /// rows a scan get kept encoded and from rows the plan decoded alike; NULL is nil without calling
    /// the body, and any other type is a 42804 error.
    @Test func textAndByteaAreReadInPlace() throws {
        let (db, dir) = try Self.open()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try db.execute("CREATE TABLE b(id INTEGER PRIMARY KEY, t TEXT, x BYTEA, n INTEGER)")
        let texts = ["", "plain ascii text", "naïve café ∑ 😀", "short"]
        let blobs: [[UInt8]] = [[], [0, 255, 1, 0], Array(0...200), [7]]
        for i in 0..<4 {
            try db.execute("INSERT INTO b VALUES ($1, $2, $3, $4)", [i, texts[i], blobs[i], i * 10])
        }
        try db.execute("INSERT INTO b VALUES (4, NULL, NULL, NULL)")
        let range = try db.prepare("SELECT x, n, t FROM b WHERE id >= $1 AND id < $2")
        let session = db.session()
        for run in 0..<3 {
            // The prepared statement takes the scan get after its first run; inside a transaction block
            // the same query runs through the plan.
            let inBlock = run == 2
            if inBlock { try session.execute("BEGIN") }
            let rows = try (inBlock ? session.query("SELECT x, n, t FROM b WHERE id >= $1 AND id < $2", [0, 10])
                                    : range.query([0, 10])).all()
            if inBlock { try session.execute("COMMIT") }
            #expect(rows.count == 5)
            for (i, row) in rows.enumerated() {
                let text = try row.withUnsafeBytes(ofColumn: 2) { Array($0) }
                let blob = try row.withUnsafeBytes(ofColumn: 0) { Array($0) }
                #expect(text == (i < 4 ? Array(texts[i].utf8) : nil), "run \(run) row \(i)")
                #expect(blob == (i < 4 ? blobs[i] : nil), "run \(run) row \(i)")
                #expect(row[1] == (i < 4 ? .integer(Int64(i * 10)) : .null))
                if i < 4 {
                    #expect(throws: BasaltError.self) { _ = try row.withUnsafeBytes(ofColumn: 1) { _ in Issue.record("called for an integer") } }
                    do {
                        _ = try row.withUnsafeBytes(ofColumn: 1) { $0.count }
                    } catch let error as BasaltError {
                        #expect(error.code == .datatypeMismatch)
                    }
                } else {
                    #expect(try row.withUnsafeBytes(ofColumn: 1) { _ in Issue.record("called for NULL") } == nil)
                }
            }
        }
        #expect(range.cache.scanGetsAnswered == 1)
    }
}
