import Basalt
import Foundation
import Testing

/// DROP TABLE and DROP INDEX in O(1): the drop writes one dropped range per object instead of a version
/// per row; time travel still reads the rows until the history retention passes, a snapshot older than
/// the drop keeps them, and the version collector then deletes exactly them.
@Suite struct SQLDropObjectTests {
    static func open() throws -> Database {
        var config = SQLTest.fastConfig
        config.versionCollectionInterval = .seconds(3600)   // collected explicitly
        return try Database.open(path: SQLTest.temporaryPath(), config: config)
    }

    /// Fills `t(id, k, v)` with `count` rows and an index on k, and a neighbour table `n` created after
    /// it (the next object ids), in one transaction.
    static func fill(_ db: Database, count: Int) throws {
        try db.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, k INTEGER, v TEXT)")
        try db.execute("CREATE INDEX t_k ON t(k)")
        try db.execute("CREATE TABLE n(id INTEGER PRIMARY KEY, v TEXT)")
        let session = db.session()
        try session.execute("BEGIN")
        let insert = try session.prepare("INSERT INTO t VALUES ($1, $2, $3)")
        for i in 0..<count { try insert.execute([i, i % 97, "row number \(i) of the dropped table"]) }
        try session.execute("INSERT INTO n VALUES (1, 'neighbour'), (2, 'also kept')")
        try session.execute("COMMIT")
    }

    @Test func dropWritesNoVersionPerRowAndTimeTravelStillReadsTheRows() throws {
        let db = try Self.open()
        try Self.fill(db, count: 20_000)
        try db.checkpoint()
        let before = try db.statistics()
        Thread.sleep(forTimeInterval: 0.02)
        let beforeDrop = Date()
        Thread.sleep(forTimeInterval: 0.02)
        try db.execute("DROP TABLE t")
        let after = try db.statistics()
        // 20,000 tombstones with their history copies would log megabytes; the drop logs its catalog rows.
        if after.checkpoints == before.checkpoints {
            #expect(after.logBytes - before.logBytes < 64 << 10, "the drop logged \(after.logBytes - before.logBytes) bytes")
        }
        expectSQLError("42P01", db, "SELECT count(*) FROM t")
        let past = try db.read(asOf: beforeDrop) { tx in
            try tx.query("SELECT count(*), sum(id) FROM t").allValues()
        }
        #expect(past == [[.integer(20_000), .integer(Int64(20_000 * 19_999 / 2))]])
        let pastByIndex = try db.read(asOf: beforeDrop) { tx in try tx.query("SELECT count(*) FROM t WHERE k = 5").allValues() }
        #expect(pastByIndex == [[.integer(Int64((0..<20_000).filter { $0 % 97 == 5 }.count))]])
        // Within the retention, nothing of the table goes.
        #expect(try db.collectVersions().droppedRows == 0)
        try db.close()
    }

    @Test func collectorDeletesExactlyTheDroppedRowsOnceNoSnapshotNeedsThem() throws {
        let db = try Self.open()
        try Self.fill(db, count: 3_000)
        Thread.sleep(forTimeInterval: 0.02)
        let beforeDrop = Date()
        Thread.sleep(forTimeInterval: 0.02)
        try db.execute("DROP TABLE t")
        let reader = try db.begin(readOnly: true, asOf: beforeDrop)
        #expect(try reader.query("SELECT count(*) FROM t").allValues() == [[.integer(3_000)]])
        db.historyRetention = .zero
        // The open snapshot predates the drop: it keeps every row, and still reads them through the index.
        #expect(try db.collectVersions().droppedRows == 0)
        #expect(try reader.query("SELECT count(*) FROM t WHERE k = 3").allValues() == [[.integer(31)]])
        try reader.commit()
        let pagesBefore = try db.statistics().freePages
        let collected = try db.collectVersions()
        #expect(collected.droppedRows == 6_000, "3,000 rows and 3,000 index entries")
        #expect(try db.statistics().freePages > pagesBefore, "the dropped rows' pages return to the free list")
        #expect(try db.statistics().transactions.droppedRowsCollected == 6_000)
        #expect(try db.collectVersions().droppedRows == 0, "the range is purged once")
        // The neighbour table keeps its rows; a new table of the same name starts empty and keeps its own.
        #expect(try db.rows("SELECT id, v FROM n ORDER BY id") == [["1", "neighbour"], ["2", "also kept"]])
        try db.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, k INTEGER, v TEXT)")
        #expect(try db.count("t") == 0)
        try db.execute("INSERT INTO t VALUES (1, 1, 'new')")
        #expect(try db.collectVersions().droppedRows == 0)
        #expect(try db.rows("SELECT * FROM t") == [["1", "1", "new"]])
        #expect(try db.checkIntegrity().isClean)
        try db.close()
    }

    @Test func dropsUndoneByRollbackOrSavepointPurgeNothing() throws {
        let db = try Self.open()
        try Self.fill(db, count: 500)
        let session = db.session()
        try session.execute("BEGIN")
        try session.execute("DROP INDEX t_k")
        try session.execute("ROLLBACK")
        try session.execute("BEGIN")
        try session.execute("SAVEPOINT s")
        try session.execute("DROP TABLE t")
        try session.execute("ROLLBACK TO SAVEPOINT s")
        try session.execute("DROP TABLE n")
        try session.execute("COMMIT")
        db.historyRetention = .zero
        #expect(try db.collectVersions().droppedRows == 2, "only n's two rows")
        #expect(try db.count("t") == 500)
        #expect(try db.scalar("SELECT count(*) FROM t WHERE k = 3") == "6")
        try db.close()
    }

    @Test func droppedIndexEntriesGoAndARebuiltIndexIsComplete() throws {
        let db = try Self.open()
        try Self.fill(db, count: 1_000)
        try db.execute("DROP INDEX t_k")
        try db.execute("CREATE INDEX t_k ON t(k)")
        try db.execute("UPDATE t SET k = 3 WHERE id < 10")
        db.historyRetention = .zero
        #expect(try db.collectVersions().droppedRows == 1_000)
        let viaIndex = try db.scalar("SELECT count(*) FROM t WHERE k = 3")
        let viaScan = try db.scalar("SELECT count(*) FROM t WHERE k + 0 = 3")
        #expect(viaIndex == viaScan)
        #expect(viaIndex == String(10 + (10..<1_000).filter { $0 % 97 == 3 }.count))
        try db.close()
    }

    /// A serializable transaction that read a table a concurrent commit dropped fails its commit, as it
    /// would had the drop deleted each row: its reads no longer hold at its commit point.
    @Test func serializableReaderOfADroppedTableFailsValidation() throws {
        let db = try Self.open()
        try Self.fill(db, count: 50)
        let reader = db.session()
        try reader.execute("BEGIN ISOLATION LEVEL SERIALIZABLE")
        #expect(try reader.rows("SELECT count(*) FROM t WHERE id < 10") == [["10"]])
        try db.execute("DROP TABLE t")
        try reader.execute("INSERT INTO n VALUES (3, 'written after reading t')")
        expectSQLError("40001") { try reader.execute("COMMIT") }
        #expect(try db.count("n") == 2)
        try db.close()
    }
}
