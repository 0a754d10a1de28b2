import Basalt
import Foundation
import Testing

/// The embedded SQL API beyond single statements: rows decoded into `Decodable` types, SQL inside
/// closure transactions (DDL included), prepared statements, lazily read rows, and time travel.
@Suite struct SQLAPITests {
    static func open() throws -> (Database, String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("basalt-sqlapi-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var config = Config()
        config.syncMode = .off
        return (try Database.open(path: dir.appendingPathComponent("t.db").path, config: config), dir.path)
    }

    struct Person: Decodable, Equatable {
        var id: Int
        var name: String
        var score: Double?
        var active: Bool
        var born: Date?
    }

    @Test func rowsDecodeIntoDecodableTypes() throws {
        let (db, dir) = try Self.open()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try db.execute("CREATE TABLE people(id INTEGER PRIMARY KEY, name TEXT NOT NULL, score DOUBLE PRECISION, active BOOLEAN, born TIMESTAMP)")
        let born = Date(timeIntervalSince1970: 1_000_000)
        try db.execute("INSERT INTO people VALUES ($1, $2, $3, $4, $5)", [1, "Ada", 9.5, true, born])
        try db.execute("INSERT INTO people VALUES ($1, $2, $3, $4, $5)", [2, "Bob", Double?.none, false, Date?.none])
        let people = try db.query("SELECT * FROM people ORDER BY id").decode(Person.self)
        #expect(people == [Person(id: 1, name: "Ada", score: 9.5, active: true, born: born),
                           Person(id: 2, name: "Bob", score: nil, active: false, born: nil)])
        let names = try db.query("SELECT name FROM people ORDER BY name DESC").decode(String.self)
        #expect(names == ["Bob", "Ada"])
        // NULL into a non-optional is a decoding error naming the problem, not a crash.
        #expect(throws: DecodingError.self) { _ = try db.query("SELECT NULL AS id, 'x' AS name, true AS active").decode(Person.self) }
    }

    @Test func sqlInsideClosureTransactionsCommitsOrRollsBackWithIt() throws {
        let (db, dir) = try Self.open()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        struct Abort: Error {}
        #expect(throws: Abort.self) {
            try db.write { tx in
                try tx.execute("CREATE TABLE t(a INTEGER PRIMARY KEY)")
                try tx.execute("INSERT INTO t VALUES (1), (2)")
                #expect(try tx.query("SELECT count(*) FROM t").allValues() == [[.integer(2)]])
                throw Abort()
            }
        }
        #expect(try db.tableNames().isEmpty, "a rolled-back CREATE TABLE leaves nothing")
        try db.write { tx in
            try tx.execute("CREATE TABLE t(a INTEGER PRIMARY KEY)")
            try tx.execute("INSERT INTO t VALUES (1), (2), (3)")
        }
        #expect(try db.query("SELECT sum(a) FROM t").allValues() == [[.integer(6)]])
        #expect(throws: BasaltError.self) { try db.write { tx in try tx.execute("COMMIT") } }
    }

    @Test func preparedStatementsRunManyTimesWithTypedParameters() throws {
        let (db, dir) = try Self.open()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try db.execute("CREATE TABLE kv(k INTEGER PRIMARY KEY, v TEXT)")
        let session = db.session()
        try session.execute("BEGIN")
        let insert = try session.prepare("INSERT INTO kv VALUES (?, ?)")
        for i in 0..<500 { try insert.execute([i, "value \(i)"]) }
        try session.execute("COMMIT")
        let lookup = try db.prepare("SELECT v FROM kv WHERE k = $1")
        for i in stride(from: 0, to: 500, by: 37) {
            #expect(try lookup.query([i]).allValues() == [[.text("value \(i)")]])
        }
        #expect(try lookup.query([10_000]).allValues().isEmpty)
    }

    /// A prepared lookup by the whole primary key runs as a point get after its first run (no
    /// transaction, no operators). It must answer exactly as the full path does — run inside a
    /// transaction block, where the fast path never applies — through changes, DDL, composite keys,
    /// NULL and inexact parameters, and missing parameters.
    @Test func preparedPointLookupsMatchTheFullPath() throws {
        let (db, dir) = try Self.open()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try db.execute("CREATE TABLE p(a INTEGER, b TEXT, x TEXT, y DOUBLE PRECISION, PRIMARY KEY (a, b))")
        for i in 0..<50 { try db.execute("INSERT INTO p VALUES ($1, $2, $3, $4)", [i % 10, "k\(i / 10)", "x\(i)", Double(i) / 2]) }
        let fast = try db.prepare("SELECT y, x FROM p WHERE b = $2 AND a = $1")
        let whole = try db.prepare("SELECT * FROM p WHERE a = $1 AND b = $2")
        let session = db.session()
        func compare(_ parameters: [any SQLParameter], _ context: String) throws {
            for statement in ["SELECT y, x FROM p WHERE b = $2 AND a = $1", "SELECT * FROM p WHERE a = $1 AND b = $2"] {
                try session.execute("BEGIN")
                let expected = try session.query(statement, parameters).allValues()
                try session.execute("COMMIT")
                let prepared = statement.hasPrefix("SELECT *") ? whole : fast
                // Twice: the first run may plan, the second takes the fast path.
                #expect(try prepared.query(parameters).allValues() == expected, "\(context): \(statement)")
                #expect(try prepared.query(parameters).allValues() == expected, "\(context), again: \(statement)")
            }
        }
        try compare([3, "k1"], "present")
        try compare([3, "k9"], "absent")
        try compare([Int?.none, "k1"], "NULL key")
        try compare([2.5, "k1"], "inexact integer")
        try compare([3.0, "k1"], "exact double for an integer")
        #expect(try fast.query([3, "k1"]).allValues() == [[.double(6.5), .text("x13")]])
        try db.execute("UPDATE p SET x = 'changed' WHERE a = 3 AND b = 'k1'")
        try compare([3, "k1"], "after an update")
        #expect(try fast.query([3, "k1"]).allValues() == [[.double(6.5), .text("changed")]])
        try db.execute("DELETE FROM p WHERE a = 3")
        try compare([3, "k1"], "after a delete")
        try db.execute("ALTER TABLE p ADD COLUMN z INTEGER DEFAULT 7")
        try compare([4, "k1"], "after ALTER TABLE")
        #expect(try whole.query([4, "k1"]).allValues() == [[.integer(4), .text("k1"), .text("x14"), .double(7), .integer(7)]])
        #expect(throws: BasaltError.self) { try fast.query([4]).allValues() }
    }

    @Test func rowsAreReadLazilyAndEndTheirSnapshot() throws {
        let (db, dir) = try Self.open()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try db.execute("CREATE TABLE n(i INTEGER PRIMARY KEY)")
        let session = db.session()
        try session.execute("BEGIN")
        let insert = try session.prepare("INSERT INTO n VALUES ($1)")
        for i in 0..<5000 { try insert.execute([i]) }
        try session.execute("COMMIT")
        let rows = try db.query("SELECT i FROM n")
        var count = 0
        // A write between reads does not disturb the reader's snapshot.
        while let row = try rows.next() {
            if count == 10 { try db.execute("DELETE FROM n WHERE i >= 4000") }
            #expect(row[0] == .integer(Int64(count)))
            count += 1
        }
        #expect(count == 5000)
        #expect(db.activeTransactions().isEmpty, "the rows' snapshot ended with the last row")
        #expect(try db.query("SELECT count(*) FROM n").allValues() == [[.integer(4000)]])
    }

    @Test func asOfSystemTimeReadsThePastIncludingTheCatalog() throws {
        let (db, dir) = try Self.open()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try db.execute("CREATE TABLE h(a INTEGER)")
        try db.execute("INSERT INTO h VALUES (1)")
        Thread.sleep(forTimeInterval: 0.05)
        let middle = Date()
        Thread.sleep(forTimeInterval: 0.05)
        try db.execute("INSERT INTO h VALUES (2)")
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate, .withTime, .withColonSeparatorInTime, .withSpaceBetweenDateAndTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        let stamp = formatter.string(from: middle)
        #expect(try db.query("SELECT count(*) FROM h AS OF SYSTEM TIME '\(stamp)'").allValues() == [[.integer(1)]])
        #expect(try db.query("SELECT count(*) FROM h").allValues() == [[.integer(2)]])
        let past = try db.read(asOf: middle) { tx in try tx.query("SELECT a FROM h").allValues() }
        #expect(past == [[.integer(1)]])
        // Before the table existed, the past catalog has no such table.
        #expect(throws: BasaltError.self) { _ = try db.query("SELECT * FROM h AS OF SYSTEM TIME '-1h'") }
    }
}
