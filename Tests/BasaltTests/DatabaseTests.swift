import Basalt
import Foundation
import Testing

@Suite struct DatabaseTests {
    static func temporaryPath(_ name: String = "db") -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("basalt-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent(name).path
    }

    @Test func putGetDeleteScanAndReopen() throws {
        let path = Self.temporaryPath()
        do {
            let db = try Database.open(path: path)
            try db.put(Array("b".utf8), Array("2".utf8))
            try db.put(Array("a".utf8), Array("1".utf8))
            try db.put(Array("c".utf8), Array("3".utf8))
            #expect(try db.get(Array("a".utf8)) == Array("1".utf8))
            #expect(try db.delete(Array("b".utf8)))
            #expect(try !db.delete(Array("b".utf8)))
            #expect(try db.get(Array("b".utf8)) == nil)
            try db.close()
        }
        let db = try Database.open(path: path)
        let pairs = try db.scanPairs()
        #expect(pairs.map { String(decoding: $0.key, as: UTF8.self) } == ["a", "c"])
        let reversed = try db.scanPairs(reverse: true)
        #expect(reversed.map { String(decoding: $0.key, as: UTF8.self) } == ["c", "a"])
        #expect(try db.checkIntegrity().isClean)
        try db.close()
    }

    @Test func statisticsCountLogSyncs() throws {
        var full = Config()
        full.syncMode = .full
        let db = try Database.open(path: Self.temporaryPath(), config: full)
        let before = try db.statistics()
        for i in 0..<5 { try db.put([UInt8(i)], Array("value".utf8)) }
        let after = try db.statistics()
        // One thread's durable commits never wait for a partner, so each syncs on its own.
        #expect(after.logSyncs - before.logSyncs == 5)
        #expect(after.groupCommitWaits == before.groupCommitWaits)
        try db.close()

        var off = Config()
        off.syncMode = .off
        let unsynced = try Database.open(path: Self.temporaryPath(), config: off)
        let start = try unsynced.statistics().logSyncs
        for i in 0..<5 { try unsynced.put([UInt8(i)], Array("value".utf8)) }
        #expect(try unsynced.statistics().logSyncs == start)
        try unsynced.close()
    }

    @Test func secondOpenIsLocked() throws {
        let path = Self.temporaryPath()
        let db = try Database.open(path: path)
        #expect {
            _ = try Database.open(path: path)
        } throws: { error in
            (error as? BasaltError)?.isDatabaseLocked == true
        }
        try db.close()
        let again = try Database.open(path: path)
        try again.close()
    }

    @Test func foreignFileIsRejectedUntouched() throws {
        let path = Self.temporaryPath()
        let text = Array("SQLite format 3\u{0}this is not a basalt file at all, just some text padding it out".utf8)
        try Data(text).write(to: URL(fileURLWithPath: path))
        #expect {
            _ = try Database.open(path: path)
        } throws: { error in
            (error as? BasaltError)?.code == .systemError
        }
        let after = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(Array(after) == text)
    }

    @Test func oversizedKeyIsATypedErrorAndChangesNothing() throws {
        let db = try Database.open(path: Self.temporaryPath())
        let limit = try db.maxKeySize
        #expect(limit >= 2048)
        try db.put([UInt8](repeating: 7, count: limit), [1])
        #expect {
            try db.put([UInt8](repeating: 7, count: limit + 1), [1])
        } throws: { error in
            (error as? BasaltError)?.code == .programLimitExceeded
        }
        #expect(try db.scanPairs().count == 1)
        try db.close()
    }

    @Test func closedDatabaseThrows() throws {
        let db = try Database.open(path: Self.temporaryPath())
        try db.close()
        try db.close()
        #expect {
            _ = try db.get([1])
        } throws: { error in
            (error as? BasaltError)?.code == .connectionDoesNotExist
        }
    }

    @Test func invalidConfigIsRejected() throws {
        var badPage = Config()
        badPage.pageSize = 5000
        var negativeWait = Config()
        negativeWait.groupCommitWait = .microseconds(-1)
        var longWait = Config()
        longWait.groupCommitWait = .milliseconds(11)
        for config in [badPage, negativeWait, longWait] {
            #expect {
                _ = try Database.open(path: Self.temporaryPath(), config: config)
            } throws: { error in
                (error as? BasaltError)?.code == .invalidParameterValue
            }
        }
        var noWait = Config()
        noWait.groupCommitWait = .zero
        try Database.open(path: Self.temporaryPath(), config: noWait).close()
    }

    @Test func putBatchLastWinsAndScanLimit() throws {
        let db = try Database.open(path: Self.temporaryPath())
        var pairs: [([UInt8], [UInt8])] = []
        for i in (0..<5000).reversed() { pairs.append((Array("k\(i)".utf8), Array("v\(i)".utf8))) }
        pairs.append((Array("k42".utf8), Array("last".utf8)))
        try db.putBatch(pairs)
        #expect(try db.get(Array("k42".utf8)) == Array("last".utf8))
        #expect(try db.scanPairs(from: Array("k1".utf8), limit: 3).map(\.key)
                == [Array("k1".utf8), Array("k10".utf8), Array("k100".utf8)])
        #expect(try db.statistics().pageCount > 1)
        #expect(try db.checkIntegrity().isClean)
        try db.close()
    }
}

@Suite struct PublicKeyEncodingTests {
    /// Keys built with `KeyEncoder` scan in the order of their typed values.
    @Test func encodedKeysScanInValueOrder() throws {
        let db = try Database.open(path: DatabaseTests.temporaryPath())
        let values: [Int64] = [42, -7, 0, Int64.min, 1_000_000, -1, Int64.max]
        for v in values {
            try db.put(KeyEncoder.encode([.text("user"), .int(v)]), Array("\(v)".utf8))
        }
        let scanned = try db.scanPairs().map { try KeyDecoder.decode($0.key, descending: [false, false]) }
        #expect(scanned == values.sorted().map { [KeyComponent.text("user"), .int($0)] })
        try db.close()
    }

    struct CallerError: Error, Equatable {}

    /// An error thrown by the caller's closure passes through unchanged (not as a BasaltError) and
    /// leaves the transaction usable.
    @Test func callerErrorsFromClosuresPassThrough() throws {
        let db = try Database.open(path: DatabaseTests.temporaryPath())
        try db.put([1], [1])
        try db.put([2], [2])
        #expect(throws: CallerError.self) { try db.scan { _ in throw CallerError() } }
        #expect(throws: CallerError.self) { try db.withValue(forKey: [1]) { _ in throw CallerError() } }
        let tx = try db.begin()
        #expect(throws: CallerError.self) { try tx.scan { _ in throw CallerError() } }
        try tx.put([3], [3])
        #expect(tx.isActive)
        try tx.commit()
        #expect(try db.get([3]) == [3])
        #expect(throws: CallerError.self) { try db.write { _ in throw CallerError() } }
        try db.close()
    }
}
