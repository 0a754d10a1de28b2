import Basalt
import Foundation
import Synchronization
import Testing

/// `Database.write`: atomic multi-key commits, rollback on throw, transactions larger than the buffer
/// pool, and the sync modes' durability promises, checked with simulated power losses.
@Suite struct TransactionTests {
    struct Abort: Error {}

    static func config(_ fs: SimulatedFileSystem, _ mode: SyncMode = .full) -> Config {
        var config = Config()
        config.fileSystem = fs
        config.pageSize = 4096
        config.bufferPoolBytes = 64 * 4096
        config.syncMode = mode
        return config
    }

    static func key(_ i: Int) -> [UInt8] { Array(String(format: "key-%06d", i).utf8) }

    /// A transaction writing 4× the buffer pool commits; the same aborted, or cut by a power loss before
    /// its commit, leaves no trace.
    @Test func transactionFourTimesThePoolCommitsOrLeavesNoTrace() throws {
        let fs = SimulatedFileSystem()
        let db = try Database.open(path: "tx.db", config: Self.config(fs))
        let value = [UInt8](repeating: 0xAB, count: 1000)
        let count = 4 * 64 * 4096 / value.count          // ~1 MiB of values through a 256 KiB pool
        try db.put(Self.key(-1), [1])

        // Aborted: nothing of it stays, earlier data does.
        #expect(throws: Abort.self) {
            try db.write { tx in
                for i in 0..<count { try tx.put(Self.key(i), value) }
                #expect(try tx.get(Self.key(count - 1)) == value)   // reads see the transaction's writes
                throw Abort()
            }
        }
        #expect(try db.scanPairs().map(\.key) == [Self.key(-1)])
        #expect(try db.checkIntegrity().isClean)

        // Cut by a power loss just before its commit: its writes were only buffered, so the log holds
        // nothing of it and recovery has nothing to roll back.
        var crashed: SimulatedFileSystem?
        #expect(throws: Abort.self) {
            try db.write { tx in
                for i in 0..<count { try tx.put(Self.key(i), value) }
                crashed = fs.crashClone(seed: 7)
                throw Abort()
            }
        }
        let recovered = try Database.open(path: "tx.db", config: Self.config(crashed!))
        #expect(try recovered.scanPairs().map(\.key) == [Self.key(-1)])
        #expect(try recovered.statistics().recoveryRolledBackTransactions == 0)
        #expect(try recovered.checkIntegrity().isClean)
        try recovered.close()

        // Committed: all of it, also after a power loss right after the commit returned.
        try db.write { tx in
            for i in 0..<count { try tx.put(Self.key(i), value) }
            try tx.delete(Self.key(-1))
        }
        let afterCommit = fs.crashClone(seed: 8)
        for database in [db, try Database.open(path: "tx.db", config: Self.config(afterCommit))] {
            let pairs = try database.scanPairs()
            #expect(pairs.count == count)
            #expect(pairs.allSatisfy { $0.value == value })
            #expect(try database.checkIntegrity().isClean)
            try database.close()
        }
    }

    /// A commit of 10,000 writes or more is recorded for serializable validation by its keys while
    /// another serializable writer is active, and by its trees (no key copy) otherwise. Either way a
    /// serializable transaction that read a key the commit wrote fails with 40001, one that read none
    /// of them commits, and one begun after the commit is not affected by it.
    @Test func largeCommitsStillFailOnlyTheReadersOfTheirKeys() throws {
        let fs = SimulatedFileSystem()
        let db = try Database.open(path: "large.db", config: Self.config(fs, .normal))
        defer { try? db.close() }
        try db.write { try $0.put(Self.key(999_999), [1]) }
        let disjoint = try db.begin(isolation: .serializable)
        #expect(try disjoint.get(Self.key(999_999)) == [1])
        let overlapping = try db.begin(isolation: .serializable)
        #expect(try overlapping.get(Self.key(5)) == nil)
        try db.write { tx in for i in 0..<12_000 { try tx.put(Self.key(i), [2]) } }
        try disjoint.put(Self.key(999_998), [3])
        try disjoint.commit()
        try overlapping.put(Self.key(999_997), [3])
        #expect { try overlapping.commit() } throws: { ($0 as? BasaltError)?.code == .serializationFailure }
        // No other writer now: the commit lists its tree; later transactions read and write freely.
        try db.write { tx in for i in 20_000..<32_000 { try tx.put(Self.key(i), [4]) } }
        let after = try db.begin(isolation: .serializable)
        #expect(try after.get(Self.key(20_005)) == [4])
        try after.put(Self.key(999_996), [5])
        try after.commit()
        #expect(try db.read { try $0.get(Self.key(999_996)) } == [5])
        #expect(try db.read { try $0.get(Self.key(999_997)) } == nil)
    }

    @Test func handleIsInvalidAfterItsClosure() throws {
        let fs = SimulatedFileSystem()
        let db = try Database.open(path: "tx.db", config: Self.config(fs))
        var escaped: Transaction?
        try db.write { tx in
            try tx.put([1], [1])
            escaped = tx
        }
        #expect { try escaped!.put([2], [2]) } throws: { ($0 as? BasaltError)?.code == .invalidTransactionState }
        #expect(try db.get([2]) == nil)
        #expect(try db.get([1]) == [1])
        try db.close()
    }

    @Test func failedWriteInsideATransactionLeavesItUsable() throws {
        let fs = SimulatedFileSystem()
        let db = try Database.open(path: "tx.db", config: Self.config(fs))
        let maxKey = try db.maxKeySize
        try db.write { tx in
            try tx.put([1], [1])
            #expect { try tx.put([UInt8](repeating: 0, count: maxKey + 1), []) } throws: {
                ($0 as? BasaltError)?.code == .programLimitExceeded
            }
            try tx.put([2], [2])
        }
        #expect(try db.scanPairs().map(\.key) == [[1], [2]])
        try db.close()
    }

    /// `.full`: durable on return. `.normal`: durable within the sync interval. `.off`: after `sync()`.
    @Test func syncModesKeepTheirPromises() throws {
        do {
            let fs = SimulatedFileSystem()
            let db = try Database.open(path: "s.db", config: Self.config(fs, .full))
            try db.put([1], [1])
            #expect(try Database.open(path: "s.db", config: Self.config(fs.cloneDurable())).get([1]) == [1])
            try db.close()
        }
        do {
            var config = Self.config(SimulatedFileSystem(), .normal)
            config.syncInterval = .milliseconds(20)
            let fs = config.fileSystem as! SimulatedFileSystem
            let db = try Database.open(path: "s.db", config: config)
            try db.put([1], [1])
            // Durable once the background sync ran: every 20 ms, but a loaded machine may run it late.
            var durable = false
            let deadline = ContinuousClock.now + .seconds(10)
            while !durable, ContinuousClock.now < deadline {
                usleep(20_000)
                config.fileSystem = fs.cloneDurable()
                durable = try Database.open(path: "s.db", config: config).get([1]) == [1]
            }
            #expect(durable, ".normal never synced the commit")
            try db.close()
        }
        do {
            let fs = SimulatedFileSystem()
            let db = try Database.open(path: "s.db", config: Self.config(fs, .off))
            try db.put([1], [1])
            #expect(try Database.open(path: "s.db", config: Self.config(fs.cloneDurable())).get([1]) == nil,
                    "with .off nothing forces the log to disk before sync()")
            try db.sync()
            #expect(try Database.open(path: "s.db", config: Self.config(fs.cloneDurable())).get([1]) == [1])
            try db.close()
        }
    }

    /// Under a steady write load, checkpoints recycle segments: the log on disk stays bounded.
    @Test func logSizeStaysBoundedUnderSteadyWrites() throws {
        var config = Self.config(SimulatedFileSystem(), .off)
        config.logSegmentBytes = 64 << 10
        config.checkpointLogBytes = 256 << 10
        // Checkpoints on the write that finds one due, so their number does not depend on when a
        // background thread gets the CPU (the next test covers the background thread).
        config.backgroundCheckpoints = false
        let db = try Database.open(path: "bounded.db", config: config)
        var largest = 0
        for round in 0..<40 {
            for i in 0..<200 { try db.put(Self.key(i), [UInt8](repeating: UInt8(round), count: 200)) }
            largest = max(largest, try db.statistics().logBytes)
        }
        let stats = try db.statistics()
        #expect(stats.checkpoints >= 5)
        // Twice the checkpoint distance plus a segment, with room for the zero fill.
        #expect(largest <= 2 * (256 << 10) + 2 * (64 << 10), "log reached \(largest) bytes")
        try db.close()
    }

    /// Checkpoints taken by the background thread in steps, while two threads commit and read: every
    /// commit stays readable, and the simulated disk left at the end (no close, no final checkpoint)
    /// recovers all of them.
    @Test func backgroundCheckpointsRunWhileThreadsCommit() throws {
        let fs = SimulatedFileSystem()
        var config = Self.config(fs, .full)
        config.logSegmentBytes = 64 << 10
        config.checkpointLogBytes = 128 << 10
        config.pageSize = 4096
        config.bufferPoolBytes = 64 * 4096
        let db = try Database.open(path: "steps.db", config: config)
        let writers = 2, rounds = 300
        let failures = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: writers) { writer in
            do {
                for round in 0..<rounds {
                    let key = Self.key(writer * 10_000 + round % 150)
                    let value = [UInt8](repeating: UInt8(truncatingIfNeeded: round), count: 300 + round % 700)
                    try db.put(key, value)
                    guard try db.get(key) == value else {
                        failures.withLock { $0.append("writer \(writer) round \(round): read back another value") }
                        return
                    }
                }
            } catch {
                failures.withLock { $0.append("writer \(writer): \(error)") }
            }
        }
        #expect(failures.withLock { $0 } == [])
        var expected: [[UInt8]: [UInt8]] = [:]
        for writer in 0..<writers {
            for round in 0..<rounds {
                expected[Self.key(writer * 10_000 + round % 150)] = [UInt8](repeating: UInt8(truncatingIfNeeded: round), count: 300 + round % 700)
            }
        }
        var found: [[UInt8]: [UInt8]] = [:]
        for pair in try db.scanPairs() { found[pair.key] = pair.value }
        #expect(found == expected)
        // The background thread takes the checkpoints that came due; on a loaded machine the last may
        // still be running when the writers finish.
        var checkpoints = try db.statistics().checkpoints
        let deadline = ContinuousClock.now + .seconds(10)
        while checkpoints < 2, ContinuousClock.now < deadline {
            usleep(20_000)
            checkpoints = try db.statistics().checkpoints
        }
        #expect(checkpoints >= 2, "the background thread took \(checkpoints) checkpoints")
        var reopened = config
        reopened.fileSystem = fs.cloneDurable()
        let recovered = try Database.open(path: "steps.db", config: reopened)
        found = [:]
        for pair in try recovered.scanPairs() { found[pair.key] = pair.value }
        #expect(found == expected, "recovery from the durable disk lost commits")
        #expect(try recovered.checkIntegrity().isClean)
        try recovered.close()
        try db.close()
    }
}
