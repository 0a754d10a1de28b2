import Foundation
import Testing
@testable import BasaltStorage

/// Space reuse: deleted pages go to the free list, and the file never grows while free pages exist
/// (`Pager` invariant 3). Failures name the seed.
@Suite struct SpaceTests {
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
    /// On `POSIXFileSystem` in a temporary directory: in a debug build the simulated file system spends
    /// about a millisecond per page growing its in-memory file, which would dominate this test.
    static func fillDeleteRefill(count n: Int, seed: UInt64) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("basalt-space-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/space.basalt"
        let options = StorageOptions(pageSize: 8192, bufferPoolBytes: 128 << 20)
        let engine = try StorageEngine(fileSystem: POSIXFileSystem(), path: path, options: options)
        let insertOrder = shuffled(n, seed: seed)

        for i in insertOrder { try engine.put(key(i), value(i, generation: 1)) }
        try engine.checkpoint()
        let filled = try engine.spaceStatistics()
        let filledReport = try engine.checkIntegrity()
        #expect(filledReport.isClean, "after fill, seed \(seed): \(filledReport.problems.prefix(5))")
        #expect(filledReport.trees["keyValue"]?.keys == n, "keys after fill, seed \(seed)")
        #expect(filledReport.trees["keyValue"]!.height >= 3, "a fill of \(n) keys should be at least 3 levels, seed \(seed)")
        #expect(filled.freePages == 0, "pure inserts free nothing, seed \(seed)")

        for i in shuffled(n, seed: seed ^ 0xDE1E7E) {
            let deleted = try engine.delete(key(i))
            if !deleted {
                Issue.record("delete of key \(i) returned false, seed \(seed)")
                return
            }
        }
        try engine.checkpoint()
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

        // The same insert order rebuilds the same shape, which needs exactly the pages the file has.
        for i in insertOrder { try engine.put(key(i), value(i, generation: 2)) }
        try engine.checkpoint()
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
        let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int
        #expect(size == filled.pageCount * 8192, "file size, seed \(seed)")
    }

    /// A million keys, one put at a time (about 30 s in a debug build).
    @Test func deleteAllAndRefillAMillionKeys() throws {
        try Self.fillDeleteRefill(count: 1_000_000, seed: 0x5BACE_0002)
    }

    static func overflowPages(_ size: Int, pageSize: Int) -> Int {
        let capacity = OverflowPage.capacity(pageSize: pageSize)
        return (size + capacity - 1) / capacity
    }

    /// Deleting keys with overflowing values frees their chains; adding them back reuses those pages.
    @Test func overflowChainsAreReusedAfterDeletes() throws {
        let seed: UInt64 = 0x5BACE_0010
        var rng = SeededRandom(seed: seed)
        let fs = SimulatedFileSystem()
        let engine = try StorageEngine(fileSystem: fs, path: "overflow.db", options: StorageOptions(pageSize: 4096, bufferPoolBytes: 4 << 20))
        var pairs: [([UInt8], [UInt8])] = []
        for i in 0..<300 {
            pairs.append((Self.key(i), rng.bytes(Int.random(in: 5_000...40_000, using: &rng))))
        }
        for (k, v) in pairs { try engine.put(k, v) }
        let filled = try engine.spaceStatistics()
        let report = try engine.checkIntegrity()
        let chainPages = pairs.reduce(0) { $0 + Self.overflowPages($1.1.count, pageSize: 4096) }
        #expect(report.isClean, "seed \(seed): \(report.problems.prefix(3))")
        #expect(report.trees["keyValue"]!.overflowPages == chainPages, "seed \(seed)")
        #expect(filled.freePages == 0)

        // Delete every other key: exactly its chains (and no tree page: the leaves stay) are freed.
        var freed = 0
        for (i, (k, v)) in pairs.enumerated() where i % 2 == 0 {
            #expect(try engine.delete(k))
            freed += Self.overflowPages(v.count, pageSize: 4096)
        }
        let halfway = try engine.spaceStatistics()
        #expect(halfway.pageCount == filled.pageCount)
        #expect(halfway.freePages >= freed, "seed \(seed): \(halfway.freePages) free, \(freed) chain pages deleted")
        // Re-adding the same values needs exactly the freed pages.
        for (i, (k, v)) in pairs.enumerated() where i % 2 == 0 { try engine.put(k, v) }
        let readded = try engine.spaceStatistics()
        // Overflow pages never take an empty trunk page itself (`Pager.allocate(reuseTrunk:)`): at most
        // that one page is left free while the file grows by one.
        #expect(readded.pageCount <= filled.pageCount + 1, "seed \(seed): re-adding grew the file \(filled.pageCount) → \(readded.pageCount)")

        // Delete everything; then values of other sizes but the same total fit in the freed pages.
        for (k, _) in pairs { try engine.delete(k) }
        let emptied = try engine.spaceStatistics()
        #expect(emptied.freePages == emptied.pageCount - 2, "seed \(seed): after deleting all")
        var budget = chainPages
        var i = 0
        var model = SortedModel()
        while true {
            let v = rng.bytes(Int.random(in: 1_000...60_000, using: &rng))
            let need = Self.overflowPages(v.count, pageSize: 4096)
            // Keep a margin for the leaf pages the keys need.
            guard budget - need > 10 else { break }
            budget -= need
            try engine.put(Self.key(1_000_000 + i), v)
            model.put(Self.key(1_000_000 + i), v)
            i += 1
        }
        let refilled = try engine.spaceStatistics()
        #expect(refilled.pageCount <= filled.pageCount + 1, "seed \(seed): refill with new sizes grew the file")
        let final = try engine.checkIntegrity()
        #expect(final.isClean && final.trees["keyValue"]!.keys == model.count, "seed \(seed): \(final.problems.prefix(3))")
        for k in model.keys {
            let same = try engine.get(k) == model.values[k]
            if !same { Issue.record("seed \(seed): value of \(k) differs"); break }
        }
        try engine.close()
    }

    /// Rewriting large values over and over: the file stops growing after the first cycle when sizes
    /// repeat, and never exceeds the peak of live pages when sizes vary (freed chains are reused).
    @Test(arguments: [false, true])
    func repeatedUpdatesOfLargeValuesKeepThePageCountStable(varySizes: Bool) throws {
        let seed: UInt64 = varySizes ? 0x5BACE_0021 : 0x5BACE_0020
        var rng = SeededRandom(seed: seed)
        let pageSize = 4096
        let fs = SimulatedFileSystem()
        let engine = try StorageEngine(fileSystem: fs, path: "updates.db", options: StorageOptions(pageSize: pageSize, bufferPoolBytes: 4 << 20))
        let keys = 100
        // Values always overflow (> a quarter page), so the tree itself stays one small leaf.
        var sizes = (0..<keys).map { _ in Int.random(in: 2_000...40_000, using: &rng) }
        var chains = sizes.map { Self.overflowPages($0, pageSize: pageSize) }
        for k in 0..<keys { try engine.put(Self.key(k), rng.bytes(sizes[k])) }
        // Live pages: header, root leaf, chains. A put writes the new chain before freeing the old one.
        var live = 2 + chains.reduce(0, +)
        var peak = live
        var counts: [Int] = []
        var lastValues: [[UInt8]] = []
        for cycle in 0..<15 {
            lastValues = []
            for k in 0..<keys {
                if varySizes { sizes[k] = Int.random(in: 2_000...40_000, using: &rng) }
                let value = rng.bytes(sizes[k])
                let newChain = Self.overflowPages(sizes[k], pageSize: pageSize)
                peak = max(peak, live + newChain)
                try engine.put(Self.key(k), value)
                live += newChain - chains[k]
                chains[k] = newChain
                lastValues.append(value)
            }
            let space = try engine.spaceStatistics()
            counts.append(space.pageCount)
            #expect(space.pageCount - space.freePages == live, "seed \(seed), cycle \(cycle): live pages")
            // +1: the empty trunk page overflow allocation skips (`Pager.allocate(reuseTrunk:)`).
            #expect(space.pageCount <= peak + 1, "seed \(seed), cycle \(cycle): \(space.pageCount) pages exceed the peak of \(peak) live pages")
        }
        if !varySizes {
            #expect(Set(counts.dropFirst()).count == 1, "seed \(seed): page count kept changing: \(counts)")
        }
        let report = try engine.checkIntegrity()
        #expect(report.isClean, "seed \(seed): \(report.problems.prefix(3))")
        #expect(report.trees["keyValue"]!.height == 1, "seed \(seed): the tree should stay one leaf")
        for k in 0..<keys {
            let same = try engine.get(Self.key(k)) == lastValues[k]
            if !same { Issue.record("seed \(seed): key \(k) holds a stale value"); break }
        }
        try engine.close()
    }
}
