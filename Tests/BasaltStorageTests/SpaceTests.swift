import Foundation
import Testing
@testable import BasaltStorage

/// Space reuse: deleted pages go to the free list, and the file never grows while free pages exist
/// (`Pager` invariant 3). Failures name the seed.
@Suite struct SpaceTests {
    static var longTestsEnabled: Bool { ProcessInfo.processInfo.environment["BASALT_LONG_TESTS"] == "1" }

    /// 8-byte big-endian counter keys.
    static func key(_ i: Int) -> [UInt8] {
        withUnsafeBytes(of: UInt64(i).bigEndian) { Array($0) }
    }

    /// A 16-byte value derived from the key and a generation, so a stale value is detectable.
    static func value(_ i: Int, generation: UInt64) -> [UInt8] {
        var a = UInt64(i) &* 0x9E37_79B9_7F4A_7C15 ^ generation
        var b = a &* 0xBF58_476D_1CE4_E5B9 ^ (generation << 17)
        var out = [UInt8](repeating: 0, count: 16)
        withUnsafeBytes(of: &a) { for j in 0..<8 { out[j] = $0[j] } }
        withUnsafeBytes(of: &b) { for j in 0..<8 { out[8 + j] = $0[j] } }
        return out
    }

    static func shuffled(_ n: Int, seed: UInt64) -> [Int] {
        var order = Array(0..<n)
        var rng = SeededRandom(seed: seed)
        order.shuffle(using: &rng)
        return order
    }

    /// Fills with individual puts in random order, deletes everything, refills in the same order: the
    /// emptied tree is a single empty root leaf, every other page is free, and the refill reuses them all.
    static func fillDeleteRefill(count n: Int, seed: UInt64) throws {
        let fs = SimulatedFileSystem()
        let options = StorageOptions(pageSize: 8192, bufferPoolBytes: 128 << 20)
        let engine = try StorageEngine(fileSystem: fs, path: "space.db", options: options)
        let insertOrder = shuffled(n, seed: seed)
        let clock = ContinuousClock()
        var start = clock.now

        for i in insertOrder { try engine.put(key(i), value(i, generation: 1)) }
        try engine.flush()
        let filled = try engine.spaceStatistics()
        let filledReport = try engine.checkIntegrity()
        #expect(filledReport.isClean, "after fill, seed \(seed): \(filledReport.problems.prefix(5))")
        #expect(filledReport.trees["keyValue"]?.keys == n, "keys after fill, seed \(seed)")
        #expect(filledReport.trees["keyValue"]!.height >= 3, "a fill of \(n) keys should be at least 3 levels, seed \(seed)")
        #expect(filled.freePages == 0, "pure inserts free nothing, seed \(seed)")
        print("SpaceTests n=\(n): fill \(clock.now - start), pageCount \(filled.pageCount), height \(filledReport.trees["keyValue"]!.height)")
        start = clock.now

        for i in shuffled(n, seed: seed ^ 0xDE1E7E) {
            let deleted = try engine.delete(key(i))
            if !deleted {
                Issue.record("delete of key \(i) returned false, seed \(seed)")
                return
            }
        }
        try engine.flush()
        let emptied = try engine.spaceStatistics()
        let emptiedReport = try engine.checkIntegrity()
        #expect(emptiedReport.isClean, "after delete-all, seed \(seed): \(emptiedReport.problems.prefix(5))")
        #expect(emptiedReport.trees["keyValue"]?.keys == 0, "keys after delete-all, seed \(seed)")
        #expect(emptiedReport.trees["keyValue"]?.height == 1, "height after delete-all, seed \(seed)")
        #expect(emptiedReport.trees["keyValue"]?.leafPages == 1, "leaves after delete-all, seed \(seed)")
        #expect(emptied.pageCount == filled.pageCount, "deleting must not grow the file, seed \(seed)")
        // Every page but the header and the root leaf is free.
        #expect(emptied.freePages == emptied.pageCount - 2, "free pages after delete-all, seed \(seed)")
        #expect(try engine.get(key(insertOrder[0])) == nil, "a deleted key is gone, seed \(seed)")
        print("SpaceTests n=\(n): delete \(clock.now - start)")
        start = clock.now

        // The same insert order rebuilds the same shape, which needs exactly the pages the file has.
        for i in insertOrder { try engine.put(key(i), value(i, generation: 2)) }
        try engine.flush()
        let refilled = try engine.spaceStatistics()
        #expect(refilled.pageCount == filled.pageCount,
                "refill grew the file from \(filled.pageCount) to \(refilled.pageCount) pages, seed \(seed)")
        #expect(refilled.freePages == 0, "refill should use every free page, seed \(seed)")
        let refilledReport = try engine.checkIntegrity()
        #expect(refilledReport.isClean, "after refill, seed \(seed): \(refilledReport.problems.prefix(5))")
        #expect(refilledReport.trees["keyValue"]?.keys == n, "keys after refill, seed \(seed)")
        var expected = 0
        var mismatches = 0
        try engine.scan(.keyValue, lower: nil, upper: nil) { k, v in
            if Array(k) != key(expected) || Array(v) != value(expected, generation: 2) { mismatches += 1 }
            expected += 1
            return true
        }
        #expect(expected == n && mismatches == 0, "refilled contents: \(expected) pairs, \(mismatches) wrong, seed \(seed)")
        try engine.close()
        #expect(fs.fileBytes(path: "space.db")!.count == filled.pageCount * 8192, "file size, seed \(seed)")
        print("SpaceTests n=\(n): refill + check \(clock.now - start)")
    }

    @Test func deleteAllAndRefill200k() throws {
        try Self.fillDeleteRefill(count: 200_000, seed: 0x5BACE_0001)
    }

    /// The full-size variant; set BASALT_LONG_TESTS=1 to run it.
    @Test(.enabled(if: SpaceTests.longTestsEnabled)) func deleteAllAndRefill1M() throws {
        try Self.fillDeleteRefill(count: 1_000_000, seed: 0x5BACE_0002)
    }
}
