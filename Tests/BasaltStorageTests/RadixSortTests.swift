@testable import BasaltStorage
import Testing

/// `RadixSort` against the standard library's sort, over sizes around its small-input cutoff and key
/// sets that vary in few or all bytes (so passes are skipped, and counted odd and even); keyed elements
/// must keep the order of equal keys (the sort is stable).
@Suite struct RadixSortTests {
    static let masks: [UInt64] = [0xFF, 0xFF00, 0xFFFF, 0xF_FFFF_FFFF, 0xFF00_0000_0000_00FF, ~0]
    static let counts = [0, 1, 2, 255, 256, 257, 1_000, 20_000]

    @Test func sortsLikeTheStandardLibrary() {
        let seed = UInt64.random(in: 0...UInt64.max)
        var rng = SeededRandom(seed: seed)
        for count in Self.counts {
            for mask in Self.masks {
                let base = UInt64.random(in: 0...UInt64.max, using: &rng) & ~mask
                var values = (0..<count).map { _ in base | (UInt64.random(in: 0...UInt64.max, using: &rng) & mask) }
                let expected = values.sorted()
                RadixSort.sort(&values)
                #expect(values == expected, "seed \(seed): \(count) values under mask \(String(mask, radix: 16))")
            }
        }
    }

    @Test func keyedElementsSortStably() {
        let seed = UInt64.random(in: 0...UInt64.max)
        var rng = SeededRandom(seed: seed)
        for count in Self.counts {
            for mask in Self.masks {
                // Few distinct keys, so most of them tie.
                let distinct = (0..<max(1, count / 8)).map { _ in UInt64.random(in: 0...UInt64.max, using: &rng) & mask }
                var elements = (0..<count).map { RadixSort.Keyed(key: distinct.randomElement(using: &rng)!, index: UInt32($0)) }
                let expected = elements.enumerated().sorted { a, b in
                    a.element.key != b.element.key ? a.element.key < b.element.key : a.offset < b.offset
                }.map(\.element.index)
                RadixSort.sort(&elements)
                #expect(elements.map(\.index) == expected, "seed \(seed): \(count) elements under mask \(String(mask, radix: 16))")
            }
        }
    }
}
