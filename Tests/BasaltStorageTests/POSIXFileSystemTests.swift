import Foundation
import Testing
@testable import BasaltStorage

/// A fresh directory under the system temp directory, removed when the test ends.
private final class TemporaryDirectory {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory
            .appendingPathComponent("basalt-posix-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func file(_ name: String) -> String { path + "/" + name }
}

@Suite("POSIXFileSystem")
struct POSIXFileSystemTests {
    let fs = POSIXFileSystem()

    @Test("write, read, size, truncate and sync round trip")
    func roundTrip() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("db")
        #expect(!fs.fileExists(path: path))
        let handle = try fs.open(path: path, options: FileOpenOptions())
        #expect(fs.fileExists(path: path))
        #expect(try handle.size() == 0)

        let payload = (0..<10_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try payload.withUnsafeBytes { try handle.write($0, at: 100) }
        try handle.sync()
        #expect(try handle.size() == 10_100)

        var back = [UInt8](repeating: 0xEE, count: 10_100)
        let n = try back.withUnsafeMutableBytes { try handle.read(into: $0, at: 0) }
        #expect(n == 10_100)
        #expect(back[..<100].allSatisfy { $0 == 0 }, "the gap before the write reads as zeros")
        #expect(Array(back[100...]) == payload)

        try handle.truncate(to: 50)
        #expect(try handle.size() == 50)
        try handle.truncate(to: 200)
        #expect(try handle.size() == 200)
        var tail = [UInt8](repeating: 0xEE, count: 150)
        _ = try tail.withUnsafeMutableBytes { try handle.read(into: $0, at: 50) }
        #expect(tail.allSatisfy { $0 == 0 }, "extension by truncate reads as zeros")
        try handle.close()

        let reopened = try fs.open(path: path, options: FileOpenOptions(create: false))
        #expect(try reopened.size() == 200)
        try reopened.close()
    }

    @Test("read at and past end of file is short")
    func shortReadAtEOF() throws {
        let dir = try TemporaryDirectory()
        let handle = try fs.open(path: dir.file("db"), options: FileOpenOptions())
        defer { try? handle.close() }
        try [UInt8](repeating: 7, count: 10).withUnsafeBytes { try handle.write($0, at: 0) }
        var buffer = [UInt8](repeating: 0, count: 64)
        #expect(try buffer.withUnsafeMutableBytes { try handle.read(into: $0, at: 4) } == 6)
        #expect(buffer[..<6].allSatisfy { $0 == 7 })
        #expect(try buffer.withUnsafeMutableBytes { try handle.read(into: $0, at: 10) } == 0)
        #expect(try buffer.withUnsafeMutableBytes { try handle.read(into: $0, at: 1_000) } == 0)
    }

    @Test("a second exclusive open of a locked file throws databaseLocked until the first closes")
    func exclusiveLock() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("db")
        let first = try fs.open(path: path, options: FileOpenOptions())
        #expect(throws: StorageError.databaseLocked(path: path)) {
            _ = try fs.open(path: path, options: FileOpenOptions())
        }
        // A non-locking open is not blocked by the advisory lock.
        let reader = try fs.open(path: path, options: FileOpenOptions(exclusiveLock: false))
        try reader.close()
        try first.close()
        let second = try fs.open(path: path, options: FileOpenOptions())
        try second.close()
    }

    @Test("dropping a handle without close releases its lock")
    func deinitReleasesLock() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("db")
        do { _ = try fs.open(path: path, options: FileOpenOptions()) }
        let again = try fs.open(path: path, options: FileOpenOptions())
        try again.close()
    }

    @Test("opening a missing file without create throws ioFailure ENOENT")
    func missingFile() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("absent")
        #expect(throws: StorageError.ioFailure(operation: "open", path: path, errno: ENOENT)) {
            _ = try fs.open(path: path, options: FileOpenOptions(create: false))
        }
        #expect(!fs.fileExists(path: path))
    }

    @Test("calls on a closed handle throw closed")
    func closedHandle() throws {
        let dir = try TemporaryDirectory()
        let handle = try fs.open(path: dir.file("db"), options: FileOpenOptions())
        try handle.close()
        #expect(throws: StorageError.closed) { try handle.sync() }
        #expect(throws: StorageError.closed) { try handle.size() }
        #expect(throws: StorageError.closed) { try handle.close() }
    }

    @Test("removeFile removes, and removing a missing file succeeds")
    func removeFile() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("db")
        try fs.open(path: path, options: FileOpenOptions()).close()
        #expect(fs.fileExists(path: path))
        try fs.removeFile(path: path)
        #expect(!fs.fileExists(path: path))
        try fs.removeFile(path: path)
    }
}

/// Buffer pool misses served from a read-only mapping of a real file (`FileMapping`).
@Suite("BufferPool file mapping")
struct BufferPoolMappingTests {
    /// Pages written through a pool that maps its file come back intact, while the file grows past
    /// the mapping again and again (a tiny reservation forces remaps); a fresh pool on the grown file
    /// reads every page from the mapping and verifies each once; a pool told not to map reads the same.
    @Test func missesReadThroughTheMappingWhileTheFileGrows() throws {
        let directory = try TemporaryDirectory()
        let fs = POSIXFileSystem()
        let handle = try fs.open(path: directory.file("mapped.db"), options: FileOpenOptions())
        defer { try? handle.close() }
        let pageSize = 4096
        let pages = 300
        let marker = { (id: Int) in UInt64(id) &* 0x9E37_79B9_7F4A_7C15 }
        let writer = BufferPool(file: handle, pageSize: pageSize, budgetBytes: 0, policy: .clock, mapFile: true,
                                mappingSlack: UInt64(2 * pageSize))
        var random = SystemRandomNumberGenerator()
        for id in 0..<pages {
            try writer.withNewPage(PageID(id), type: .overflow) { $0.setU64(pageSize - 8, marker(id)) }
            // Read back earlier pages as the file grows: evicted ones are misses through the mapping.
            let earlier = Int.random(in: 0...id, using: &random)
            #expect(try writer.withPage(PageID(earlier)) { $0.u64(pageSize - 8) } == marker(earlier))
        }
        try writer.writeAllDirty()
        #expect(writer.mappings > 3, "the file should have outgrown its mapping several times (each remap doubles it)")
        for id in (0..<pages).shuffled() {
            #expect(try writer.withPage(PageID(id)) { $0.u64(pageSize - 8) } == marker(id), "page \(id)")
        }

        for mapFile in [true, false] {
            let reader = BufferPool(file: handle, pageSize: pageSize, budgetBytes: 0, policy: .clock, mapFile: mapFile)
            for id in (0..<pages).shuffled() {
                #expect(try reader.withPage(PageID(id)) { $0.u64(pageSize - 8) } == marker(id), "page \(id), mapFile \(mapFile)")
            }
            #expect(reader.mappings == (mapFile ? 1 : 0))
            #expect(reader.statistics.verifiedReads == UInt64(pages))
            // Past the end of the file is corruption, never a read of the mapping beyond the file.
            #expect {
                _ = try reader.withPage(PageID(pages + 3)) { _ in }
            } throws: { error in
                if case StorageError.corruption(page: PageID(pages + 3), _) = error { return true }
                return false
            }
        }
    }

    /// Reads of pages that are not resident come from the mapping in place: no frame is claimed (no
    /// miss, no eviction, no write-back), each page is verified on its first read, a damaged page is
    /// refused, and a page held across a remap (writes inside the read grow the file past the mapping)
    /// still reads its own bytes.
    @Test func readsOfNonResidentPagesTakeNoFrame() throws {
        let directory = try TemporaryDirectory()
        let fs = POSIXFileSystem()
        let handle = try fs.open(path: directory.file("in-place.db"), options: FileOpenOptions())
        defer { try? handle.close() }
        let pageSize = 4096
        let pages = 120
        let marker = { (id: Int) in UInt64(id) &* 0x9E37_79B9_7F4A_7C15 }
        let pool = BufferPool(file: handle, pageSize: pageSize, budgetBytes: 0, policy: .clock, mapFile: true,
                              mappingSlack: UInt64(2 * pageSize))
        for id in 0..<pages {
            try pool.withNewPage(PageID(id), type: .overflow) { $0.setU64(pageSize - 8, marker(id)) }
        }
        try pool.writeAllDirty()
        // 16 frames: most pages are not resident now.
        let before = pool.statistics
        var inPlace = 0
        for id in (0..<pages).shuffled() {
            let pin = try pool.pinForRead(PageID(id))
            #expect(pin.page.u64(pageSize - 8) == marker(id), "page \(id)")
            if pin.frame < 0 { inPlace += 1 }
            pool.release(pin)
        }
        #expect(inPlace >= pages - pool.frameCount)
        #expect(pool.statistics.inPlaceReads - before.inPlaceReads == UInt64(inPlace))
        #expect(pool.statistics.misses == before.misses && pool.statistics.evictions == before.evictions
                && pool.statistics.writes == before.writes)

        // Held across remaps: new pages written (and evicted) inside the read grow the file.
        var held = -1
        for id in 0..<pages where held < 0 {
            let pin = try pool.pinForRead(PageID(id))
            if pin.frame < 0 { held = id }
            pool.release(pin)
        }
        #expect(held >= 0)
        let mappingsBefore = pool.mappings
        let pin = try pool.pinForRead(PageID(held))
        #expect(pin.frame < 0)
        for id in pages..<pages + 200 {
            try pool.withNewPage(PageID(id), type: .overflow) { $0.setU64(pageSize - 8, marker(id)) }
        }
        #expect(pool.mappings > mappingsBefore, "the writes should have remapped the file")
        #expect(pin.page.u64(pageSize - 8) == marker(held))
        pool.release(pin)
        try pool.writeAllDirty()

        // A fresh pool verifies each page once, in place, and refuses a damaged one.
        var garbage = [UInt8](repeating: 0x5A, count: 64)
        try garbage.withUnsafeMutableBytes { try handle.write(UnsafeRawBufferPointer($0), at: UInt64(7 * pageSize + 100)) }
        let fresh = BufferPool(file: handle, pageSize: pageSize, budgetBytes: 0, policy: .clock, mapFile: true)
        for id in 0..<pages + 200 where id != 7 {
            #expect(try fresh.withPageForRead(PageID(id)) { $0.u64(pageSize - 8) } == marker(id), "page \(id)")
            _ = try fresh.withPageForRead(PageID(id)) { _ in }
        }
        #expect(fresh.statistics.verifiedReads == UInt64(pages + 199))
        #expect(fresh.statistics.inPlaceReads == UInt64(2 * (pages + 199)) && fresh.statistics.misses == 0)
        #expect {
            _ = try fresh.withPageForRead(PageID(7)) { _ in }
        } throws: { error in
            if case StorageError.corruption(page: PageID(7), _) = error { return true }
            return false
        }
    }
}
