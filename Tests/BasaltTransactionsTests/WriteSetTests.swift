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
        for step in 0..<3000 {
            let context = "seed \(seed), step \(step)"
            switch Int.random(in: 0..<100, using: &rng) {
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
        let all = writes.allSorted()
        #expect(all.map(\.key) == Self.sortedModel(model), "allSorted keys differ, seed \(seed)")
        #expect(all.allSatisfy { model[$0.key] == $0.write }, "allSorted writes differ, seed \(seed)")
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
}
