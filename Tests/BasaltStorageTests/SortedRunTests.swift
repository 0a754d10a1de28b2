import Testing
@testable import BasaltStorage

/// `StorageEngine.putSorted`: sorted batches written a leaf-sized run at a time, in a storage
/// transaction. Checked against a sorted-dictionary model: contents, the replaced values it reports,
/// tree invariants, rollback, and crashes before and after the commit record. Failures name the seed.
@Suite struct SortedRunTests {
    /// Keys clustered in a few prefixes (so batches land both between and after existing keys), of
    /// varied lengths.
    static func randomKey(_ rng: inout SeededRandom) -> [UInt8] {
        let cluster = UInt8(Int.random(in: 0..<4, using: &rng) * 60)
        return [cluster] + rng.bytes(Int.random(in: 1...24, using: &rng))
    }

    /// Mostly small values; some large enough for overflow chains.
    static func randomValue(_ rng: inout SeededRandom, pageSize: Int) -> [UInt8] {
        switch Int.random(in: 0..<100, using: &rng) {
        case 0..<80: return rng.bytes(Int.random(in: 0...120, using: &rng))
        case 80..<97: return rng.bytes(Int.random(in: 121...900, using: &rng))
        default: return rng.bytes(Int.random(in: pageSize...(3 * pageSize), using: &rng))
        }
    }

    /// A sorted, unique batch: new keys (some in ascending runs) and existing ones.
    static func batch(_ rng: inout SeededRandom, model: SortedModel, size: Int, pageSize: Int) -> [(key: [UInt8], value: [UInt8])] {
        var chosen: [[UInt8]: [UInt8]] = [:]
        var base = randomKey(&rng)
        while chosen.count < size {
            let key: [UInt8]
            switch Int.random(in: 0..<10, using: &rng) {
            case 0..<3 where model.count > 0:
                key = model.keys[Int.random(in: 0..<model.count, using: &rng)]
            case 3..<7:
                // Ascending neighbours, like sequential ids.
                base = base + [UInt8.random(in: 0...255, using: &rng)]
                if base.count > 30 { base = randomKey(&rng) }
                key = base
            default:
                key = randomKey(&rng)
            }
            chosen[key] = randomValue(&rng, pageSize: pageSize)
        }
        return chosen.map { ($0.key, $0.value) }.sorted { $0.key.lexicographicallyPrecedes($1.key) }
    }

    /// An engine on a simulated file holding `pairs` random keys with values from `value`, its model,
    /// and the random source to go on with.
    static func filled(seed: UInt64, pageSize: Int, path: String, pairs: Int,
                       value: (inout SeededRandom) -> [UInt8]) throws
        -> (SimulatedFileSystem, StorageOptions, StorageEngine, SortedModel, SeededRandom) {
        let fs = SimulatedFileSystem()
        let options = StorageOptions(pageSize: pageSize, bufferPoolBytes: 64 * pageSize)
        let engine = try StorageEngine(fileSystem: fs, path: path, options: options)
        var model = SortedModel()
        var rng = SeededRandom(seed: seed)
        for _ in 0..<pairs {
            let key = randomKey(&rng), bytes = value(&rng)
            try engine.put(key, bytes)
            model.put(key, bytes)
        }
        return (fs, options, engine, model, rng)
    }

    static func expectMatches(_ engine: StorageEngine, _ model: SortedModel, _ context: String) throws {
        let pairs = try engine.allPairs()
        let keysMatch = pairs.map(\.0) == model.keys
        #expect(keysMatch, "keys differ \(context): \(pairs.count) in the tree, \(model.count) in the model")
        #expect(pairs.allSatisfy { model.values[$0.0] == $0.1 }, "values differ \(context)")
        let report = try engine.checkIntegrity()
        #expect(report.problems.isEmpty, "integrity \(context): \(report.problems.prefix(5))")
        #expect(engine.pinnedPages == 0, "pages left pinned \(context)")
    }

    @Test(arguments: [(UInt64(1), 4096), (UInt64(2), 8192), (UInt64(3), 4096)])
    func batchesMatchTheModelAndReportReplacedValues(seed: UInt64, pageSize: Int) throws {
        let (fs, options, engine, filledModel, filledRandom) = try Self.filled(seed: seed, pageSize: pageSize, path: "runs.db",
                                                                                pairs: 300) { $0.bytes(Int.random(in: 0...80, using: &$0)) }
        var model = filledModel, rng = filledRandom
        for round in 0..<12 {
            let context = "seed \(seed), round \(round)"
            let pairs = Self.batch(&rng, model: model, size: Int.random(in: 1...800, using: &rng), pageSize: pageSize)
            let id = try engine.beginTransaction()
            var reported: [Int: [UInt8]?] = [:]
            try engine.putSorted(.keyValue, pairs, transaction: id) { index, old in
                #expect(reported[index] == nil, "index \(index) reported twice, \(context)")
                reported[index] = old
            }
            #expect(reported.count == pairs.count, "every pair reported once, \(context)")
            for (index, pair) in pairs.enumerated() where reported[index].flatMap({ $0 }) != model.values[pair.key] {
                Issue.record("replaced value of pair \(index) differs, \(context)")
                break
            }
            if round % 3 == 2 {
                try engine.rollback(id)
                try Self.expectMatches(engine, model, "after rollback, \(context)")
            } else {
                _ = try engine.commit(id)
                for pair in pairs { model.put(pair.key, pair.value) }
                try Self.expectMatches(engine, model, "after commit, \(context)")
            }
        }
        try engine.close()
        let reopened = try StorageEngine(fileSystem: fs, path: "runs.db", options: options)
        try Self.expectMatches(reopened, model, "after reopen, seed \(seed)")
        try reopened.close()
    }

    /// A batch holding one key or value over the tree's limits, anywhere in it, is refused with the
    /// typed error before any pair is written.
    @Test(arguments: [UInt64(5), 6])
    func anOversizePairRefusesTheWholeBatch(seed: UInt64) throws {
        let (_, _, engine, model, filledRandom) = try Self.filled(seed: seed, pageSize: 4096, path: "limits.db", pairs: 200) {
            $0.bytes(Int.random(in: 0...40, using: &$0))
        }
        var rng = filledRandom
        for tooLong in ["key", "value"] {
            var pairs = Self.batch(&rng, model: model, size: 300, pageSize: 4096)
            let victim = Int.random(in: 0..<pairs.count, using: &rng)
            if tooLong == "key" {
                pairs[victim].key += [UInt8](repeating: 7, count: engine.pager.limits.maxKeySize + 1 - pairs[victim].key.count)
                pairs.sort { $0.key.lexicographicallyPrecedes($1.key) }
            } else {
                pairs[victim].value = [UInt8](repeating: 7, count: BTreeLimits.maxValueSize + 1)
            }
            let id = try engine.beginTransaction()
            #expect(throws: StorageError.self, "seed \(seed): an oversize \(tooLong) at \(victim)") {
                try engine.putSorted(.keyValue, pairs, transaction: id)
            }
            try Self.expectMatches(engine, model, "seed \(seed), oversize \(tooLong), before rollback")
            try engine.rollback(id)
        }
    }

    /// A crash with the batch's runs in the log (some pages written back early) but no commit record
    /// recovers to the state before; with the commit record durable, to the state after.
    @Test(arguments: [UInt64(11), 12, 13, 14])
    func crashesRecoverToBeforeOrAfterTheBatch(seed: UInt64) throws {
        let fs = SimulatedFileSystem()
        // A small pool, so the batch evicts (and writes back) pages of uncommitted runs.
        let options = StorageOptions(pageSize: 4096, bufferPoolBytes: 24 * 4096)
        var rng = SeededRandom(seed: seed)
        var model = SortedModel()
        do {
            let engine = try StorageEngine(fileSystem: fs, path: "crash.db", options: options)
            for _ in 0..<200 {
                let key = Self.randomKey(&rng), value = rng.bytes(Int.random(in: 0...60, using: &rng))
                try engine.put(key, value)
                model.put(key, value)
            }
            try engine.flush()
            let pairs = Self.batch(&rng, model: model, size: 600, pageSize: 4096)
            let id = try engine.beginTransaction()
            try engine.putSorted(.keyValue, pairs, transaction: id)
            if seed % 2 == 0 {
                let lsn = try engine.commit(id)
                if let lsn { try engine.log.flush(covering: lsn) }
                for pair in pairs { model.put(pair.key, pair.value) }
            } else {
                try engine.flush()
            }
        }
        fs.crash(seed: seed)
        let recovered = try StorageEngine(fileSystem: fs, path: "crash.db", options: options)
        try Self.expectMatches(recovered, model, "after crash, seed \(seed) (\(seed % 2 == 0 ? "committed" : "not committed"))")
        if seed % 2 == 1 {
            #expect(recovered.recovery.rolledBackTransactions == 1, "the batch's transaction is rolled back, seed \(seed)")
        }
        try recovered.close()
    }
}

extension SortedRunTests {
    /// Writes `pairs` in a transaction that rolls back, then in one that commits, checking the engine
    /// against `model` after each.
    static func rollBackThenCommit(_ pairs: [(key: [UInt8], value: [UInt8])], _ engine: StorageEngine,
                                   _ model: inout SortedModel, _ context: String) throws {
        let rolledBack = try engine.beginTransaction()
        try engine.putSorted(.keyValue, pairs, transaction: rolledBack)
        try engine.rollback(rolledBack)
        try expectMatches(engine, model, "after rollback, \(context)")
        let committed = try engine.beginTransaction()
        try engine.putSorted(.keyValue, pairs, transaction: committed)
        _ = try engine.commit(committed)
        for pair in pairs { model.put(pair.key, pair.value) }
        try expectMatches(engine, model, "after commit, \(context)")
    }

    /// Runs that only append new keys past the end of their leaf are undone by removing their key range
    /// (`UndoAction.removeRange`). Batches of ascending keys past the tree's last key, into gaps between
    /// existing keys, and both at once, each rolled back (all of its keys gone, every older key kept,
    /// including those just past a run's range), then committed; and one left uncommitted through a
    /// crash. Checked against the model after each step.
    @Test(arguments: [(UInt64(31), 4096), (UInt64(32), 8192)])
    func appendOnlyRunsRollBackToExactlyTheirKeys(seed: UInt64, pageSize: Int) throws {
        let fs = SimulatedFileSystem()
        let options = StorageOptions(pageSize: pageSize, bufferPoolBytes: 32 * pageSize)
        var rng = SeededRandom(seed: seed)
        func key(_ n: Int) -> [UInt8] { withUnsafeBytes(of: UInt32(n).bigEndian) { Array($0) } }
        var model = SortedModel()
        var engine = try StorageEngine(fileSystem: fs, path: "append.db", options: options)
        // Even numbers: every odd number is a gap between existing keys.
        for n in stride(from: 0, to: 3000, by: 2) {
            let value = rng.bytes(Int.random(in: 0...60, using: &rng))
            try engine.put(key(n), value)
            model.put(key(n), value)
        }
        var top = 3000
        for round in 0..<9 {
            let context = "seed \(seed), round \(round)"
            var numbers: [Int] = []
            if round % 3 != 1 {
                // Past the end: a bulk insert's ascending ids.
                numbers += (top..<(top + Int.random(in: 200...900, using: &rng)))
            }
            if round % 3 != 0 {
                // Odd numbers in a stretch of existing keys, some runs of them consecutive.
                let from = Int.random(in: 0..<1000, using: &rng) * 2 + 1
                numbers += stride(from: from, to: min(from + 1200, top), by: 2).filter { _ in Int.random(in: 0..<3, using: &rng) > 0 }
            }
            numbers.sort()
            let pairs = numbers.map { (key: key($0), value: rng.bytes(Int.random(in: 0...60, using: &rng))) }
            try Self.rollBackThenCommit(pairs, engine, &model, context)
            top = max(top, (numbers.last ?? 0) + 1)
        }
        // Uncommitted at the crash, with pages of its runs written back by the small pool.
        let pairs = (top..<(top + 1500)).map { (key: key($0), value: rng.bytes(40)) }
        let id = try engine.beginTransaction()
        try engine.putSorted(.keyValue, pairs, transaction: id)
        try engine.flush()
        fs.crash(seed: seed)
        engine = try StorageEngine(fileSystem: fs, path: "append.db", options: options)
        try Self.expectMatches(engine, model, "after crash, seed \(seed)")
        #expect(engine.recovery.rolledBackTransactions == 1, "the appended batch is rolled back, seed \(seed)")
        try engine.close()
    }
}

extension SortedRunTests {
    /// One logged operation chains runs that appended until their leaf split, but only below the first
    /// leaf's upper bound: past it lie older keys, which the operation's key-range undo must not cover.
    /// Older keys are big (a few per leaf, so leaf bounds fall between them); each batch appends a
    /// ascending stretch after some of them, skipping others, and is rolled back (every older key
    /// must survive) and then committed. Checked against the model after each step.
    @Test(arguments: [UInt64(41), 42, 43])
    func chainedRunsStopAtTheFirstLeafsUpperBound(seed: UInt64) throws {
        let fs = SimulatedFileSystem()
        let options = StorageOptions(pageSize: 4096, bufferPoolBytes: 512 * 4096)
        let engine = try StorageEngine(fileSystem: fs, path: "chain.db", options: options)
        var rng = SeededRandom(seed: seed)
        func key(_ n: Int) -> [UInt8] { withUnsafeBytes(of: UInt32(n).bigEndian) { Array($0) } }
        var model = SortedModel()
        let big = engine.pager.limits.maxInlineLeafCell - 32
        for b in 0..<80 {
            let value = rng.bytes(Int.random(in: big / 2...big, using: &rng))
            try engine.put(key(b * 10_000), value)
            model.put(key(b * 10_000), value)
        }
        for round in 0..<6 {
            let context = "seed \(seed), round \(round)"
            var numbers: [Int] = []
            for b in 0..<80 where Bool.random(using: &rng) {
                let from = b * 10_000 + 1 + round * 1_500
                numbers += from..<(from + Int.random(in: 20...300, using: &rng))
            }
            // Values of a few hundred bytes: a dozen per leaf, so stretches often end on a split.
            let pairs = numbers.map { (key: key($0), value: rng.bytes(Int.random(in: 150...400, using: &rng))) }
            try Self.rollBackThenCommit(pairs, engine, &model, context)
        }
        try engine.close()
    }
}

extension SortedRunTests {
    /// `StorageEngine.visitSorted`: sorted lookups sharing leaf descents return exactly what one
    /// point read per key returns — present, absent and repeated keys, overflow values, keys on both
    /// sides of leaf boundaries — against the model.
    @Test(arguments: [(UInt64(21), 4096), (UInt64(22), 8192)])
    func sortedLookupsMatchPointReads(seed: UInt64, pageSize: Int) throws {
        let (_, _, engine, model, filledRandom) = try Self.filled(seed: seed, pageSize: pageSize, path: "lookups.db",
                                                                  pairs: 3000) { Self.randomValue(&$0, pageSize: pageSize) }
        var rng = filledRandom
        for round in 0..<40 {
            var probes: [[UInt8]] = []
            for _ in 0..<Int.random(in: 0...600, using: &rng) {
                if Bool.random(using: &rng), model.count > 0 {
                    probes.append(model.keys[Int.random(in: 0..<model.count, using: &rng)])
                } else {
                    probes.append(Self.randomKey(&rng))
                }
            }
            probes.sort { $0.lexicographicallyPrecedes($1) }
            var seen: [(Int, [UInt8])] = []
            // The probes back to back in one buffer the lookups can hold throughout.
            let packed = probes.flatMap { $0 }
            let ends = probes.reduce(into: [Int]()) { $0.append(($0.last ?? 0) + $1.count) }
            try packed.withUnsafeBytes { raw in
                try engine.visitSorted(.keyValue, count: probes.count,
                                       key: { UnsafeRawBufferPointer(rebasing: raw[($0 == 0 ? 0 : ends[$0 - 1])..<ends[$0]]) }) {
                    seen.append(($0, Array($1)))
                }
            }
            let expected = probes.enumerated().compactMap { i, key in model.values[key].map { (i, $0) } }
            let firstDifference = (0..<min(seen.count, expected.count)).first {
                seen[$0].0 != expected[$0].0 || seen[$0].1 != expected[$0].1
            }
            #expect(seen.count == expected.count && firstDifference == nil,
                    "\(seen.count) keys found, \(expected.count) expected, first difference at \(firstDifference ?? -1), seed \(seed), round \(round)")
            #expect(engine.pinnedPages == 0, "pages left pinned, seed \(seed), round \(round)")
        }
        try engine.close()
    }
}
