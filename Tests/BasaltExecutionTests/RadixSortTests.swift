@testable import BasaltExecution
import Testing

/// `RadixSort` against the standard library's sort, over sizes around its small-input cutoff and value
/// sets that vary in few or all bytes (so passes are skipped, and counted odd and even).
@Suite struct RadixSortTests {
    @Test func sortsLikeTheStandardLibrary() {
        let seed = UInt64.random(in: 0...UInt64.max)
        var rng = SeededGenerator(seed: seed)
        let masks: [UInt64] = [0xFF, 0xFF00, 0xFFFF, 0xF_FFFF_FFFF, 0xFF00_0000_0000_00FF, ~0]
        for count in [0, 1, 2, 255, 256, 257, 1_000, 20_000] {
            for mask in masks {
                let base = UInt64.random(in: 0...UInt64.max, using: &rng) & ~mask
                var values = (0..<count).map { _ in base | (UInt64.random(in: 0...UInt64.max, using: &rng) & mask) }
                let expected = values.sorted()
                RadixSort.sort(&values)
                #expect(values == expected, "seed \(seed): \(count) values under mask \(String(mask, radix: 16))")
            }
        }
    }
}
