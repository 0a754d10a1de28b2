@testable import BasaltStorage
import Testing

@Suite struct ByteArenaTests {
    /// Fills an arena past several huge-page chunks (2 MiB and up, with requests larger than a chunk), then
    /// moves it into another arena: every allocation is 8-byte aligned, none overlaps another, and
    /// every byte written is read back unchanged after the source arena is gone.
    @Test func bytesStayPutAcrossSmallAndMappedChunksAndAdoption() {
        var random = SeededRandom(seed: 0xA7E_4A)
        let owner = ByteArena()
        var blocks: [(pointer: UnsafeMutableRawPointer, count: Int, fill: UInt8)] = []
        do {
            let arena = ByteArena()
            var total = 0
            while total < 40 << 20 {
                let count = Int.random(in: 0..<100, using: &random) == 0 ? Int.random(in: 0...(6 << 20), using: &random)
                    : Int.random(in: 0..<300, using: &random)
                let pointer = arena.allocate(count)
                #expect(Int(bitPattern: pointer) % 8 == 0, "allocation of \(count) bytes misaligned")
                let fill = UInt8(truncatingIfNeeded: blocks.count &* 31 &+ 7)
                pointer.initializeMemory(as: UInt8.self, repeating: fill, count: count)
                blocks.append((pointer, count, fill))
                total += count
            }
            #expect(arena.usedBytes == total)
            owner.adopt(arena)
            #expect(arena.usedBytes == 0)
            #expect(owner.usedBytes == total)
            // A later allocation from the emptied arena must not reuse adopted memory.
            let later = arena.allocate(64)
            later.initializeMemory(as: UInt8.self, repeating: 0xEE, count: 64)
        }
        let sorted = blocks.sorted { UInt(bitPattern: $0.pointer) < UInt(bitPattern: $1.pointer) }
        for (a, b) in zip(sorted, sorted.dropFirst()) {
            #expect(a.pointer + a.count <= b.pointer, "allocations overlap")
        }
        for (i, block) in blocks.enumerated() {
            // Every 509th byte and the last: an overlapping allocation overwrites far more than that.
            let bytes = UnsafeRawBufferPointer(start: block.pointer, count: block.count)
            let intact = stride(from: 0, to: block.count, by: 509).allSatisfy { bytes[$0] == block.fill }
                && (block.count == 0 || bytes[block.count - 1] == block.fill)
            #expect(intact, "block \(i) of \(block.count) bytes changed")
            if !intact { break }
        }
    }
}
