import Foundation
import Testing
@testable import BasaltStorage

/// The log against a model of appended and acknowledged (flushed) records, with seeded crashes.
@Suite struct WriteAheadLogTests {
    struct Appended: Equatable {
        var lsn: LSN
        var transaction: UInt64
        var type: LogRecordType
        var payload: [UInt8]
    }

    static func record(_ rng: inout SeededRandom, transaction: UInt64) -> LogRecord {
        let count = Int.random(in: 0...700, using: &rng)
        return LogRecord(transaction: transaction, previousLSN: 0,
                         type: LogRecordType.allCases.randomElement(using: &rng)!, payload: rng.bytes(count))
    }

    static func summary(_ r: LogRecord) -> Appended {
        Appended(lsn: r.lsn, transaction: r.transaction, type: r.type, payload: r.payload)
    }

    @Test func recordsRoundTripAcrossSegments() throws {
        let fs = SimulatedFileSystem()
        var rng = SeededRandom(seed: 0x10_61)
        var appended: [Appended] = []
        do {
            let log = try WriteAheadLog(fileSystem: fs, basePath: "db", segmentSize: 4096)
            for i in 0..<500 {
                let r = Self.record(&rng, transaction: UInt64(i))
                let lsn = try log.append(r)
                appended.append(Appended(lsn: lsn, transaction: r.transaction, type: r.type, payload: r.payload))
                if Bool.random(using: &rng) { try log.flush() }
            }
            try log.flush()
            #expect(log.durableLSN == log.endLSN)
        }
        #expect(fs.fileExists(path: "db-log.2"), "500 records of up to 700 bytes need several 4 KiB segments")
        let reopened = try WriteAheadLog(fileSystem: fs, basePath: "db", segmentSize: 4096)
        #expect(reopened.recoveredRecords.map(Self.summary) == appended)
        // LSNs are gap-free: each is the previous plus its encoded size.
        for (a, b) in zip(reopened.recoveredRecords, reopened.recoveredRecords.dropFirst()) {
            #expect(b.lsn == a.lsn + LSN(a.encodedSize))
        }
    }

    /// After a crash the log holds a prefix of what was appended that includes every acknowledged
    /// record; after a second life and crash, no record of the first lost tail reappears.
    @Test func crashesKeepAcknowledgedPrefixAndNeverResurrectLostTails() throws {
        for seed in UInt64(0)..<300 {
            var rng = SeededRandom(seed: seed)
            let fs = SimulatedFileSystem()
            var history: [Appended] = []
            var acknowledged = 0
            do {
                let log = try WriteAheadLog(fileSystem: fs, basePath: "db", segmentSize: 4096)
                for i in 0..<Int.random(in: 1...60, using: &rng) {
                    let r = Self.record(&rng, transaction: UInt64(i))
                    history.append(Appended(lsn: try log.append(r), transaction: r.transaction, type: r.type, payload: r.payload))
                    if Int.random(in: 0..<4, using: &rng) == 0 {
                        try log.flush()
                        acknowledged = history.count
                    }
                }
            }
            fs.crash(seed: seed)
            let second = try WriteAheadLog(fileSystem: fs, basePath: "db", segmentSize: 4096)
            let survived = second.recoveredRecords.map(Self.summary)
            #expect(survived.count >= acknowledged, "seed \(seed): lost acknowledged records")
            #expect(Array(history.prefix(survived.count)) == survived, "seed \(seed): not a prefix of the history")

            var secondHistory = survived
            var secondAcknowledged = survived.count
            for i in 0..<Int.random(in: 1...30, using: &rng) {
                let r = Self.record(&rng, transaction: 1000 + UInt64(i))
                secondHistory.append(Appended(lsn: try second.append(r), transaction: r.transaction, type: r.type, payload: r.payload))
                if Bool.random(using: &rng) {
                    try second.flush()
                    secondAcknowledged = secondHistory.count
                }
            }
            fs.crash(seed: seed &+ 7_777)
            let third = try WriteAheadLog(fileSystem: fs, basePath: "db", segmentSize: 4096)
            let final = third.recoveredRecords.map(Self.summary)
            #expect(final.count >= secondAcknowledged, "seed \(seed): lost acknowledged records after the second crash")
            #expect(Array(secondHistory.prefix(final.count)) == final, "seed \(seed): a lost tail reappeared or order broke")
        }
    }

    /// Appends past `writeBehindBytes` go to the segment without a sync; only a flush acknowledges
    /// them. Crashes between write-behinds and flushes keep every acknowledged record and leave a
    /// prefix of the history; a clean reopen finds every record.
    @Test func writeBehindKeepsThePrefixAndAcknowledgesOnlyOnFlush() throws {
        for seed in UInt64(500)..<620 {
            var rng = SeededRandom(seed: seed)
            let fs = SimulatedFileSystem()
            var history: [Appended] = []
            var acknowledged = 0
            let clean = seed % 4 == 0
            do {
                let log = try WriteAheadLog(fileSystem: fs, basePath: "db", segmentSize: 64 << 10, writeBehindBytes: 1500)
                for i in 0..<Int.random(in: 1...150, using: &rng) {
                    let r = Self.record(&rng, transaction: UInt64(i))
                    let lsn = try log.append(r)
                    history.append(Appended(lsn: lsn, transaction: r.transaction, type: r.type, payload: r.payload))
                    // Written out, never synced: no record is durable before a flush (a segment switch
                    // syncs only the records before this one).
                    #expect(log.durableLSN <= lsn, "seed \(seed): a write-behind published its records as durable")
                    if Int.random(in: 0..<12, using: &rng) == 0 {
                        try log.flush()
                        acknowledged = history.count
                        #expect(log.durableLSN == log.endLSN)
                    }
                }
                if clean { try log.flush(); acknowledged = history.count }
            }
            if !clean { fs.crash(seed: seed) }
            let reopened = try WriteAheadLog(fileSystem: fs, basePath: "db", segmentSize: 64 << 10, writeBehindBytes: 1500)
            let survived = reopened.recoveredRecords.map(Self.summary)
            #expect(survived.count >= acknowledged, "seed \(seed): lost acknowledged records")
            #expect(Array(history.prefix(survived.count)) == survived, "seed \(seed): not a prefix of the history")
            if clean { #expect(survived == history, "seed \(seed): a clean reopen lost records") }
        }
    }

    /// Each write-behind hands exactly the bytes it wrote to the kernel's writeback: the hints tile the
    /// segment's records from the header on, in order, and stop short of the pending tail.
    @Test func writeBehindStartsWritebackOfWhatItWrote() throws {
        let fs = SimulatedFileSystem()
        var rng = SeededRandom(seed: 0x10_64)
        let log = try WriteAheadLog(fileSystem: fs, basePath: "db", segmentSize: 1 << 20, writeBehindBytes: 1500)
        for i in 0..<200 { try log.append(Self.record(&rng, transaction: UInt64(i))) }
        let hints = fs.writebackHints(path: "db-log.1").map(\.hint)
        #expect(hints.count >= 20, "only \(hints.count) write-behinds for ~70 KB of log")
        var expected = UInt64(WriteAheadLog.segmentHeaderSize)
        for (i, hint) in hints.enumerated() {
            #expect(hint.lowerBound == expected && hint.count >= 1500, "hint \(i) is \(hint), expected to start at \(expected)")
            expected = hint.upperBound
        }
        let written = UInt64(WriteAheadLog.segmentHeaderSize) + (log.endLSN - WriteAheadLog.firstLSN)
        #expect(expected <= written && written - expected < 1500 + 700 + UInt64(LogRecord.headerSize) + 8,
                "hints end at \(expected), records at \(written)")
        // Hints are not syncs: nothing became durable.
        #expect(log.durableLSN == WriteAheadLog.firstLSN)
    }

    /// Write-behinds extend the segment with their records only (a zero fill ahead of each would
    /// double a large transaction's log writes); the commit's flush then fills zeros a chunk ahead, so
    /// the small commits after it overwrite allocated blocks. The records read back either way.
    @Test func writeBehindFillsNoZerosAheadButAFlushDoes() throws {
        let fs = SimulatedFileSystem()
        var rng = SeededRandom(seed: 0x10_65)
        var appended: [Appended] = []
        do {
            let log = try WriteAheadLog(fileSystem: fs, basePath: "db", segmentSize: 4 << 20, writeBehindBytes: 1500)
            for i in 0..<200 {
                let record = Self.record(&rng, transaction: UInt64(i))
                let lsn = try log.append(record)
                appended.append(Appended(lsn: lsn, transaction: record.transaction, type: record.type, payload: record.payload))
            }
            let segment = try fs.open(path: "db-log.1", options: FileOpenOptions(exclusiveLock: false))
            let hinted = fs.writebackHints(path: "db-log.1").last?.hint.upperBound ?? 0
            #expect(try segment.size() == hinted, "the segment holds the written records only, \(hinted) bytes")
            let last = Self.record(&rng, transaction: 200)
            let lsn = try log.append(last)
            appended.append(Appended(lsn: lsn, transaction: last.transaction, type: last.type, payload: last.payload))
            try log.flush()
            let written = UInt64(WriteAheadLog.segmentHeaderSize) + (log.endLSN - WriteAheadLog.firstLSN)
            let filled = try segment.size()
            #expect(filled == max(written, hinted + (1 << 20)), "the flush filled a chunk of zeros past \(hinted): \(filled) bytes, records end at \(written)")
            try segment.close()
            log.close()
        }
        let reopened = try WriteAheadLog(fileSystem: fs, basePath: "db", segmentSize: 4 << 20, writeBehindBytes: 1500)
        #expect(reopened.recoveredRecords.map(Self.summary) == appended)
        reopened.close()
    }

    @Test func damageToADurableRecordIsCorruptionNotATail() throws {
        let fs = SimulatedFileSystem()
        var rng = SeededRandom(seed: 0x10_62)
        var lsns: [LSN] = []
        do {
            let log = try WriteAheadLog(fileSystem: fs, basePath: "db", segmentSize: 1 << 20)
            for i in 0..<50 {
                lsns.append(try log.append(Self.record(&rng, transaction: UInt64(i))))
                if i % 10 == 9 { try log.flush() }
            }
        }
        // Record 5 was synced before records 10... were written: damaging it is not a torn tail.
        let offset = WriteAheadLog.segmentHeaderSize + Int(lsns[5] - WriteAheadLog.firstLSN) + LogRecord.headerSize - 2
        fs.corrupt(path: "db-log.1", offset: offset, xor: 0x40)
        #expect {
            _ = try WriteAheadLog(fileSystem: fs, basePath: "db", segmentSize: 1 << 20)
        } throws: { error in
            if case .logCorruption(let segment, _, _) = error as? StorageError { return segment == 1 }
            return false
        }
    }

    @Test func aTornTailIsCutAndStaysCut() throws {
        let fs = SimulatedFileSystem()
        var rng = SeededRandom(seed: 0x10_63)
        var lsns: [LSN] = []
        do {
            let log = try WriteAheadLog(fileSystem: fs, basePath: "db", segmentSize: 1 << 20)
            for i in 0..<20 { lsns.append(try log.append(Self.record(&rng, transaction: UInt64(i)))) }
            try log.flush()
        }
        // Damage the last record: nothing after it proves it was ever durable, so the log ends before it.
        fs.corrupt(path: "db-log.1", offset: WriteAheadLog.segmentHeaderSize + Int(lsns[19] - WriteAheadLog.firstLSN) + 20, xor: 0xFF)
        do {
            let log = try WriteAheadLog(fileSystem: fs, basePath: "db", segmentSize: 1 << 20)
            #expect(log.recoveredRecords.count == 19)
            #expect(log.endLSN == lsns[19])
            let replacement = LogRecord(transaction: 99, previousLSN: 0, type: .commit, payload: [1, 2, 3])
            #expect(try log.append(replacement) == lsns[19])
            try log.flush()
        }
        let reopened = try WriteAheadLog(fileSystem: fs, basePath: "db", segmentSize: 1 << 20)
        #expect(reopened.recoveredRecords.count == 20)
        #expect(reopened.recoveredRecords.last?.transaction == 99)
    }

    /// A record that survived behind a cut tail must not come back once new records fill the gap exactly.
    @Test func recordsBehindACutTailNeverReappear() throws {
        let fs = SimulatedFileSystem()
        let a = LogRecord(transaction: 1, previousLSN: 0, type: .begin, payload: [1])
        let b = LogRecord(transaction: 2, previousLSN: 0, type: .update, payload: [UInt8](repeating: 2, count: 64))
        let c = LogRecord(transaction: 3, previousLSN: 0, type: .commit, payload: [3])
        var lsnB: LSN = 0
        do {
            let log = try WriteAheadLog(fileSystem: fs, basePath: "db", segmentSize: 1 << 20)
            try log.append(a)
            try log.flush()
            lsnB = try log.append(b)
            try log.append(c)   // written in the same batch as b: it proves nothing about b's durability
            try log.flush()
        }
        fs.corrupt(path: "db-log.1", offset: WriteAheadLog.segmentHeaderSize + Int(lsnB - WriteAheadLog.firstLSN) + 60, xor: 0x01)
        do {
            let log = try WriteAheadLog(fileSystem: fs, basePath: "db", segmentSize: 1 << 20)
            #expect(log.recoveredRecords.map(\.transaction) == [1])
            // Same size as b: the new record ends exactly where c used to start.
            try log.append(LogRecord(transaction: 4, previousLSN: 0, type: .update, payload: [UInt8](repeating: 4, count: 64)))
            try log.flush()
        }
        let reopened = try WriteAheadLog(fileSystem: fs, basePath: "db", segmentSize: 1 << 20)
        #expect(reopened.recoveredRecords.map(\.transaction) == [1, 4])
    }

    @Test func aFailedSyncStopsTheLog() throws {
        let fs = SimulatedFileSystem()
        let log = try WriteAheadLog(fileSystem: fs, basePath: "db", segmentSize: 1 << 20)
        try log.append(LogRecord(transaction: 1, previousLSN: 0, type: .begin, payload: []))
        fs.injectFault(.failCall(1, of: [.sync]))
        #expect(throws: StorageError.self) { try log.flush() }
        #expect(log.durableLSN == WriteAheadLog.firstLSN)
        #expect {
            try log.append(LogRecord(transaction: 1, previousLSN: 0, type: .commit, payload: []))
        } throws: { error in
            if case .readOnlyAfterFailure = error as? StorageError { return true }
            return false
        }
        #expect {
            try log.flush()
        } throws: { error in
            if case .readOnlyAfterFailure = error as? StorageError { return true }
            return false
        }
    }

    /// Group commit with a partner wait: a lone committer never waits; two committing threads come to
    /// wait for each other and share syncs, and every acknowledged record is recovered. Syncs take
    /// 200 µs, as a device flush does, so the threads overlap however loaded the machine is (with
    /// instant syncs, a busy test run could schedule them one after the other and never pair them).
    @Test func flushersWaitForAPartnerOnlyUnderConcurrentCommits() throws {
        let fs = SimulatedFileSystem()
        fs.syncLatency = .microseconds(200)
        let log = try WriteAheadLog(fileSystem: fs, basePath: "db", groupCommitWait: .milliseconds(5))
        var rng = SeededRandom(seed: 0x6C_0C)
        for i in 0..<200 {
            let lsn = try log.append(Self.record(&rng, transaction: UInt64(i)))
            try log.flush(covering: lsn)
        }
        #expect(log.syncStatistics.partnerWaits == 0, "a lone committer waited")
        #expect(log.syncStatistics.syncs >= 200, "one sync per lone commit")
        #expect(fs.operationCount(of: .sync) >= 200)
        let logSyncsBefore = log.syncStatistics.syncs

        let syncsBefore = fs.operationCount(of: .sync)
        let appendLock = Locked(())   // one appender at a time, as the engine's lock ensures
        let perThread = 400
        let failures = Locked<[String]>([])
        let done = DispatchGroup()
        for t in 0..<2 {
            done.enter()
            Thread {
                var rng = SeededRandom(seed: 0x6C_0D + UInt64(t))
                for i in 0..<perThread {
                    do {
                        let lsn = try appendLock.withLock { _ in try log.append(Self.record(&rng, transaction: UInt64(1000 * (t + 1) + i))) }
                        try log.flush(covering: lsn)
                        if log.durableLSN <= lsn { failures.withLock { $0.append("thread \(t): record \(i) acknowledged before durable") } }
                    } catch {
                        failures.withLock { $0.append("thread \(t): \(error)") }
                    }
                }
                done.leave()
            }.start()
        }
        #expect(done.wait(timeout: .now() + 120) == .success)
        #expect(failures.withLock { $0 }.isEmpty, "\(failures.withLock { $0 }.prefix(3))")
        let (logSyncs, waits, partnered) = log.syncStatistics
        let syncs = fs.operationCount(of: .sync) - syncsBefore
        #expect(logSyncs - logSyncsBefore <= syncs, "the log counted \(logSyncs - logSyncsBefore) syncs, the files saw \(syncs)")
        #expect(partnered > 0, "two committers never paired (waits \(waits))")
        #expect(syncs < 2 * perThread, "\(syncs) syncs for \(2 * perThread) commits")
        let reopened = try WriteAheadLog(fileSystem: fs, basePath: "db")
        #expect(reopened.recoveredRecords.count == 200 + 2 * perThread)
    }
}
