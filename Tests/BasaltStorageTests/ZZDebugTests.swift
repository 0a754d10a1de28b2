import Testing
@testable import BasaltStorage

@Suite struct ZZDebugTests {
    @Test func debug() throws {
        let fixture = try CorruptionTests.makeFixture(seed: 0xC0_4407)
        let m = fixture.map
        let p: PageID = 137
        print("pageCount", fixture.pageCount, "file", fixture.fs.fileBytes(path: "corrupt.db")!.count)
        print("internal", m.internalPages.contains(p), "leaf", m.leafPages.contains(p), "ovf", m.overflowPages.contains(p), "trunk", m.trunkPages.contains(p), "free", m.freeEntries.contains(p))
        print("internals", m.internalPages.sorted(), "leftmost", m.leftmostPath)
        let bytes = fixture.fs.fileBytes(path: "corrupt.db")!
        let page = Array(bytes[Int(p) * 4096..<Int(p + 1) * 4096])
        print("type", page[4], "stored crc", page[0..<4].map { $0 }, "computed", CRC32C.checksum(Array(page[4...])))
        var c = page; c[4095] ^= 201
        print("corrupted computed", CRC32C.checksum(Array(c[4...])))
    }
}
