import Testing
@testable import BasaltStorage

/// The B+tree's shape under specific workloads: fill after sequential inserts, page accounting after
/// deleting everything, bulk loading, cursors, bounded scans and the size limits. Failures name the seed.
@Suite struct BTreeStructureTests {
    static func counterKey(_ i: Int) -> [UInt8] { withUnsafeBytes(of: UInt64(i).bigEndian) { Array($0) } }

    static func engine(pageSize: Int = 8192, pool: Int = 32 << 20) throws -> (SimulatedFileSystem, StorageEngine) {
        let fs = SimulatedFileSystem()
        let engine = try StorageEngine(fileSystem: fs, path: "tree.db", options: StorageOptions(pageSize: pageSize, bufferPoolBytes: pool))
        return (fs, engine)
    }

    static func tree(_ engine: StorageEngine) throws -> BTree {
        BTree(root: try engine.pager.root(.keyValue), pager: engine.pager)
    }

    /// Checks integrity and that the engine holds exactly the model's pairs; returns the tree report.
    @discardableResult
    static func expectMatches(_ engine: StorageEngine, _ model: SortedModel, _ label: String) throws -> TreeReport {
        let report = try engine.checkIntegrity()
        #expect(report.isClean, "\(label): \(report.problems.prefix(5))")
        let tree = report.trees["keyValue"] ?? TreeReport()
        #expect(tree.keys == model.count, "\(label): \(tree.keys) keys, model \(model.count)")
        let pairs = try engine.allPairs()
        do {
            let same = pairs.map(\.0) == model.keys
            #expect(same, "\(label): keys differ from the model")
        }
        #expect(pairs.allSatisfy { model.values[$0.0] == $0.1 }, "\(label): values differ from the model")
        #expect(engine.pinnedPages == 0, "\(label): pages left pinned")
        return tree
    }

    // MARK: Sequential inserts

    @Test func ascendingInsertsFillLeaves() throws {
        let (_, engine) = try Self.engine()
        var model = SortedModel()
        for i in 0..<60_000 {
            let value = Array(Self.counterKey(i &* 7919)) + Self.counterKey(i)
            try engine.put(Self.counterKey(i), value)
            model.put(Self.counterKey(i), value)
        }
        let tree = try Self.expectMatches(engine, model, "ascending")
        #expect(tree.fillFactor > 0.9, "ascending inserts should leave full leaves: fill \(tree.fillFactor)")
        #expect(tree.height >= 2)
    }

    /// Appending past the last key splits by starting a new right sibling and leaving the full leaf's
    /// cells in place; that leaf must still end up with the longest prefix skip its keys share, as a
    /// rebuilt one would (point reads compare slot prefixes after the skip).
    @Test func ascendingInsertsLeaveLeavesWithTheirSharedPrefixSkip() throws {
        let (_, engine) = try Self.engine(pageSize: 4096)
        var model = SortedModel()
        let shared: [UInt8] = Array("table-0007/".utf8)
        for i in 0..<20_000 {
            let key = shared + Self.counterKey(i)
            try engine.put(key, Self.counterKey(i &* 7919))
            model.put(key, Self.counterKey(i &* 7919))
        }
        let tree = try Self.expectMatches(engine, model, "ascending, shared prefix")
        #expect(tree.fillFactor > 0.9, "ascending inserts should leave full leaves: fill \(tree.fillFactor)")
        let skips = try Self.prefixSkips(engine)
        // Only the tree's last leaf (still being appended to) and the root (grown one separator at a
        // time, never rebuilt) may lack the skip; without it, every leaf would.
        let without = skips.filter { $0 < shared.count }.count
        #expect(skips.count > 100 && without <= 2, "\(without) of \(skips.count) nodes do not skip the shared prefix")
    }

    @Test func descendingInsertsBuildAValidTree() throws {
        let (_, engine) = try Self.engine()
        var model = SortedModel()
        for i in (0..<60_000).reversed() {
            let value = Self.counterKey(i) + Self.counterKey(i)
            try engine.put(Self.counterKey(i), value)
            model.put(Self.counterKey(i), value)
        }
        let tree = try Self.expectMatches(engine, model, "descending")
        // Splits at the middle leave each right half behind at about half full.
        #expect(tree.fillFactor > 0.45, "descending fill \(tree.fillFactor)")
        #expect(tree.height >= 2)
    }

    // MARK: Deleting everything

    enum DeleteOrder: String, CaseIterable, Sendable { case ascending, descending, random }

    @Test(arguments: DeleteOrder.allCases)
    func deletingEveryKeyFreesEveryPage(order: DeleteOrder) throws {
        let seed: UInt64 = 0xDE1_0000 + UInt64(order.rawValue.count)
        var rng = SeededRandom(seed: seed)
        let (_, engine) = try Self.engine(pageSize: 4096, pool: 2 << 20)
        var model = SortedModel()
        for _ in 0..<12_000 {
            let key = BTreeModelTests.randomKey(&rng, maxSize: 300)
            let value = Int.random(in: 0..<150, using: &rng) == 0
                ? rng.bytes(Int.random(in: 2000...20_000, using: &rng)) : rng.bytes(Int.random(in: 0...60, using: &rng))
            try engine.put(key, value)
            model.put(key, value)
        }
        let full = try Self.expectMatches(engine, model, "\(order), seed \(seed), full")
        #expect(full.height >= 3 && full.overflowPages > 0, "\(order): tree too small to be interesting")
        let pageCount = try engine.spaceStatistics().pageCount

        var keys = model.keys
        switch order {
        case .ascending: break
        case .descending: keys.reverse()
        case .random: keys.shuffle(using: &rng)
        }
        for (n, key) in keys.enumerated() {
            let deleted = try engine.delete(key)
            model.delete(key)
            if !deleted {
                Issue.record("\(order), seed \(seed): delete \(n) returned false")
                return
            }
            if n == keys.count / 2 || n == keys.count - 2 {
                try Self.expectMatches(engine, model, "\(order), seed \(seed), after \(n + 1) deletes")
            }
        }
        let empty = try Self.expectMatches(engine, model, "\(order), seed \(seed), empty")
        #expect(empty.height == 1 && empty.leafPages == 1 && empty.internalPages == 0 && empty.overflowPages == 0,
                "\(order), seed \(seed): the empty tree should be one leaf: \(empty)")
        let space = try engine.spaceStatistics()
        #expect(space.pageCount == pageCount, "\(order): deleting grew the file")
        #expect(space.freePages == space.pageCount - 2, "\(order), seed \(seed): \(space.freePages) free of \(space.pageCount)")
        #expect(try engine.get(keys[0]) == nil)
    }

    // MARK: Bulk loading

    @Test func putBatchIntoAnEmptyTreeBulkLoads() throws {
        let (fs, engine) = try Self.engine()
        var model = SortedModel()
        var pairs: [([UInt8], [UInt8])] = []
        var rng = SeededRandom(seed: 0xB01_0001)
        for i in (0..<80_000).shuffled(using: &rng) {
            let pair = (Self.counterKey(i * 3), rng.bytes(20))
            pairs.append(pair)
            model.put(pair.0, pair.1)
        }
        try engine.putBatch(.keyValue, pairs)
        let tree = try Self.expectMatches(engine, model, "bulk load")
        #expect(tree.fillFactor > 0.85, "bulk load fill \(tree.fillFactor)")
        // The top node's contents move into the root page; only that page is freed.
        #expect(try engine.spaceStatistics().freePages <= 1)
        // Survives a reopen.
        try engine.close()
        let reopened = try StorageEngine(fileSystem: fs, path: "tree.db", options: StorageOptions())
        try Self.expectMatches(reopened, model, "bulk load after reopen")
        // Point reads hit keys and miss the gaps between them.
        #expect(try reopened.get(Self.counterKey(3 * 4567)) == model.values[Self.counterKey(3 * 4567)])
        #expect(try reopened.get(Self.counterKey(3 * 4567 + 1)) == nil)
        try reopened.close()
    }

    @Test(arguments: [4096, 8192, 65536])
    func putBatchWithOverflowValuesMixedKeysAndDuplicates(pageSize: Int) throws {
        let seed = 0xB01_0000 + UInt64(pageSize)
        var rng = SeededRandom(seed: seed)
        let (_, engine) = try Self.engine(pageSize: pageSize)
        let maxKey = min(2048, engine.maxKeySize)
        var model = SortedModel()
        var pairs: [([UInt8], [UInt8])] = []
        for _ in 0..<4000 {
            // Every tenth pair repeats an earlier key with a new value: the later pair must win.
            let key = !pairs.isEmpty && Int.random(in: 0..<10, using: &rng) == 0
                ? pairs[Int.random(in: 0..<pairs.count, using: &rng)].0
                : BTreeModelTests.randomKey(&rng, maxSize: maxKey)
            let value = BTreeModelTests.randomValue(&rng)
            pairs.append((key, value))
            model.put(key, value)
        }
        pairs.append(([UInt8](repeating: 0xFF, count: maxKey), rng.bytes(50_000)))
        model.put(pairs.last!.0, pairs.last!.1)
        try engine.putBatch(.keyValue, pairs)
        let tree = try Self.expectMatches(engine, model, "mixed bulk load, page \(pageSize), seed \(seed)")
        #expect(tree.overflowPages > 0)
        for key in model.keys.prefix(200) {
            #expect(try engine.get(key) == model.values[key], "page \(pageSize), seed \(seed)")
        }
        // The loaded tree takes ordinary changes afterwards.
        for key in model.keys.shuffled(using: &rng).prefix(1000) {
            try engine.delete(key)
            model.delete(key)
        }
        for _ in 0..<1000 {
            let key = BTreeModelTests.randomKey(&rng, maxSize: maxKey)
            let value = BTreeModelTests.randomValue(&rng)
            try engine.put(key, value)
            model.put(key, value)
        }
        try Self.expectMatches(engine, model, "mixed bulk load then changes, page \(pageSize), seed \(seed)")
    }

    @Test func putBatchIntoANonEmptyTree() throws {
        var rng = SeededRandom(seed: 0xB01_0002)
        let (_, engine) = try Self.engine()
        var model = SortedModel()
        for _ in 0..<5000 {
            let key = BTreeModelTests.randomKey(&rng, maxSize: 400)
            let value = BTreeModelTests.randomValue(&rng)
            try engine.put(key, value)
            model.put(key, value)
        }
        var pairs: [([UInt8], [UInt8])] = []
        let existing = model.keys
        for i in 0..<6000 {
            let key = i % 2 == 0 ? existing[Int.random(in: 0..<existing.count, using: &rng)]
                                 : BTreeModelTests.randomKey(&rng, maxSize: 400)
            pairs.append((key, BTreeModelTests.randomValue(&rng)))
        }
        for (key, value) in pairs { model.put(key, value) }
        try engine.putBatch(.keyValue, pairs)
        try Self.expectMatches(engine, model, "batch into a non-empty tree")
    }

    @Test func putBatchIntoAnEmptiedTreeReusesFreePages() throws {
        let (_, engine) = try Self.engine(pageSize: 4096)
        var rng = SeededRandom(seed: 0xB01_0003)
        let order = (0..<30_000).shuffled(using: &rng)
        for i in order { try engine.put(Self.counterKey(i), Self.counterKey(i)) }
        let pageCount = try engine.spaceStatistics().pageCount
        for i in order { try engine.delete(Self.counterKey(i)) }
        #expect(try engine.spaceStatistics().freePages == pageCount - 2)
        var model = SortedModel()
        let pairs = order.map { (Self.counterKey($0), Self.counterKey($0 + 1)) }
        for (k, v) in pairs { model.put(k, v) }
        try engine.putBatch(.keyValue, pairs)
        try Self.expectMatches(engine, model, "bulk load into an emptied tree")
        // A 90%-full bulk load needs fewer pages than random inserts did: the file must not grow.
        let after = try engine.spaceStatistics()
        #expect(after.pageCount == pageCount, "bulk load grew the file from \(pageCount) to \(after.pageCount) pages")
        #expect(after.freePages > 0)
    }

    /// `putBatch` documents that an out-of-bounds entry throws before anything is written.
    @Test(arguments: [false, true])
    func putBatchWithAnOversizedKeyChangesNothing(nonEmpty: Bool) throws {
        let (fs, engine) = try Self.engine(pageSize: 4096)
        var model = SortedModel()
        if nonEmpty {
            for i in 0..<500 {
                try engine.put(Self.counterKey(i * 2), [UInt8](repeating: 1, count: 30))
                model.put(Self.counterKey(i * 2), [UInt8](repeating: 1, count: 30))
            }
        } else {
            // An existing but empty tree, so the batch takes the bulk-load path.
            try engine.put([1], [1])
            try engine.delete([1])
        }
        try engine.checkpoint()
        let before = fs.fileBytes(path: "tree.db")!
        let space = try engine.spaceStatistics()
        // Valid pairs first (in key order too), the oversized key last.
        var pairs = (0..<2000).map { (Self.counterKey($0 * 2 + 1), [UInt8](repeating: 2, count: 30)) }
        pairs.append(([UInt8](repeating: 0xFF, count: engine.maxKeySize + 1), [1]))
        #expect(throws: StorageError.keyTooLarge(size: engine.maxKeySize + 1, limit: engine.maxKeySize)) {
            try engine.putBatch(.keyValue, pairs)
        }
        try Self.expectMatches(engine, model, "after a rejected batch (non-empty: \(nonEmpty))")
        #expect(try engine.spaceStatistics().pageCount == space.pageCount, "a rejected batch grew the file")
        try engine.checkpoint()
        do {
            let same = fs.fileBytes(path: "tree.db")! == before
            #expect(same, "a rejected batch changed the file (non-empty: \(nonEmpty))")
        }
    }

    /// On a file whose key-value tree does not exist yet, a rejected put must not create it either.
    @Test func rejectedPutsOnAFreshDatabaseChangeNothing() throws {
        let (fs, engine) = try Self.engine(pageSize: 4096)
        let before = fs.fileBytes(path: "tree.db")!
        let tooLong = [UInt8](repeating: 0xFF, count: engine.maxKeySize + 1)
        #expect(throws: StorageError.keyTooLarge(size: engine.maxKeySize + 1, limit: engine.maxKeySize)) {
            try engine.put(tooLong, [1])
        }
        #expect(throws: StorageError.keyTooLarge(size: engine.maxKeySize + 1, limit: engine.maxKeySize)) {
            try engine.putBatch(.keyValue, [(tooLong, [1])])
        }
        #expect(try engine.spaceStatistics().pageCount == 1, "a rejected put allocated pages")
        try engine.checkpoint()
        let same = fs.fileBytes(path: "tree.db")! == before
        #expect(same, "a rejected put changed a fresh file")
    }

    // MARK: Cursor

    /// Expected cursor position per the model: nil when off the pairs.
    static func expectCursor(_ cursor: BTreeCursor, at key: [UInt8]?, moved: Bool, _ model: SortedModel,
                             _ label: String) -> Bool {
        guard cursor.key == key, moved == (key != nil) else {
            Issue.record("\(label): cursor at \(String(describing: cursor.key)) (moved \(moved)), expected \(String(describing: key))")
            return false
        }
        if let key, cursor.value != model.values[key] {
            Issue.record("\(label): cursor value differs for \(key)")
            return false
        }
        return true
    }

    /// Random seeks and moves against the model; with `mutate`, the tree changes between moves (inserts,
    /// deletes — including of the cursor's own key — and updates), and every move must still land on the
    /// model's neighbour of the cursor's key.
    @Test(arguments: [false, true])
    func cursorMatchesTheModel(mutate: Bool) throws {
        let seed: UInt64 = mutate ? 0xC0_5002 : 0xC0_5001
        var rng = SeededRandom(seed: seed)
        let (_, engine) = try Self.engine(pageSize: 4096, pool: 1 << 20)
        var model = SortedModel()
        func randomKey() -> [UInt8] { rng.bytes(Int.random(in: 1...3, using: &rng)).map { $0 % 64 } }
        for _ in 0..<4000 {
            let key = randomKey()
            let value = rng.bytes(Int.random(in: 0...120, using: &rng))
            try engine.put(key, value)
            model.put(key, value)
        }
        #expect(try engine.checkIntegrity().trees["keyValue"]!.height >= 2)
        var cursor = BTreeCursor(tree: try Self.tree(engine))
        var current: [UInt8]?   // the model's view of the cursor's key
        for step in 0..<20_000 {
            let label = "mutate \(mutate), seed \(seed), step \(step)"
            if mutate && Int.random(in: 0..<3, using: &rng) == 0 {
                switch Int.random(in: 0..<4, using: &rng) {
                case 0:
                    let key = randomKey()
                    let value = rng.bytes(Int.random(in: 0...120, using: &rng))
                    try engine.put(key, value)
                    model.put(key, value)
                case 1:
                    let key = current != nil && Bool.random(using: &rng) ? current! : randomKey()
                    try engine.delete(key)
                    model.delete(key)
                case 2 where model.count > 0:
                    let key = model.keys[Int.random(in: 0..<model.count, using: &rng)]
                    let value = rng.bytes(Int.random(in: 0...120, using: &rng))
                    try engine.put(key, value)
                    model.put(key, value)
                default:
                    // Keys right next to the cursor's, so its own leaf changes.
                    if let current {
                        let key = current + [0]
                        try engine.put(key, [9])
                        model.put(key, [9])
                    }
                }
                // The cursor's stored value may now be stale; only its key is compared until it moves.
                continue
            }
            let moved: Bool
            switch Int.random(in: 0..<10, using: &rng) {
            case 0:
                let target = randomKey()
                moved = try cursor.seek(target)
                let i = model.lowerBound(target)
                current = i < model.count ? model.keys[i] : nil
            case 1:
                moved = try cursor.first()
                current = model.keys.first
            case 2:
                moved = try cursor.last()
                current = model.keys.last
            case 3..<7:
                moved = try cursor.next()
                if let c = current {
                    var i = model.lowerBound(c)
                    if i < model.count && model.keys[i] == c { i += 1 }
                    current = i < model.count ? model.keys[i] : nil
                }
            default:
                moved = try cursor.previous()
                if let c = current {
                    let i = model.lowerBound(c)
                    current = i > 0 ? model.keys[i - 1] : nil
                }
            }
            guard Self.expectCursor(cursor, at: current, moved: moved, model, label) else { return }
            if engine.pinnedPages != 0 {
                Issue.record("\(label): pages left pinned")
                return
            }
        }
        try Self.expectMatches(engine, model, "cursor test end, mutate \(mutate), seed \(seed)")
    }

    /// The simplest instance of a change between cursor moves: a key inserted into (or deleted from) the
    /// cursor's leaf without any split or merge.
    @Test func cursorNextAfterAnInPlaceInsertOrDeleteInItsLeaf() throws {
        let (_, engine) = try Self.engine()
        for i in 0..<10 { try engine.put(Self.counterKey(i * 10), [UInt8(i)]) }
        var cursor = BTreeCursor(tree: try Self.tree(engine))
        #expect(try cursor.seek(Self.counterKey(50)))
        // A smaller key enters the same (root) leaf: no split, no new page.
        try engine.put(Self.counterKey(5), [0])
        #expect(try cursor.next())
        #expect(cursor.key == Self.counterKey(60), "after an insert below it, next() should go from 50 to 60")
        // A smaller key leaves the leaf: no merge (the root leaf never rebalances).
        try engine.delete(Self.counterKey(20))
        #expect(try cursor.next())
        #expect(cursor.key == Self.counterKey(70), "after a delete below it, next() should go from 60 to 70")
        try engine.delete(Self.counterKey(0))
        #expect(try cursor.previous())
        #expect(cursor.key == Self.counterKey(60), "after a delete below it, previous() should go from 70 to 60")
    }

    // MARK: Bounded scans

    @Test func boundedScansInBothDirectionsMatchTheModel() throws {
        let seed: UInt64 = 0x5CA_0001
        var rng = SeededRandom(seed: seed)
        let (_, engine) = try Self.engine(pageSize: 4096, pool: 1 << 20)
        var model = SortedModel()
        func randomKey() -> [UInt8] { rng.bytes(Int.random(in: 0...4, using: &rng)).map { $0 % 16 } }
        for _ in 0..<6000 {
            let key = randomKey()
            let value = Int.random(in: 0..<200, using: &rng) == 0 ? rng.bytes(9000) : rng.bytes(Int.random(in: 0...80, using: &rng))
            try engine.put(key, value)
            model.put(key, value)
        }
        #expect(model.count > 1000)
        for step in 0..<3000 {
            // Bounds: absent, random, or exactly an existing key.
            func bound() -> [UInt8]? {
                switch Int.random(in: 0..<4, using: &rng) {
                case 0: return nil
                case 1: return model.keys[Int.random(in: 0..<model.count, using: &rng)]
                default: return randomKey()
                }
            }
            let lower = bound(), upper = bound()
            let reverse = Bool.random(using: &rng)
            let limit = Bool.random(using: &rng) ? Int.max : Int.random(in: 1...50, using: &rng)
            var seen: [[UInt8]] = []
            var valuesMatch = true
            let visited = try withOptional(lower) { l in
                try withOptional(upper) { u in
                    try engine.scan(.keyValue, lower: l, upper: u, reverse: reverse) { k, v in
                        if model.values[Array(k)] != Array(v) { valuesMatch = false }
                        seen.append(Array(k))
                        return seen.count < limit
                    }
                }
            }
            let expected = model.range(lower: lower, upper: upper, reverse: reverse, limit: limit)
            if seen != expected || !valuesMatch || visited != expected.count {
                Issue.record("seed \(seed), step \(step): scan lower \(String(describing: lower)) upper \(String(describing: upper)) reverse \(reverse) limit \(limit): got \(seen.count) (visited \(visited)), expected \(expected.count), values match \(valuesMatch)")
                return
            }
        }
        #expect(engine.pinnedPages == 0)
    }

    // MARK: Limits

    @Test(arguments: [4096, 8192, 65536])
    func maxSizeKeysWorkAndOneMoreByteIsRejected(pageSize: Int) throws {
        let (fs, engine) = try Self.engine(pageSize: pageSize)
        let max = engine.maxKeySize
        #expect(max >= pageSize / 4, "page \(pageSize): max key \(max) is smaller than expected")
        var model = SortedModel()
        // Keys differing only in their last two bytes, so separators are full-length keys too.
        let valueSizes = [0, 4, 5, 100, 3000, 20_000]
        for i in 0..<90 {
            var key = [UInt8](repeating: 0xAB, count: max)
            key[max - 2] = UInt8(i / 16)
            key[max - 1] = UInt8(i % 16 * 3)
            let value = [UInt8](repeating: UInt8(i), count: valueSizes[i % valueSizes.count])
            try engine.put(key, value)
            model.put(key, value)
        }
        let tree = try Self.expectMatches(engine, model, "max keys, page \(pageSize)")
        #expect(tree.height >= 2, "page \(pageSize): max-size keys should need internal nodes")
        for key in model.keys { #expect(try engine.get(key) == model.values[key]) }

        try engine.checkpoint()
        let before = fs.fileBytes(path: "tree.db")!
        let tooLong = [UInt8](repeating: 0xAB, count: max + 1)
        for valueSize in [0, 10, 50_000] {
            #expect(throws: StorageError.keyTooLarge(size: max + 1, limit: max), "page \(pageSize)") {
                try engine.put(tooLong, [UInt8](repeating: 1, count: valueSize))
            }
        }
        #expect(throws: StorageError.keyTooLarge(size: max + 1, limit: max)) {
            try engine.putBatch(.keyValue, [(tooLong, [1])])
        }
        #expect(try engine.get(tooLong) == nil)
        #expect(engine.failure == nil)
        try Self.expectMatches(engine, model, "after rejected keys, page \(pageSize)")
        try engine.checkpoint()
        do {
            let same = fs.fileBytes(path: "tree.db")! == before
            #expect(same, "page \(pageSize): a rejected key changed the file")
        }
        // Deleting the max-size keys empties the tree completely.
        for key in model.keys { #expect(try engine.delete(key)) }
        let space = try engine.spaceStatistics()
        #expect(space.freePages == space.pageCount - 2, "page \(pageSize)")
    }

    @Test func emptyKeysAndEmptyValues() throws {
        let (fs, engine) = try Self.engine()
        try engine.put([], [])
        try engine.put([0], [])
        try engine.put([1], [7])
        #expect(try engine.get([]) == [])
        #expect(try engine.get([0]) == [])
        #expect(try engine.get([2]) == nil)
        var model = SortedModel()
        model.put([], [])
        model.put([0], [])
        model.put([1], [7])
        try Self.expectMatches(engine, model, "empty key and values")
        // An empty value is not a missing one, also after a reopen.
        try engine.close()
        let reopened = try StorageEngine(fileSystem: fs, path: "tree.db", options: StorageOptions())
        #expect(try reopened.get([]) == [])
        #expect(try reopened.delete([]))
        #expect(try reopened.get([]) == nil)
        try reopened.close()
    }

    @Test func fiveMiBValueRoundTripsAndItsPagesAreReused() throws {
        let (fs, engine) = try Self.engine()
        var rng = SeededRandom(seed: 0x5_0001)
        let big = rng.bytes(5 << 20)
        try engine.put([1], [1])
        try engine.put([2], big)
        try engine.put([3], [3])
        do {
            let same = try engine.get([2]) == big
            #expect(same)
        }
        let report = try engine.checkIntegrity()
        #expect(report.isClean, "\(report.problems.prefix(3))")
        let capacity = OverflowPage.capacity(pageSize: 8192)
        #expect(report.trees["keyValue"]!.overflowPages == (big.count + capacity - 1) / capacity)
        try engine.close()
        let reopened = try StorageEngine(fileSystem: fs, path: "tree.db", options: StorageOptions(bufferPoolBytes: 1 << 20))
        do {
            let same = try reopened.get([2]) == big
            #expect(same, "5 MiB value after reopen through a 1 MiB pool")
        }
        let pageCount = try reopened.spaceStatistics().pageCount
        // Replacing it with another value of the same size reuses its pages (plus one chain in flight).
        try reopened.put([2], rng.bytes(5 << 20))
        try reopened.delete([2])
        let space = try reopened.spaceStatistics()
        #expect(space.pageCount <= pageCount + (big.count + capacity - 1) / capacity)
        #expect(space.freePages == space.pageCount - 2, "only the root leaf holds pages after the delete")
        try reopened.put([2], big)
        #expect(try reopened.spaceStatistics().pageCount == space.pageCount, "re-adding the value grew the file")
        do {
            let same = try reopened.get([2]) == big
            #expect(same)
        }
        try reopened.close()
    }

    /// The 1 GiB limit is checked before the value is read: the buffer is reserved (malloc of this size
    /// maps lazily) but never touched, so no gigabyte is materialised.
    @Test func valueOverOneGiBIsRejected() throws {
        let (fs, engine) = try Self.engine()
        try engine.put([1], [1])
        try engine.checkpoint()
        let before = fs.fileBytes(path: "tree.db")!
        let size = BTreeLimits.maxValueSize + 1
        let huge = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
        defer { huge.deallocate() }
        #expect(throws: StorageError.valueTooLarge(size: size, limit: BTreeLimits.maxValueSize)) {
            try [UInt8]([2]).withUnsafeBytes { key in
                try engine.put(.keyValue, key, UnsafeRawBufferPointer(start: huge, count: size))
            }
        }
        #expect(try engine.get([2]) == nil)
        #expect(engine.failure == nil)
        try engine.checkpoint()
        do {
            let same = fs.fileBytes(path: "tree.db")! == before
            #expect(same)
        }
    }

    // MARK: Prefix skip

    /// The prefix skips of every node of the key-value tree.
    static func prefixSkips(_ engine: StorageEngine) throws -> [Int] {
        var skips: [Int] = []
        func walk(_ id: PageID) throws {
            let (skip, children): (Int, [PageID]) = try engine.pager.pool.withPage(id) { page in
                let node = BTreeNode(page)
                return (node.prefixSkip, node.isLeaf ? [] : (0...node.count).map { node.child($0) })
            }
            skips.append(skip)
            for child in children { try walk(child) }
        }
        try walk(try engine.pager.root(.keyValue))
        return skips
    }

    /// Nodes whose keys share leading bytes leave them out of their slot prefixes; keys that do not share
    /// them (below, above, shorter, in between) lower the skip, and every read still matches the model.
    @Test func prefixSkipFollowsTheKeysANodeHolds() throws {
        let seed: UInt64 = 0x5C1F
        var rng = SeededRandom(seed: seed)
        let (_, engine) = try Self.engine(pageSize: 4096)
        var model = SortedModel()
        let shared: [UInt8] = Array("table-0007/".utf8)
        for i in (0..<30_000).shuffled(using: &rng) {
            let key = shared + Self.counterKey(i * 2)
            try engine.put(key, Self.counterKey(i))
            model.put(key, Self.counterKey(i))
        }
        try Self.expectMatches(engine, model, "seed \(seed), shared prefix")
        let skips = try Self.prefixSkips(engine)
        #expect(skips.filter { $0 >= shared.count }.count * 2 > skips.count,
                "seed \(seed): most nodes should skip the shared prefix: \(skips.prefix(20))")
        // Keys that break the shared bytes at every depth, interleaved with deletes.
        var others: [[UInt8]] = [[], Array(shared.prefix(3)), Array("table-0006/".utf8) + Self.counterKey(5),
                                 Array("table-0008".utf8), shared, shared + [0], Array("u".utf8)]
        for _ in 0..<3_000 {
            others.append(shared + Self.counterKey(Int.random(in: 0..<60_000, using: &rng) | 1))
            others.append(Array(shared.prefix(Int.random(in: 0...shared.count, using: &rng))) + rng.bytes(Int.random(in: 0...6, using: &rng)))
        }
        for (n, key) in others.enumerated() {
            try engine.put(key, [UInt8(n & 0xFF)])
            model.put(key, [UInt8(n & 0xFF)])
            if n % 3 == 0 {
                let victim = shared + Self.counterKey(Int.random(in: 0..<30_000, using: &rng) * 2)
                try engine.delete(victim)
                _ = model.delete(victim)
            }
        }
        try Self.expectMatches(engine, model, "seed \(seed), mixed prefixes")
        for key in others + [shared + Self.counterKey(60_001), Array(shared.prefix(5)) + [0xFF]] {
            #expect(try engine.get(key) == model.values[key], "seed \(seed): get \(key)")
        }
    }

    /// A prefix skip longer than a key, or on an empty node, is rejected when the page is read.
    @Test func nodeLayoutRejectsAnImpossiblePrefixSkip() throws {
        let memory = UnsafeMutableRawPointer.allocate(byteCount: 4096, alignment: 16)
        defer { memory.deallocate() }
        let node = BTreeNode(Page(base: memory, size: 4096))
        node.initialize(leaf: true, id: 9)
        try node.validateLayout()
        node.prefixSkip = 1
        #expect(throws: StorageError.self) { try node.validateLayout() }
        node.prefixSkip = 0
        for key in [Array("ab1".utf8), Array("ab2".utf8), Array("ab3".utf8)] {
            var cell = [UInt8](repeating: 0, count: LeafCell.size(keyCount: key.count, valueCount: 1, overflow: false))
            cell.withUnsafeMutableBytes { target in
                key.withUnsafeBytes { k in
                    [UInt8(7)].withUnsafeBytes { v in
                        _ = LeafCell.write(to: target.baseAddress!, key: k, value: v, overflowPage: .none, valueCount: 1)
                    }
                }
            }
            cell.withUnsafeBytes { node.appendCell($0) }
        }
        node.adoptCommonPrefix()
        #expect(node.prefixSkip == 2)
        try node.validateLayout()
        node.prefixSkip = 4
        #expect(throws: StorageError.self) { try node.validateLayout() }
    }
}
