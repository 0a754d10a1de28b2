import Testing
@testable import BasaltStorage

/// Randomized operations against `SortedModel`, with the full integrity check after each phase and a
/// close/reopen in the middle. Failures name the seed and operation number for replay.
@Suite struct BTreeModelTests {
    struct Workload {
        var seed: UInt64
        var operations: Int
        var bufferPoolPages: Int
        var pageSize = 8192
        var phases = 10
    }

    /// Key sizes 1 B–2 KiB (mostly short), values 0 B–200 KiB (mostly small, some overflowing).
    static func randomKey(_ rng: inout SeededRandom, maxSize: Int = 2048) -> [UInt8] {
        let roll = Int.random(in: 0..<100, using: &rng)
        let length: Int
        switch roll {
        case 0..<70: length = Int.random(in: 1...16, using: &rng)
        case 70..<95: length = Int.random(in: 17...200, using: &rng)
        default: length = Int.random(in: 201...max(201, maxSize), using: &rng)
        }
        // A small alphabet in the first bytes makes shared prefixes and near-duplicates common.
        var key = rng.bytes(length)
        for i in 0..<min(2, length) { key[i] = UInt8(key[i] % 4) }
        return key
    }

    static func randomValue(_ rng: inout SeededRandom) -> [UInt8] {
        let roll = Int.random(in: 0..<1000, using: &rng)
        let length: Int
        switch roll {
        case 0..<700: length = Int.random(in: 0...100, using: &rng)
        case 700..<960: length = Int.random(in: 101...4096, using: &rng)
        case 960..<995: length = Int.random(in: 4097...40_000, using: &rng)
        default: length = Int.random(in: 40_001...200 * 1024, using: &rng)
        }
        return rng.bytes(length)
    }

    static func run(_ w: Workload) throws {
        let fs = SimulatedFileSystem()
        let options = StorageOptions(pageSize: w.pageSize, bufferPoolBytes: (w.bufferPoolPages + 3) * w.pageSize)
        var engine = try StorageEngine(fileSystem: fs, path: "model.db", options: options)
        var model = SortedModel()
        var rng = SeededRandom(seed: w.seed)
        let maxKey = min(2048, engine.maxKeySize)
        let perPhase = w.operations / w.phases
        for phase in 0..<w.phases {
            for step in 0..<perPhase {
                let op = phase * perPhase + step
                let where_ = "seed \(w.seed), operation \(op)"
                // Keep the live set around a few thousand keys: prefer deletes when it is large.
                let pressure = model.count > 3000 ? 20 : 0
                let roll = Int.random(in: 0..<100, using: &rng)
                let existing: [UInt8]? = model.count > 0 && Bool.random(using: &rng)
                    ? model.keys[Int.random(in: 0..<model.count, using: &rng)] : nil
                switch roll {
                case 0..<(45 - pressure):
                    let key = existing ?? randomKey(&rng, maxSize: maxKey)
                    let value = randomValue(&rng)
                    try engine.put(key, value)
                    model.put(key, value)
                case (45 - pressure)..<70:
                    let key = existing ?? randomKey(&rng, maxSize: maxKey)
                    let deleted = try engine.delete(key)
                    #expect(deleted == model.delete(key), "delete result differs at \(where_)")
                case 70..<90:
                    let key = existing ?? randomKey(&rng, maxSize: maxKey)
                    let got = try engine.get(key)
                    #expect(got == model.values[key], "get differs at \(where_)")
                default:
                    let a = Bool.random(using: &rng) ? nil : randomKey(&rng, maxSize: maxKey)
                    let b = Bool.random(using: &rng) ? nil : randomKey(&rng, maxSize: maxKey)
                    let (lower, upper) = (a != nil && b != nil && b!.lexicographicallyPrecedes(a!)) ? (b, a) : (a, b)
                    let reverse = Bool.random(using: &rng)
                    let limit = Int.random(in: 1...60, using: &rng)
                    var seen: [[UInt8]] = []
                    var valuesMatch = true
                    _ = try withOptional(lower) { l in
                        try withOptional(upper) { u in
                            try engine.scan(.keyValue, lower: l, upper: u, reverse: reverse) { k, v in
                                let key = Array(k)
                                if model.values[key] != Array(v) { valuesMatch = false }
                                seen.append(key)
                                return seen.count < limit
                            }
                        }
                    }
                    let expected = model.range(lower: lower, upper: upper, reverse: reverse, limit: limit)
                    #expect(seen == expected, "scan keys differ at \(where_)")
                    #expect(valuesMatch, "scan values differ at \(where_)")
                }
                if engine.pinnedPages != 0 {
                    Issue.record("pages left pinned after \(where_)")
                    return
                }
            }
            let report = try engine.checkIntegrity()
            #expect(report.problems.isEmpty, "integrity after phase \(phase), seed \(w.seed): \(report.problems.prefix(5))")
            #expect(report.trees["keyValue"]?.keys ?? 0 == model.count, "key count after phase \(phase), seed \(w.seed)")
            if !report.problems.isEmpty { return }
            if phase == w.phases / 2 {
                try engine.close()
                engine = try StorageEngine(fileSystem: fs, path: "model.db", options: options)
                let pairs = try engine.allPairs()
                #expect(pairs.map(\.0) == model.keys, "keys after reopen, seed \(w.seed)")
                #expect(pairs.allSatisfy { model.values[$0.0] == $0.1 }, "values after reopen, seed \(w.seed)")
            }
        }
        let pairs = try engine.allPairs()
        #expect(pairs.map(\.0) == model.keys, "final keys, seed \(w.seed)")
        try engine.close()
    }

    @Test func randomizedOperationsWithLargePool() throws {
        try Self.run(Workload(seed: 0xB7EE_0001, operations: 200_000, bufferPoolPages: 2048))
    }

    @Test func randomizedOperationsWith64PagePool() throws {
        try Self.run(Workload(seed: 0xB7EE_0002, operations: 200_000, bufferPoolPages: 64))
    }

    @Test(arguments: [4096, 16384, 65536])
    func randomizedOperationsAcrossPageSizes(pageSize: Int) throws {
        try Self.run(Workload(seed: 0xB7EE_0100 + UInt64(pageSize), operations: 10_000, bufferPoolPages: 64,
                              pageSize: pageSize, phases: 4))
    }
}

func withOptional<R>(_ bytes: [UInt8]?, _ body: (UnsafeRawBufferPointer?) throws -> R) rethrows -> R {
    guard let bytes else { return try body(nil) }
    return try bytes.withUnsafeBytes { try body($0) }
}
