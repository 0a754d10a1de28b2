import Testing
@testable import BasaltStorage

/// `PairList.sort` against the standard library's stable sort by `compareKeys`: keys with long shared
/// prefixes, keys shorter than eight bytes past the prefix (zero padding must not reorder them), ties
/// on the radix word broken by later bytes, duplicates keeping their order, inputs already sorted.
@Suite struct PairListTests {
    static func key(_ rng: inout SeededRandom, shape: Int) -> [UInt8] {
        let prefix: [UInt8] = [0, 0, 0, 7, 0x80]
        switch shape {
        case 0: // an index entry: a small integer, then a row key
            return prefix + [0, 0, UInt8.random(in: 0...3, using: &rng), UInt8.random(in: 0...255, using: &rng)]
                + [0x80, 0, 0, UInt8.random(in: 0...15, using: &rng), UInt8.random(in: 0...255, using: &rng)]
        case 1: // short keys, zero bytes included
            return prefix + (0..<Int.random(in: 0...3, using: &rng)).map { _ in UInt8.random(in: 0...2, using: &rng) }
        case 2: // ties in the first eight bytes after the prefix, differing later
            return prefix + [UInt8](repeating: 1, count: 8) + rng.bytes(Int.random(in: 0...4, using: &rng))
        default:
            return rng.bytes(Int.random(in: 0...20, using: &rng))
        }
    }

    static func compare(_ a: [UInt8], _ b: [UInt8]) -> Int {
        a.withUnsafeBytes { x in b.withUnsafeBytes { y in compareKeys(x, y) } }
    }

    @Test func sortsLikeAStableComparisonSort() {
        let seed = UInt64.random(in: 0...UInt64.max)
        var rng = SeededRandom(seed: seed)
        for round in 0..<40 {
            let count = [0, 1, 2, 300, 5_000][round % 5]
            let shape = round % 4
            var pairs: [(key: [UInt8], value: [UInt8])] = (0..<count).map { i in
                (Self.key(&rng, shape: shape), withUnsafeBytes(of: UInt32(i)) { Array($0) })
            }
            if round % 3 == 0 { pairs.sort { Self.compare($0.key, $1.key) < 0 } }
            // Half the rounds keep a version header's room between each key and value (the layout a
            // write set takes over); the pairs must read the same.
            var list = PairList(valueGap: round % 2 == 0 ? 0 : 9)
            for (key, value) in pairs { key.withUnsafeBytes { k in value.withUnsafeBytes { list.append(key: k, value: $0) } } }
            #expect(!list.isStrictlyAscending || list.count == 0, "an unsorted list claims to ascend")
            list.sort()
            let distinct = Set(pairs.map(\.key)).count == pairs.count
            #expect(list.isStrictlyAscending == distinct, "seed \(seed) round \(round): isStrictlyAscending \(list.isStrictlyAscending), distinct keys \(distinct)")
            let expected = pairs.enumerated().sorted { a, b in
                let c = Self.compare(a.element.key, b.element.key)
                return c != 0 ? c < 0 : a.offset < b.offset
            }.map(\.element)
            #expect(list.count == expected.count)
            for i in 0..<min(list.count, expected.count) {
                let (key, value) = list.pair(i)
                if Array(key) != expected[i].key || Array(value) != expected[i].value {
                    Issue.record("seed \(seed) round \(round) (shape \(shape), \(count) pairs): pair \(i) out of place")
                    break
                }
            }
        }
    }

    /// Records keep `valueGap` bytes between key and value, and handing the list's memory to another
    /// arena keeps every record readable after the list is gone; a list whose memory a copy shares
    /// refuses to hand it over.
    @Test func recordsKeepTheirGapAndOutliveTheListOnceTransferred() {
        let owner = ByteArena()
        var records: [(base: UnsafeMutableRawPointer, keyCount: Int, valueCount: Int)] = []
        let pairs: [([UInt8], [UInt8])] = (0..<3000).map { i in
            (withUnsafeBytes(of: UInt32(2999 - i).bigEndian) { Array($0) }, [UInt8](repeating: UInt8(i % 251), count: i % 7))
        }
        do {
            var list = PairList(valueGap: 9)
            for (key, value) in pairs { key.withUnsafeBytes { k in value.withUnsafeBytes { list.append(key: k, value: $0) } } }
            #expect(list.maxKeyCount == 4 && list.maxValueCount == 6)
            list.sort()
            #expect(list.isStrictlyAscending)
            let shared = list
            let refused = !list.transferStorage(to: owner)
            #expect(refused, "handed over memory a copy still reads")
            #expect(shared.count == 3000 && list.count == 3000)
            records = (0..<list.count).map { list.record($0) }
            for (i, record) in records.enumerated() {
                let (key, value) = list.pair(i)
                #expect(key.baseAddress == UnsafeRawPointer(record.base) && value.baseAddress == UnsafeRawPointer(record.base + 4 + 9))
            }
            _ = consume shared
            let transferred = list.transferStorage(to: owner)
            #expect(transferred)
            #expect(list.count == 0 && !list.isStrictlyAscending)
        }
        for (i, record) in records.enumerated() {
            let expected = pairs[2999 - i]
            let key = Array(UnsafeRawBufferPointer(start: record.base, count: record.keyCount))
            let value = Array(UnsafeRawBufferPointer(start: record.base + record.keyCount + 9, count: record.valueCount))
            #expect(key == expected.0 && value == expected.1, "record \(i) changed after its list was gone")
        }
    }
}
