import Testing
@testable import BasaltStorage

/// `PageRedo` images: a page is logged as a full image or, when leaving out its zero words is smaller,
/// as a sparse image; redo of either installs exactly the logged bytes (the LSN field aside, which redo
/// sets to the record's LSN). Pages are generated from a seed, which failures name.
@Suite struct PageRedoTests {
    static let pageSize = 4096

    /// A page image with id `id`: `fill` of its words non-zero (runs of random length at random
    /// places), the rest zero.
    static func page(id: PageID, fill: Double, _ rng: inout SeededRandom) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: pageSize)
        let words = pageSize / 8
        var nonZero = Int(Double(words) * fill)
        while nonZero > 0 {
            let start = Int.random(in: 0..<words, using: &rng)
            let length = min(Int.random(in: 1...40, using: &rng), words - start, nonZero)
            for w in start..<start + length {
                for b in 0..<8 { bytes[w * 8 + b] = UInt8.random(in: 1...255, using: &rng) }
            }
            nonZero -= length
        }
        withUnsafeBytes(of: id.littleEndian) { for (i, b) in $0.enumerated() { bytes[8 + i] = b } }
        return bytes
    }

    /// Logs `image` with `appendImage`, returns the payload's kind byte and size, and the page as redo
    /// installs it in a pool over the simulated file `handle`.
    static func roundTrip(_ image: [UInt8], id: PageID, pool: BufferPool, lsn: LSN) throws -> (kind: UInt8, size: Int, page: [UInt8]) {
        var pages = LogPayloadWriter()
        pages.varint(1)
        image.withUnsafeBytes { PageRedo.appendImage(id: id, page: $0.baseAddress!, pageSize: pageSize, into: &pages) }
        let record = LogRecord(lsn: lsn, transaction: 0, previousLSN: 0, type: .update, payload: pages.bytes)
        var reader = LogPayloadReader(record)
        try PageRedo.apply(&reader, pool: pool, lsn: lsn)
        #expect(reader.isAtEnd, "redo read the whole section")
        let installed = try pool.withPage(id) { Array(UnsafeRawBufferPointer(start: $0.base, count: pageSize)) }
        return (pages.bytes[5], pages.bytes.count, installed)
    }

    @Test(arguments: [UInt64(0x5EED_0001), 0x5EED_0002, 0x5EED_0003])
    func imagesRedoToTheLoggedBytesInTheSmallerForm(seed: UInt64) throws {
        let fs = SimulatedFileSystem()
        let (handle, pageCount) = try BufferPoolTests.fileWithPages(fs, minimumPages: 40)
        defer { try? handle.close() }
        let pool = BufferPool(file: handle, pageSize: Self.pageSize, budgetBytes: 32 * Self.pageSize, policy: .clock)
        var rng = SeededRandom(seed: seed)
        var lsn: LSN = 1_000
        for round in 0..<200 {
            let id = PageID(Int.random(in: 1..<pageCount, using: &rng))
            let fill = [0.0, 0.01, 0.3, 0.6, 0.97, 1.0][round % 6]
            let image = Self.page(id: id, fill: fill, &rng)
            lsn += 100
            let (kind, size, installed) = try Self.roundTrip(image, id: id, pool: pool, lsn: lsn)
            var expected = image
            withUnsafeBytes(of: lsn.littleEndian) { for (i, b) in $0.enumerated() { expected[16 + i] = b } }
            #expect(installed == expected, "seed \(seed) round \(round): page \(id) (fill \(fill)) redone differently")
            let zeroWords = stride(from: 0, to: Self.pageSize, by: 8).filter { w in image[w..<w + 8].allSatisfy { $0 == 0 } }.count
            if zeroWords * 8 > Self.pageSize / 2 {
                #expect(kind == PageRedo.sparseImageKind, "seed \(seed) round \(round): a mostly zero page logs sparse")
                #expect(size < Self.pageSize - zeroWords * 4, "seed \(seed) round \(round): sparse image of \(size) bytes")
            }
            if zeroWords == 0 {
                #expect(kind == PageRedo.imageKind, "seed \(seed) round \(round): a page without zero words logs whole")
                #expect(size <= Self.pageSize + 8)
            }
        }
    }

    @Test func aSparseImageOfAnotherPageIsCorruption() throws {
        let fs = SimulatedFileSystem()
        let (handle, _) = try BufferPoolTests.fileWithPages(fs, minimumPages: 10)
        defer { try? handle.close() }
        let pool = BufferPool(file: handle, pageSize: Self.pageSize, budgetBytes: 32 * Self.pageSize, policy: .clock)
        var rng = SeededRandom(seed: 7)
        let image = Self.page(id: 3, fill: 0.05, &rng)
        let before = try pool.withPage(5) { Array(UnsafeRawBufferPointer(start: $0.base, count: Self.pageSize)) }
        var pages = LogPayloadWriter()
        pages.varint(1)
        image.withUnsafeBytes { PageRedo.appendImage(id: 5, page: $0.baseAddress!, pageSize: Self.pageSize, into: &pages) }
        #expect(pages.bytes[5] == PageRedo.sparseImageKind)
        var reader = LogPayloadReader(LogRecord(lsn: 99, transaction: 0, previousLSN: 0, type: .update, payload: pages.bytes))
        #expect(throws: StorageError.self) { try PageRedo.apply(&reader, pool: pool, lsn: 99) }
        let after = try pool.withPage(5) { Array(UnsafeRawBufferPointer(start: $0.base, count: Self.pageSize)) }
        #expect(after == before, "a rejected image changes nothing")
    }
}
