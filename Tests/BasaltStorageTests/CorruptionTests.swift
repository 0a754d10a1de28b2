import Foundation
import Testing
@testable import BasaltStorage

/// Media corruption and foreign files: every read of a damaged database either returns correct data (the
/// damaged page was not needed) or throws `StorageError.corruption` naming exactly the damaged page; a
/// file that is not a readable Basalt database is rejected with a typed error and left unchanged.
@Suite struct CorruptionTests {
    static let path = "corrupt.db"
    static let pageSize = 4096

    /// What each page of the clean database is, and which pages each key's read needs.
    struct PageMap {
        var internalPages: Set<PageID> = []
        var leafPages: Set<PageID> = []
        var overflowPages: Set<PageID> = []
        var trunkPages: Set<PageID> = []
        var freeEntries: Set<PageID> = []
        /// Internal pages on the descent to the leftmost leaf (a forward scan reads them).
        var leftmostPath: [PageID] = []
        /// Per key: the internal pages, the leaf and the overflow pages a get of it reads.
        var pagesOfKey: [[UInt8]: Set<PageID>] = [:]
        /// The first and last key of every leaf and every key with an overflowing value: their gets
        /// together read every tree page.
        var probeKeys: [[UInt8]] = []

        var treePages: Set<PageID> { internalPages.union(leafPages).union(overflowPages) }
        /// The pages a full forward scan reads.
        var scanPages: Set<PageID> { leafPages.union(overflowPages).union(leftmostPath) }
    }

    /// The database every case starts from, its model, and its page map.
    struct Fixture {
        let fs: SimulatedFileSystem
        let model: SortedModel
        let map: PageMap
        let pageCount: Int
    }

    /// Keys with a 300-byte shared prefix, so separators stay long and the tree gets three levels with
    /// few keys (the integrity check, run for every case, costs time per key byte); some values overflow;
    /// some keys are deleted so the file has free pages and a free-list trunk.
    static func makeFixture(seed: UInt64) throws -> Fixture {
        let fs = SimulatedFileSystem()
        let options = StorageOptions(pageSize: pageSize, bufferPoolBytes: 4 << 20)
        let engine = try StorageEngine(fileSystem: fs, path: path, options: options)
        var rng = SeededRandom(seed: seed)
        var model = SortedModel()
        let prefix = [UInt8](repeating: 0x70, count: 300)
        func key(_ i: Int) -> [UInt8] { prefix + withUnsafeBytes(of: UInt32(i).bigEndian) { Array($0) } }
        for i in (0..<400).shuffled(using: &rng) {
            let value = i % 30 == 7 ? rng.bytes(Int.random(in: 5000...13000, using: &rng)) : rng.bytes(30)
            try engine.put(key(i), value)
            model.put(key(i), value)
        }
        // A contiguous run (leaves merge) and every other overflowing value: free pages and a trunk.
        for i in Array(200..<280) + Array(stride(from: 7, to: 400, by: 60)) {
            try engine.delete(key(i))
            model.delete(key(i))
        }
        try engine.checkpoint()
        let report = try engine.checkIntegrity()
        #expect(report.isClean, "fixture, seed \(seed): \(report.problems.prefix(5))")
        #expect(report.trees["keyValue"]!.height >= 3, "fixture should have three levels, seed \(seed)")
        #expect(report.trees["keyValue"]!.overflowPages > 0, "fixture should have overflow pages, seed \(seed)")
        #expect(report.freePages > 1, "fixture should have free pages, seed \(seed)")
        let map = try pageMap(engine)
        let pageCount = try engine.spaceStatistics().pageCount
        #expect(Set(map.probeKeys.flatMap { map.pagesOfKey[$0]! }) == map.treePages, "probe keys read every tree page")
        #expect(map.treePages.count + map.trunkPages.count + map.freeEntries.count == pageCount - 1,
                "page map covers every page but the header, seed \(seed)")
        try engine.close()
        return Fixture(fs: fs, model: model, map: map, pageCount: pageCount)
    }

    /// Walks the clean tree and free list through the internal API.
    static func pageMap(_ engine: StorageEngine) throws -> PageMap {
        var map = PageMap()
        let pool = engine.pager.pool
        func walk(_ id: PageID, ancestors: [PageID], leftmost: Bool) throws {
            // Per leaf cell: the key and the first overflow page (0: inline value).
            let (isLeaf, children, cells): (Bool, [PageID], [([UInt8], PageID)]) = try pool.withPage(id) { page in
                let node = BTreeNode(page)
                if node.isLeaf {
                    return (true, [], (0..<node.count).map { i in
                        if case let .overflow(_, first) = node.leafValue(i) { return (node.keyBytes(i), first) }
                        return (node.keyBytes(i), PageID.none)
                    })
                }
                return (false, (0...node.count).map { node.child($0) }, [])
            }
            if isLeaf {
                map.leafPages.insert(id)
                for (i, (key, first)) in cells.enumerated() {
                    if i == 0 || i == cells.count - 1 || first != .none { map.probeKeys.append(key) }
                    var pages = Set(ancestors + [id])
                    var next = first
                    while next != .none {
                        pages.insert(next)
                        map.overflowPages.insert(next)
                        next = try pool.withPage(next) { OverflowPage(page: $0).next }
                    }
                    map.pagesOfKey[key] = pages
                }
                return
            }
            map.internalPages.insert(id)
            if leftmost { map.leftmostPath.append(id) }
            for (i, child) in children.enumerated() {
                try walk(child, ancestors: ancestors + [id], leftmost: leftmost && i == 0)
            }
        }
        try walk(try engine.pager.root(.keyValue), ancestors: [], leftmost: true)
        var trunk = try engine.pager.freeListHead()
        while trunk != .none {
            map.trunkPages.insert(trunk)
            trunk = try pool.withPage(trunk) { page in
                let t = FreeListTrunk(page: page)
                for i in 0..<t.count { map.freeEntries.insert(t.entry(i)) }
                return t.next
            }
        }
        return map
    }

    /// Whether `error` is `corruption` naming `page`.
    static func isCorruption(_ error: any Error, page: PageID) -> Bool {
        if case let StorageError.corruption(p, _) = error { return p == page }
        return false
    }

    /// Opens the damaged copy and reads everything. `damaged` is the one page whose bytes differ from the
    /// clean file; every failure must name it, and reads that do not need it must return the model's data.
    static func readEverything(_ fs: SimulatedFileSystem, fixture: Fixture, damaged p: PageID,
                               mustFailScan: Bool, label: String) throws {
        let before = fs.fileBytes(path: path)!
        let engine = try StorageEngine(fileSystem: fs, path: path, options: StorageOptions(pageSize: pageSize, bufferPoolBytes: 4 << 20))
        let model = fixture.model

        // Full forward scan: a correct prefix of the model, then either the end or the typed error.
        var visited = 0
        var wrong = 0
        do {
            try engine.scan(.keyValue, lower: nil, upper: nil) { k, v in
                if visited >= model.count || Array(k) != model.keys[visited] || model.values[Array(k)] != Array(v) {
                    wrong += 1
                }
                visited += 1
                return true
            }
            #expect(!mustFailScan, "\(label): full scan succeeded although it reads page \(p)")
            #expect(visited == model.count, "\(label): full scan returned \(visited) of \(model.count) pairs")
        } catch {
            #expect(isCorruption(error, page: p), "\(label): scan threw \(error)")
            #expect(mustFailScan, "\(label): scan failed although it does not read page \(p)")
        }
        #expect(wrong == 0, "\(label): scan returned \(wrong) wrong pairs")
        #expect(engine.pinnedPages == 0, "\(label): pages pinned after scan")

        // Reverse scan: same rule (it reads the same leaves and overflow pages).
        var reverseVisited = 0
        var reverseWrong = 0
        do {
            try engine.scan(.keyValue, lower: nil, upper: nil, reverse: true) { k, v in
                let expected = model.count - 1 - reverseVisited
                if expected < 0 || Array(k) != model.keys[expected] || model.values[Array(k)] != Array(v) {
                    reverseWrong += 1
                }
                reverseVisited += 1
                return true
            }
            #expect(reverseVisited == model.count, "\(label): reverse scan returned \(reverseVisited) pairs")
        } catch {
            #expect(isCorruption(error, page: p), "\(label): reverse scan threw \(error)")
        }
        #expect(reverseWrong == 0, "\(label): reverse scan returned \(reverseWrong) wrong pairs")

        // Gets of the probe keys (they read every tree page): exactly those whose path or overflow chain
        // holds the page fail.
        var failedKeys = 0
        var firstFailed: [UInt8]?
        for key in fixture.map.probeKeys {
            let needsPage = fixture.map.pagesOfKey[key]?.contains(p) ?? false
            do {
                let value = try engine.get(key)
                if value != model.values[key] {
                    Issue.record("\(label): get returned wrong data")
                    break
                }
                if needsPage {
                    Issue.record("\(label): get succeeded although its path holds page \(p)")
                    break
                }
            } catch {
                failedKeys += 1
                if firstFailed == nil { firstFailed = key }
                if !isCorruption(error, page: p) || !needsPage {
                    Issue.record("\(label): get threw \(error) (needs page: \(needsPage))")
                    break
                }
            }
        }
        #expect((failedKeys > 0) == fixture.map.treePages.contains(p),
                "\(label): \(failedKeys) gets failed, page is a tree page: \(fixture.map.treePages.contains(p))")
        #expect(engine.pinnedPages == 0, "\(label): pages pinned after gets")
        // A page that failed verification is not cached: asking again fails again.
        if let firstFailed {
            #expect(throws: StorageError.self, "\(label): retried get") { try engine.get(firstFailed) }
        }

        // The integrity check reports the page (or throws naming it), or is clean when it never reads it.
        let readByCheck = fixture.map.treePages.contains(p) || fixture.map.trunkPages.contains(p)
        do {
            let report = try engine.checkIntegrity()
            if readByCheck {
                #expect(report.problems.contains { $0.contains("page \(p) is corrupt") },
                        "\(label): integrity report does not name page \(p): \(report.problems.prefix(3))")
            } else {
                #expect(report.isClean, "\(label): integrity problems for an unread free page: \(report.problems.prefix(3))")
            }
        } catch {
            #expect(isCorruption(error, page: p), "\(label): checkIntegrity threw \(error)")
        }
        #expect(engine.pinnedPages == 0, "\(label): pages pinned after the integrity check")
        #expect(engine.failure == nil, "\(label): reads turned the engine read-only")
        try engine.close()
        do {
            let same = fs.fileBytes(path: path)! == before
            #expect(same, "\(label): reading a damaged file changed it")
        }
    }

    @Test func singleByteFlipsInEveryPageAreDetectedAndNamed() throws {
        let seed: UInt64 = 0xC0_4407
        let fixture = try Self.makeFixture(seed: seed)
        let map = fixture.map
        var rng = SeededRandom(seed: seed ^ 0xFF)
        var cases = 0
        // Free pages at the end of the file may never have been written; there is nothing to damage.
        let writtenPages = fixture.fs.fileBytes(path: Self.path)!.count / Self.pageSize
        #expect((writtenPages..<fixture.pageCount).allSatisfy { map.freeEntries.contains(PageID($0)) })
        for p in PageID(1)..<PageID(min(writtenPages, fixture.pageCount)) {
            let base = Int(p) * Self.pageSize
            // The checksum, the common header (type, id, LSN), the type-specific header, the content area
            // and the last byte (cells grow down from the end of the page). A single flipped byte anywhere
            // must fail the checksum, so a few offsets per page cover every path.
            let offsets = [Int.random(in: 0..<4, using: &rng), Int.random(in: 4..<24, using: &rng),
                           Int.random(in: 24..<44, using: &rng), Int.random(in: 44..<Self.pageSize - 1, using: &rng),
                           Self.pageSize - 1]
            for offset in offsets {
                let xor = UInt8.random(in: 1...255, using: &rng)
                let fs = fixture.fs.cloneDurable()
                fs.corrupt(path: Self.path, offset: base + offset, xor: xor)
                let label = "seed \(seed), page \(p) offset \(offset) xor \(xor)"
                try Self.readEverything(fs, fixture: fixture, damaged: p, mustFailScan: map.scanPages.contains(p), label: label)
                cases += 1
            }
        }
        #expect(cases >= 5 * 60, "too few pages for a meaningful run: \(fixture.pageCount)")
        #expect(map.leftmostPath.count >= 2, "the scan should descend through internal pages")
    }

    /// Valid checksums, but the page is in the wrong place or has an impossible type.
    @Test func misdirectedAndMistypedPagesAreRejected() throws {
        let fixture = try Self.makeFixture(seed: 0xC0_4408)
        let map = fixture.map
        let clean = fixture.fs.fileBytes(path: Self.path)!
        let leaves = map.leafPages.sorted()
        let overflow = map.overflowPages.sorted()
        let internals = map.internalPages.sorted()
        // Page b's bytes replaced by page a's (a misdirected write): checksum valid, id wrong.
        for (a, b) in [(leaves[0], leaves[1]), (leaves[3], overflow[0]), (internals[0], leaves[2]),
                       (overflow[1], internals.last!), (leaves[4], map.trunkPages.first!)] {
            let fs = fixture.fs.cloneDurable()
            for i in 0..<Self.pageSize {
                let offset = Int(b) * Self.pageSize + i
                let x = clean[Int(a) * Self.pageSize + i] ^ clean[offset]
                if x != 0 { fs.corrupt(path: Self.path, offset: offset, xor: x) }
            }
            try Self.readEverything(fs, fixture: fixture, damaged: b, mustFailScan: map.scanPages.contains(b),
                               label: "page \(a) copied over page \(b)")
        }
        // Unknown page type with a correct checksum.
        for p in [leaves[5], internals[0], overflow[2]] {
            let fs = fixture.fs.cloneDurable()
            var page = Array(clean[Int(p) * Self.pageSize..<Int(p + 1) * Self.pageSize])
            page[4] = 0xEE
            let crc = CRC32C.checksum(Array(page[4...]))
            withUnsafeBytes(of: crc.littleEndian) { for i in 0..<4 { page[i] = $0[i] } }
            for i in 0..<Self.pageSize where page[i] != clean[Int(p) * Self.pageSize + i] {
                fs.corrupt(path: Self.path, offset: Int(p) * Self.pageSize + i, xor: page[i] ^ clean[Int(p) * Self.pageSize + i])
            }
            try Self.readEverything(fs, fixture: fixture, damaged: p, mustFailScan: map.scanPages.contains(p),
                               label: "page \(p) with type 0xEE")
        }
    }

    /// A file cut in the middle of a page: pages past the end are corruption of exactly those pages.
    @Test func truncatedFileNamesTheMissingPages() throws {
        let fixture = try Self.makeFixture(seed: 0xC0_4409)
        let clean = fixture.fs.fileBytes(path: Self.path)!
        let model = fixture.model
        // Free pages at the end may never have been written, so the file can end before pageCount pages.
        let writtenPages = clean.count / Self.pageSize
        for cutPage in [writtenPages - 1, writtenPages / 2] {
            let fs = SimulatedFileSystem()
            try Self.writeFile(fs, Self.path, Array(clean[..<(cutPage * Self.pageSize + Self.pageSize / 2)]))
            let engine = try StorageEngine(fileSystem: fs, path: Self.path, options: StorageOptions(pageSize: Self.pageSize))
            let missing = Set(PageID(cutPage)..<PageID(fixture.pageCount))
            var wrong = 0
            var failed = 0
            for key in model.keys {
                let needed = fixture.map.pagesOfKey[key]!.intersection(missing)
                do {
                    let value = try engine.get(key)
                    if value != model.values[key] || !needed.isEmpty { wrong += 1 }
                } catch let StorageError.corruption(page, _) {
                    failed += 1
                    if !needed.contains(page) { wrong += 1 }
                }
            }
            #expect(wrong == 0, "cut at page \(cutPage): \(wrong) gets returned wrong data or named the wrong page")
            #expect((failed > 0) == !fixture.map.treePages.isDisjoint(with: missing),
                    "cut at page \(cutPage): \(failed) gets failed")
            #expect(engine.pinnedPages == 0)
            try engine.close()
        }
    }

    // MARK: Page 0 and foreign files

    /// Writes `bytes` as the whole file at `path` (synced).
    static func writeFile(_ fs: SimulatedFileSystem, _ path: String, _ bytes: [UInt8]) throws {
        let handle = try fs.open(path: path, options: FileOpenOptions(create: true, exclusiveLock: false))
        try bytes.withUnsafeBytes { try handle.write($0, at: 0) }
        try handle.sync()
        try handle.close()
    }

    /// Opens `path` twice (the first failure must release the lock) and expects `expected` both times;
    /// the file bytes must be unchanged and no handle left open.
    static func expectRejected(_ fs: SimulatedFileSystem, _ label: String, pageSize: Int = 8192,
                               _ matches: (StorageError) -> Bool) {
        let before = fs.fileBytes(path: path)
        for attempt in 0..<2 {
            do {
                let engine = try StorageEngine(fileSystem: fs, path: path, options: StorageOptions(pageSize: pageSize))
                Issue.record("\(label): opened (attempt \(attempt))")
                try? engine.close()
            } catch let error as StorageError {
                #expect(matches(error), "\(label): attempt \(attempt) threw \(error)")
            } catch {
                Issue.record("\(label): untyped error \(error)")
            }
        }
        do {
            let same = fs.fileBytes(path: path) == before
            #expect(same, "\(label): the rejected file was changed")
        }
        #expect(fs.openHandleCount == 0, "\(label): a handle was left open")
    }

    /// A small valid database of `pageSize`-byte pages.
    static func smallDatabase(pageSize: Int = 8192) throws -> [UInt8] {
        let fs = SimulatedFileSystem()
        let engine = try StorageEngine(fileSystem: fs, path: path, options: StorageOptions(pageSize: pageSize))
        for i in 0..<2000 { try engine.put(Array("key\(i)".utf8), [UInt8](repeating: UInt8(i & 0xFF), count: 20)) }
        try engine.close()
        return fs.fileBytes(path: path)!
    }

    @Test func damagedHeaderPageIsRejectedWithoutChangingTheFile() throws {
        let clean = try Self.smallDatabase(pageSize: 4096)
        func corruptedAt(_ offset: Int, _ xor: UInt8) throws -> SimulatedFileSystem {
            let fs = SimulatedFileSystem()
            try Self.writeFile(fs, Self.path, clean)
            fs.corrupt(path: Self.path, offset: offset, xor: xor)
            return fs
        }
        // Checksum, type, id, LSN, page count, free list, root slot, reserved bytes, last byte.
        for offset in [0, 2, 4, 8, 16, 40, 44, 48, 64, 100, 300, 4095] {
            Self.expectRejected(try corruptedAt(offset, 0x21), "header offset \(offset)") {
                if case .corruption(page: 0, _) = $0 { return true }
                return false
            }
        }
        for offset in 24..<32 {
            Self.expectRejected(try corruptedAt(offset, 0x01), "magic byte \(offset)") {
                if case .notADatabase = $0 { return true }
                return false
            }
        }
        Self.expectRejected(try corruptedAt(32, 0x03), "version byte") {
            $0 == .unsupportedFormatVersion(path: Self.path, found: DatabaseHeader.formatVersion ^ 3, supported: DatabaseHeader.formatVersion)
        }
        // Page size 4096 (0x1000) → 0x1100: impossible.
        Self.expectRejected(try corruptedAt(37, 0x01), "page size 4352") {
            if case .notADatabase = $0 { return true }
            return false
        }
        // Page size 4096 → 8192: plausible, so the header page is read at the wrong size and fails its checksum.
        Self.expectRejected(try corruptedAt(37, 0x30), "page size 8192") {
            if case .corruption(page: 0, _) = $0 { return true }
            return false
        }
    }

    @Test func foreignFilesAreRejectedWithoutChangingThem() throws {
        var rng = SeededRandom(seed: 0xF0_4E16)
        do {
            let fs = SimulatedFileSystem()
            try Self.writeFile(fs, Self.path, rng.bytes(3 * 8192 + 17))
            Self.expectRejected(fs, "random bytes") {
                if case .notADatabase(path: Self.path, _) = $0 { return true }
                return false
            }
        }
        do {
            let fs = SimulatedFileSystem()
            var sqlite = Array("SQLite format 3\u{0}".utf8)
            sqlite += [0x10, 0x00, 0x01, 0x01, 0x00, 0x40, 0x20, 0x20]
            sqlite += [UInt8](repeating: 0, count: 4096 - sqlite.count)
            sqlite += rng.bytes(4096)
            try Self.writeFile(fs, Self.path, sqlite)
            Self.expectRejected(fs, "SQLite file") {
                if case .notADatabase(path: Self.path, _) = $0 { return true }
                return false
            }
        }
        let basalt = try Self.smallDatabase()
        do {
            // Without a control file a Basalt file of at most one page is a creation a crash cut
            // short (nothing was ever committed to it): it is started over.
            let fs = SimulatedFileSystem()
            try Self.writeFile(fs, Self.path, Array(basalt[..<40]))
            let engine = try StorageEngine(fileSystem: fs, path: Self.path, options: StorageOptions(pageSize: 8192))
            #expect(try engine.spaceStatistics().pageCount == 1)
            try engine.close()
        }
        /// The database's control file, naming a completed checkpoint: the file is no new one.
        func withControlFile(_ fs: SimulatedFileSystem) throws {
            var control = try ControlFile(fileSystem: fs, databasePath: Self.path)
            try control.write(ControlFile.Checkpoint())
            control.close()
        }
        do {
            // Shorter than the probe: not even a header to recognise.
            let fs = SimulatedFileSystem()
            try Self.writeFile(fs, Self.path, Array(basalt[..<40]))
            try withControlFile(fs)
            Self.expectRejected(fs, "40-byte Basalt prefix") {
                if case .notADatabase(path: Self.path, _) = $0 { return true }
                return false
            }
        }
        do {
            // A recognisable header, but the file ends inside page 0.
            let fs = SimulatedFileSystem()
            try Self.writeFile(fs, Self.path, Array(basalt[..<5000]))
            try withControlFile(fs)
            Self.expectRejected(fs, "Basalt file cut inside its header page") {
                switch $0 {
                case .corruption(page: 0, _), .notADatabase(path: Self.path, _): return true
                default: return false
                }
            }
        }
        do {
            var bytes = basalt
            bytes[DatabaseHeader.versionOffset] = 99
            let fs = SimulatedFileSystem()
            try Self.writeFile(fs, Self.path, bytes)
            Self.expectRejected(fs, "format version 99") {
                $0 == .unsupportedFormatVersion(path: Self.path, found: 99, supported: DatabaseHeader.formatVersion)
            }
        }
        do {
            var bytes = basalt
            withUnsafeBytes(of: UInt32(12345).littleEndian) {
                for i in 0..<4 { bytes[DatabaseHeader.pageSizeOffset + i] = $0[i] }
            }
            let fs = SimulatedFileSystem()
            try Self.writeFile(fs, Self.path, bytes)
            Self.expectRejected(fs, "page size 12345") {
                if case .notADatabase(path: Self.path, _) = $0 { return true }
                return false
            }
        }
        // The untouched file still opens, with its data.
        let fs = SimulatedFileSystem()
        try Self.writeFile(fs, Self.path, basalt)
        let engine = try StorageEngine(fileSystem: fs, path: Self.path, options: StorageOptions())
        #expect(try engine.get(Array("key1234".utf8)) == [UInt8](repeating: UInt8(1234 & 0xFF), count: 20))
        try engine.close()
    }

    @Test func secondEngineOnAnOpenFileIsLocked() throws {
        let fs = SimulatedFileSystem()
        let first = try StorageEngine(fileSystem: fs, path: Self.path, options: StorageOptions())
        try first.put([1, 2, 3], [4, 5, 6])
        try first.checkpoint()
        let before = fs.fileBytes(path: Self.path)
        #expect(throws: StorageError.databaseLocked(path: Self.path)) {
            _ = try StorageEngine(fileSystem: fs, path: Self.path, options: StorageOptions())
        }
        do {
            let same = fs.fileBytes(path: Self.path) == before
            #expect(same, "the refused open changed the file")
        }
        // The first handle is unaffected.
        #expect(try first.get([1, 2, 3]) == [4, 5, 6])
        try first.put([7], [8])
        try first.close()
        let second = try StorageEngine(fileSystem: fs, path: Self.path, options: StorageOptions())
        #expect(try second.get([7]) == [8])
        try second.close()
    }

    @Test func secondEngineOnAnOpenPOSIXFileIsLocked() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("basalt-lock-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/locked.basalt"
        let fs = POSIXFileSystem()
        let first = try StorageEngine(fileSystem: fs, path: file, options: StorageOptions(bufferPoolBytes: 1 << 20))
        try first.put([1], [2])
        try first.checkpoint()
        #expect(throws: StorageError.databaseLocked(path: file)) {
            _ = try StorageEngine(fileSystem: fs, path: file, options: StorageOptions(bufferPoolBytes: 1 << 20))
        }
        #expect(try first.get([1]) == [2])
        try first.close()
        let second = try StorageEngine(fileSystem: fs, path: file, options: StorageOptions(bufferPoolBytes: 1 << 20))
        #expect(try second.get([1]) == [2])
        try second.close()
    }
}
