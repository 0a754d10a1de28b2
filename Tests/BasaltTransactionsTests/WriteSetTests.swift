import BasaltStorage
import Testing
@testable import BasaltTransactions

/// The write set's key order: against a dictionary model with byte-wise sorting, through ascending
/// runs (no sort), random orders, savepoint rollbacks and range queries. Failures name the seed.
@Suite struct WriteSetTests {
    static func key(_ rng: inout SeededRandom) -> [UInt8] {
        (0..<Int.random(in: 0...12, using: &rng)).map { _ in UInt8.random(in: 0...3, using: &rng) * 85 }
    }

    static func sortedModel(_ model: [[UInt8]: WriteSet.Write]) -> [[UInt8]] {
        model.keys.sorted { $0.lexicographicallyPrecedes($1) }
    }

    @Test(arguments: [UInt64(1), 2, 3, 4, 5])
    func keysComeBackInByteOrder(seed: UInt64) {
        var rng = SeededRandom(seed: seed)
        var writes = WriteSet()
        var model: [[UInt8]: WriteSet.Write] = [:]
        var savepoints: [(position: Int, model: [[UInt8]: WriteSet.Write])] = []
        var counter: UInt32 = 0
        var adopted = 0
        for step in 0..<3000 {
            let context = "seed \(seed), step \(step)"
            var choice = Int.random(in: 0..<104, using: &rng)
            // Keys out of order only in the second half: a tree whose writes ascend takes runs over.
            if step < 1500, (40..<75).contains(choice) { choice = 0 }
            switch choice {
            case 100..<104:
                // A sorted run handed over (CREATE INDEX's entries): above every buffered key, or random
                // keys that may repeat or fall among the others, when the write set must refuse it.
                var list = PairList(valueGap: Bool.random(using: &rng) ? VersionFormat.headerSize : 0)
                var run: [([UInt8], [UInt8])] = []
                let above = Bool.random(using: &rng) || step < 1500
                for _ in 0..<Int.random(in: 0...20, using: &rng) {
                    let key: [UInt8]
                    if above {
                        counter += UInt32.random(in: 1...3, using: &rng)
                        key = withUnsafeBytes(of: counter.bigEndian) { Array($0) }
                    } else {
                        key = Self.key(&rng)
                    }
                    let value = [UInt8](repeating: UInt8(step % 251), count: Int.random(in: 0...5, using: &rng))
                    key.withUnsafeBytes { k in value.withUnsafeBytes { list.append(key: k, value: $0) } }
                    run.append((key, value))
                }
                list.sort()
                let keys = Set(run.map(\.0))
                let maxBuffered = Self.sortedModel(model).last
                let mayAdopt = keys.count == run.count && list.valueGap == VersionFormat.headerSize
                    && (writes.count == 0 || (writes.trees.first?.ascending ?? true)
                        && run.allSatisfy { pair in maxBuffered.map { $0.lexicographicallyPrecedes(pair.0) } ?? true })
                let countBefore = writes.count
                if writes.adopt(.keyValue, &list) {
                    #expect(mayAdopt || run.isEmpty, "adopted a run it had to refuse, \(context)")
                    #expect(list.count == 0, "the adopted list still holds its pairs, \(context)")
                    adopted += run.isEmpty ? 0 : 1
                } else {
                    #expect(!mayAdopt, "refused a run it could adopt, \(context)")
                    #expect(writes.count == countBefore, "a refused run changed the write set, \(context)")
                    for i in 0..<list.count {
                        let (key, value) = list.pair(i)
                        writes.record(.keyValue, key, value)
                    }
                }
                for (key, value) in run { model[key] = .put(value) }
            case 0..<40:
                // Ascending keys, as a bulk insert by primary key writes them.
                counter += UInt32.random(in: 1...3, using: &rng)
                let key = withUnsafeBytes(of: counter.bigEndian) { Array($0) }
                writes.record(.keyValue, key, .put([1]))
                model[key] = .put([1])
            case 40..<75:
                let key = Self.key(&rng)
                // Values of varying length: rewrites fit in place or take a new record.
                let write: WriteSet.Write = Bool.random(using: &rng)
                    ? .delete : .put([UInt8](repeating: UInt8(step % 251), count: Int.random(in: 0...6, using: &rng)))
                writes.record(.keyValue, key, write)
                model[key] = write
            case 75..<80:
                writes.isJournaling = true
                savepoints.append((writes.journal.count, model))
            case 80..<84:
                if let savepoint = savepoints.popLast() {
                    writes.rollBack(to: savepoint.position)
                    model = savepoint.model
                }
            case 84..<92:
                let expected = Self.sortedModel(model)
                #expect(writes.sortedKeys(.keyValue) == expected, "sorted keys differ, \(context)")
                #expect(writes.count == model.count, "count differs, \(context)")
                for _ in 0..<4 {
                    let probe = Self.key(&rng)
                    #expect(writes.write(.keyValue, probe) == model[probe], "lookup differs, \(context)")
                }
                if let known = model.keys.randomElement(using: &rng) {
                    #expect(writes.write(.keyValue, known) == model[known], "lookup differs, \(context)")
                }
            default:
                var a: [UInt8]? = Self.key(&rng), b: [UInt8]? = Self.key(&rng)
                if Bool.random(using: &rng) { a = nil }
                if Bool.random(using: &rng) { b = nil }
                let expected = Self.sortedModel(model).filter { key in
                    (a.map { !key.lexicographicallyPrecedes($0) } ?? true) && (b.map { key.lexicographicallyPrecedes($0) } ?? true)
                }
                #expect(Array(writes.sortedKeys(.keyValue, lower: a, upper: b)) == expected, "range differs, \(context)")
            }
        }
        #expect(adopted > 5, "seed \(seed): only \(adopted) runs were taken over")
        let all = writes.allSorted()
        #expect(all.map(\.key) == Self.sortedModel(model), "allSorted keys differ, seed \(seed)")
        #expect(all.allSatisfy { model[$0.key] == $0.write }, "allSorted writes differ, seed \(seed)")
    }

    /// Bulk-insert-shaped writes to several trees at once (ascending keys per tree, interleaved, with
    /// rewrites of the last key, keys out of order, adopted runs and savepoint rollbacks), against a
    /// model per tree: the fast path for a key past a tree's last one must answer exactly as a lookup.
    @Test(arguments: [UInt64(11), 12, 13, 14])
    func interleavedAscendingTreesMatchTheirModels(seed: UInt64) {
        var rng = SeededRandom(seed: seed)
        var writes = WriteSet()
        let slots: [RootSlot] = [.keyValue, .catalog, .meta]
        var models: [RootSlot: [[UInt8]: WriteSet.Write]] = [:]
        var counters: [RootSlot: UInt32] = [:]
        var savepoints: [(position: Int, models: [RootSlot: [[UInt8]: WriteSet.Write]])] = []
        for step in 0..<4000 {
            let context = "seed \(seed), step \(step)"
            // Mostly one tree at a time, as a statement writes a table; sometimes another.
            let tree = Int.random(in: 0..<10, using: &rng) < 8 ? slots[(step / 200) % slots.count] : slots.randomElement(using: &rng)!
            let choice = Int.random(in: 0..<100, using: &rng)
            switch choice {
            case 0..<60:
                counters[tree, default: 0] += UInt32.random(in: 1...3, using: &rng)
                let key = withUnsafeBytes(of: counters[tree]!.bigEndian) { Array($0) }
                #expect(writes.write(tree, key) == models[tree]?[key], "lookup before the write differs, \(context)")
                let value = [UInt8](repeating: UInt8(step % 251), count: Int.random(in: 0...4, using: &rng))
                writes.record(tree, key, .put(value))
                models[tree, default: [:]][key] = .put(value)
            case 60..<68:
                // The tree's last key again (rewritten in place or moved to a new record).
                guard let counter = counters[tree] else { continue }
                let key = withUnsafeBytes(of: counter.bigEndian) { Array($0) }
                let write: WriteSet.Write = Bool.random(using: &rng) ? .delete : .put([UInt8](repeating: 7, count: Int.random(in: 0...8, using: &rng)))
                writes.record(tree, key, write)
                models[tree, default: [:]][key] = write
            case 68..<71:
                // A key below the tree's counter: out of order (the tree stops ascending).
                let key = withUnsafeBytes(of: UInt32.random(in: 0...(counters[tree] ?? 0), using: &rng).bigEndian) { Array($0) }
                writes.record(tree, key, .put([9]))
                models[tree, default: [:]][key] = .put([9])
            case 71..<74:
                var list = PairList(valueGap: VersionFormat.headerSize)
                var run: [[UInt8]] = []
                for _ in 0..<Int.random(in: 1...10, using: &rng) {
                    counters[tree, default: 0] += UInt32.random(in: 1...3, using: &rng)
                    let key = withUnsafeBytes(of: counters[tree]!.bigEndian) { Array($0) }
                    key.withUnsafeBytes { k in [UInt8]([5]).withUnsafeBytes { list.append(key: k, value: $0) } }
                    run.append(key)
                }
                list.sort()
                if !writes.adopt(tree, &list) {
                    for i in 0..<list.count {
                        let (key, value) = list.pair(i)
                        writes.record(tree, key, value)
                    }
                }
                for key in run { models[tree, default: [:]][key] = .put([5]) }
            case 74..<78:
                writes.isJournaling = true
                savepoints.append((writes.journal.count, models))
            case 78..<82:
                if let savepoint = savepoints.popLast() {
                    writes.rollBack(to: savepoint.position)
                    models = savepoint.models
                }
            default:
                let model = models[tree] ?? [:]
                if let known = model.keys.randomElement(using: &rng) {
                    #expect(writes.write(tree, known) == model[known], "lookup differs, \(context)")
                    var found: WriteSet.Entry?
                    known.withUnsafeBytes { found = writes.findInPlace(tree, $0) }
                    #expect(found.map(\.write) == model[known], "in-place lookup differs, \(context)")
                }
                let past = withUnsafeBytes(of: ((counters[tree] ?? 0) + 1).bigEndian) { Array($0) }
                #expect(writes.write(tree, past) == nil, "a key past the last one was found, \(context)")
            }
        }
        var total = 0
        for tree in slots {
            let expected = Self.sortedModel(models[tree] ?? [:])
            #expect(writes.sortedKeys(tree) == expected, "seed \(seed): keys of \(tree) differ")
            total += expected.count
        }
        #expect(writes.count == total, "seed \(seed): count differs")
    }

    @Test func sortingMatchesLexicographicOrderOnSharedPrefixes() {
        var rng = SeededRandom(seed: 42)
        // Long shared prefixes force the whole-key comparison after the 8-byte prefix ties.
        let keys = (0..<2000).map { _ in [UInt8](repeating: 7, count: Int.random(in: 0...10, using: &rng)) + Self.key(&rng) }
        var writes = WriteSet()
        for key in keys { writes.record(.keyValue, key, .put(key)) }
        let unique = Array(Set(keys)).sorted { $0.lexicographicallyPrecedes($1) }
        #expect(writes.sortedKeys(.keyValue) == unique)
        #expect(writes.allSorted().allSatisfy { $0.write == .put($0.key) }, "a key lost its value")
    }
}

extension WriteSetTests {
    @Test func rewriteAfterSavepointRollsBack() {
        var writes = WriteSet()
        writes.record(.keyValue, [1], .put([10]))
        writes.isJournaling = true
        let position = writes.journal.count
        writes.record(.keyValue, [1], .put([40]))
        #expect(writes.write(.keyValue, [1]) == .put([40]))
        writes.rollBack(to: position)
        #expect(writes.write(.keyValue, [1]) == .put([10]))
    }

    /// A run is taken over only above every buffered key of an ascending tree, sorted without equal
    /// keys and with a version header's room; a savepoint rollback removes a taken-over run.
    @Test func runsAreTakenOverOnlyWhereTheyKeepTheOrder() {
        func list(_ keys: [[UInt8]], gap: Int = VersionFormat.headerSize) -> PairList {
            var list = PairList(valueGap: gap)
            for key in keys { key.withUnsafeBytes { k in key.withUnsafeBytes { list.append(key: k, value: $0) } } }
            list.sort()
            return list
        }
        var writes = WriteSet()
        writes.record(.keyValue, [5], .put([1]))
        writes.record(.keyValue, [9], .put([1]))
        var below = list([[7], [10]])
        #expect(!writes.adopt(.keyValue, &below) && below.count == 2)
        var equal = list([[9], [12]])
        #expect(!writes.adopt(.keyValue, &equal))
        var repeated = list([[12], [12]])
        #expect(!writes.adopt(.keyValue, &repeated))
        var noRoom = list([[12]], gap: 0)
        #expect(!writes.adopt(.keyValue, &noRoom))
        #expect(writes.count == 2)
        writes.isJournaling = true
        let position = writes.journal.count
        var above = list([[11], [10, 1]])
        #expect(writes.adopt(.keyValue, &above) && above.count == 0)
        #expect(writes.sortedKeys(.keyValue) == [[5], [9], [10, 1], [11]])
        #expect(writes.write(.keyValue, [11]) == .put([11]) && writes.write(.keyValue, [10, 1]) == .put([10, 1]))
        // Another tree's first run needs no order against this one's keys.
        var other = list([[1], [2]])
        #expect(writes.adopt(.history, &other))
        #expect(writes.count == 6)
        writes.rollBack(to: position)
        #expect(writes.sortedKeys(.keyValue) == [[5], [9]] && writes.count == 2)
        #expect(writes.write(.history, [1]) == nil)

        // A tree whose keys came out of order (so a hash index finds them), emptied by a rollback,
        // takes a run over and finds its keys again.
        var fresh = WriteSet()
        fresh.isJournaling = true
        fresh.record(.keyValue, [8], .put([1]))
        fresh.record(.keyValue, [3], .put([1]))
        fresh.rollBack(to: 0)
        var run = list([[4], [6]])
        #expect(fresh.adopt(.keyValue, &run))
        #expect(fresh.write(.keyValue, [4]) == .put([4]) && fresh.write(.keyValue, [6]) == .put([6]))
        fresh.record(.keyValue, [5], .put([9]))
        #expect(fresh.sortedKeys(.keyValue) == [[4], [5], [6]] && fresh.write(.keyValue, [5]) == .put([9]))
    }
}
