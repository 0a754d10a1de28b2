import Testing
@testable import BasaltStorage

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

private let path = "/db/main.basalt"

extension FileHandle {
    fileprivate func write(_ bytes: [UInt8], at offset: Int) throws {
        try bytes.withUnsafeBytes { try write($0, at: UInt64(offset)) }
    }

    fileprivate func readAll(count: Int, at offset: Int) throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        let n = try buffer.withUnsafeMutableBytes { try read(into: $0, at: UInt64(offset)) }
        return Array(buffer[..<n])
    }
}

@Suite("SimulatedFileSystem")
struct SimulatedFileSystemTests {
    // MARK: Crash model

    @Test("synced data always survives a crash; unsynced writes survive whole, torn or not at all")
    func crashAgainstModel() throws {
        var lostSomething = 0
        var keptSomething = 0
        for seed in UInt64(0)..<300 {
            var random = SeededRandom(seed: seed)
            let fs = SimulatedFileSystem()
            let handle = try fs.open(path: path, options: FileOpenOptions())
            var synced: [UInt8] = []
            var pending: [(offset: Int, bytes: [UInt8])] = []
            for _ in 0..<Int.random(in: 1...30, using: &random) {
                if Int.random(in: 0..<5, using: &random) == 0 {
                    try handle.sync()
                    synced = fs.fileBytes(path: path)!
                    pending.removeAll()
                } else {
                    let offset = Int.random(in: 0..<4096, using: &random)
                    let bytes = (0..<Int.random(in: 1...1500, using: &random)).map { _ in
                        UInt8.random(in: 1...255, using: &random)
                    }
                    try handle.write(bytes, at: offset)
                    pending.append((offset, bytes))
                }
            }
            let before = fs.fileBytes(path: path)!
            fs.crash(seed: seed)
            let after = fs.fileBytes(path: path)!

            #expect(after.count >= synced.count && after.count <= before.count, "seed \(seed): size \(after.count)")
            if pending.isEmpty {
                #expect(after == synced, "seed \(seed): a fully synced file changed in a crash")
            }
            for i in after.indices {
                var candidates: Set<UInt8> = [i < synced.count ? synced[i] : 0]
                for write in pending where write.offset <= i && i < write.offset + write.bytes.count {
                    candidates.insert(write.bytes[i - write.offset])
                }
                if !candidates.contains(after[i]) {
                    Issue.record("seed \(seed): byte \(i) is \(after[i]), expected one of \(candidates.sorted())")
                    break
                }
            }
            if after != before { lostSomething += 1 }
            if !pending.isEmpty && after != synced { keptSomething += 1 }

            #expect(throws: StorageError.self, "seed \(seed)") { try handle.sync() }
            let reopened = try fs.open(path: path, options: FileOpenOptions(create: false))
            #expect(try reopened.readAll(count: after.count + 10, at: 0) == after, "seed \(seed)")
        }
        #expect(lostSomething > 30, "crashes should lose unsynced writes for many seeds")
        #expect(keptSomething > 30, "crashes should keep unsynced writes for many seeds")
    }

    @Test("a crash is deterministic: crash(seed:) and crashClone(seed:) agree and clones leave the original alone")
    func crashDeterminism() throws {
        for seed in UInt64(0)..<50 {
            let fs = SimulatedFileSystem()
            let handle = try fs.open(path: path, options: FileOpenOptions())
            var random = SeededRandom(seed: seed &+ 1000)
            for _ in 0..<20 {
                let bytes = (0..<700).map { _ in UInt8.random(in: 0...255, using: &random) }
                try handle.write(bytes, at: Int.random(in: 0..<3000, using: &random))
            }
            let before = fs.fileBytes(path: path)
            let a = fs.crashClone(seed: seed).fileBytes(path: path)
            let b = fs.crashClone(seed: seed).fileBytes(path: path)
            #expect(a == b, "seed \(seed)")
            #expect(fs.fileBytes(path: path) == before, "seed \(seed): crashClone changed the original")
            #expect(fs.openHandleCount == 1, "seed \(seed)")
            fs.crash(seed: seed)
            #expect(fs.fileBytes(path: path) == a, "seed \(seed): crash and crashClone disagree")
        }
    }

    @Test("torn writes keep a prefix or a subset of 512-byte sectors")
    func tornWrites() throws {
        let offset = 1000
        let count = 4096
        var strictPrefixes = 0
        var sectorSubsets = 0
        for seed in UInt64(0)..<300 {
            let fs = SimulatedFileSystem()
            let handle = try fs.open(path: path, options: FileOpenOptions())
            try handle.write([UInt8](repeating: 0, count: 8192), at: 0)
            try handle.sync()
            try handle.write([UInt8](repeating: 0xAB, count: count), at: offset)
            fs.crash(seed: seed)
            let after = fs.fileBytes(path: path)!
            #expect(after.count == 8192, "seed \(seed)")
            #expect(after[..<offset].allSatisfy { $0 == 0 } && after[(offset + count)...].allSatisfy { $0 == 0 },
                    "seed \(seed): bytes outside the write changed")
            let region = Array(after[offset..<(offset + count)])
            let newCount = region.prefix { $0 == 0xAB }.count
            let isPrefix = region[newCount...].allSatisfy { $0 == 0 }
            var isSectorSubset = true
            var start = offset
            while start < offset + count {
                let end = min(offset + count, (start / 512 + 1) * 512)
                let sector = after[start..<end]
                if !(sector.allSatisfy { $0 == 0 } || sector.allSatisfy { $0 == 0xAB }) { isSectorSubset = false }
                start = end
            }
            #expect(isPrefix || isSectorSubset, "seed \(seed): torn write is neither a prefix nor a sector subset")
            if isPrefix && newCount > 0 && newCount < count && (offset + newCount) % 512 != 0 { strictPrefixes += 1 }
            if !isPrefix && isSectorSubset { sectorSubsets += 1 }
        }
        #expect(strictPrefixes > 10, "prefix tears should occur")
        #expect(sectorSubsets > 10, "sector tears should occur")
    }

    @Test("unsynced truncates may be lost, synced ones are not")
    func truncateCrash() throws {
        var sizes: Set<Int> = []
        for seed in UInt64(0)..<100 {
            let fs = SimulatedFileSystem()
            let handle = try fs.open(path: path, options: FileOpenOptions())
            try handle.write([UInt8](repeating: 5, count: 1000), at: 0)
            try handle.sync()
            try handle.truncate(to: 100)
            #expect(try handle.size() == 100, "seed \(seed)")
            let synced = fs.crashClone(seed: seed)
            try handle.sync()
            #expect(fs.crashClone(seed: seed).fileBytes(path: path) == [UInt8](repeating: 5, count: 100),
                    "seed \(seed): a synced truncate was lost")
            let outcome = synced.fileBytes(path: path)!
            #expect(outcome == [UInt8](repeating: 5, count: outcome.count) && [100, 1000].contains(outcome.count),
                    "seed \(seed): size \(outcome.count)")
            sizes.insert(outcome.count)
        }
        #expect(sizes == [100, 1000])
    }

    @Test("cloneDurable holds exactly the synced state")
    func cloneDurable() throws {
        let fs = SimulatedFileSystem()
        let handle = try fs.open(path: path, options: FileOpenOptions())
        try handle.write([1, 2, 3], at: 0)
        try handle.sync()
        try handle.write([9, 9], at: 1)
        try handle.write([7], at: 10)
        let clone = fs.cloneDurable()
        #expect(clone.fileBytes(path: path) == [1, 2, 3])
        #expect(fs.fileBytes(path: path) == [1, 9, 9, 0, 0, 0, 0, 0, 0, 0, 7])
        #expect(clone.openHandleCount == 0)
        // The clone is independent and usable.
        let cloneHandle = try clone.open(path: path, options: FileOpenOptions())
        try cloneHandle.write([4], at: 3)
        #expect(clone.fileBytes(path: path) == [1, 2, 3, 4])
        #expect(fs.fileBytes(path: path)?.count == 11)
    }

    @Test("created files survive a crash even when empty; removed files and unlinked open files do not")
    func namesAreDurable() throws {
        let fs = SimulatedFileSystem()
        try fs.open(path: "/a", options: FileOpenOptions()).close()
        let b = try fs.open(path: "/b", options: FileOpenOptions())
        try b.write([1], at: 0)
        try b.sync()
        try fs.removeFile(path: "/b")
        #expect(!fs.fileExists(path: "/b"))
        #expect(try b.readAll(count: 1, at: 0) == [1], "an unlinked file stays readable through its handle")
        fs.crash(seed: 1)
        #expect(fs.paths == ["/a"])
        #expect(fs.fileBytes(path: "/a") == [])
        try fs.removeFile(path: "/missing")
    }

    // MARK: Faults

    @Test("failCall(N) fails exactly the Nth matching call and the failed write is not applied")
    func failAtCallN() throws {
        let writes = 10
        for n in 1...writes {
            let fs = SimulatedFileSystem()
            let handle = try fs.open(path: path, options: FileOpenOptions())
            fs.injectFault(.failCall(n, of: [.write]))
            var failed: [Int] = []
            for i in 0..<writes {
                do {
                    try handle.write([UInt8](repeating: UInt8(i + 1), count: 100), at: i * 100)
                } catch let error as StorageError {
                    #expect(error == .ioFailure(operation: "write (injected fault)", path: path, errno: EIO), "n \(n)")
                    failed.append(i + 1)
                }
            }
            #expect(failed == [n], "n \(n)")
            #expect(fs.operationCount(of: .write) == writes, "n \(n)")
            let bytes = fs.fileBytes(path: path)!
            for i in 0..<writes where i + 1 != n {
                #expect(bytes[(i * 100)..<(i * 100 + 100)].allSatisfy { $0 == UInt8(i + 1) }, "n \(n) write \(i + 1)")
            }
            let failedRange = ((n - 1) * 100)..<min(bytes.count, n * 100)
            #expect(bytes[failedRange].allSatisfy { $0 == 0 }, "n \(n): the failed write was applied")
            #expect(bytes.count == (n == writes ? (writes - 1) * 100 : writes * 100), "n \(n)")
        }
    }

    @Test("faults count only their kinds, from the moment of injection")
    func faultKinds() throws {
        let fs = SimulatedFileSystem()
        let handle = try fs.open(path: path, options: FileOpenOptions())
        try handle.write([1], at: 0)
        fs.injectFault(.failCall(3, of: [.read, .write]))
        try handle.sync()                                   // not counted by the fault
        _ = try handle.readAll(count: 1, at: 0)            // 1
        try handle.write([2], at: 1)                        // 2
        #expect(throws: StorageError.ioFailure(operation: "read (injected fault)", path: path, errno: EIO)) {
            _ = try handle.readAll(count: 1, at: 0)        // 3
        }
        _ = try handle.readAll(count: 1, at: 0)            // spent
        #expect(fs.operationCount(of: .read) == 3)
        #expect(fs.operationCount(of: .write) == 2)
        #expect(fs.operationCount(of: .sync) == 1)
        #expect(fs.operationCount(of: .open) == 1)
    }

    @Test("ENOSPC faults surface as diskFull; persistent faults keep failing")
    func diskFullAndPersistent() throws {
        let fs = SimulatedFileSystem()
        let handle = try fs.open(path: path, options: FileOpenOptions())
        fs.injectFault(.failCall(2, of: [.write, .truncate], errno: ENOSPC, persistent: true))
        try handle.write([1], at: 0)
        #expect(throws: StorageError.diskFull(operation: "write (injected fault)", path: path)) {
            try handle.write([2], at: 1)
        }
        #expect(throws: StorageError.diskFull(operation: "truncate (injected fault)", path: path)) {
            try handle.truncate(to: 0)
        }
        #expect(fs.fileBytes(path: path) == [1])
        fs.removeAllFaults()
        try handle.write([2], at: 1)
        #expect(fs.fileBytes(path: path) == [1, 2])
    }

    @Test("a failed open leaves no handle and no lock behind")
    func failedOpen() throws {
        let fs = SimulatedFileSystem()
        fs.injectFault(.failCall(1, of: [.open]))
        #expect(throws: StorageError.self) { _ = try fs.open(path: path, options: FileOpenOptions()) }
        #expect(fs.openHandleCount == 0)
        let handle = try fs.open(path: path, options: FileOpenOptions())
        try handle.close()
    }

    @Test("probabilistic faults are reproducible from their seed")
    func probabilisticFaults() throws {
        func failures(seed: UInt64) throws -> [Int] {
            let fs = SimulatedFileSystem()
            let handle = try fs.open(path: path, options: FileOpenOptions())
            fs.injectFault(.failRandomly(probability: 0.3, of: [.write, .sync], seed: seed))
            var failed: [Int] = []
            for i in 0..<400 {
                do {
                    if i % 4 == 3 { try handle.sync() } else { try handle.write([UInt8(i & 0xFF)], at: i) }
                } catch {
                    failed.append(i)
                }
            }
            return failed
        }
        for seed in UInt64(0)..<10 {
            let first = try failures(seed: seed)
            #expect(try failures(seed: seed) == first, "seed \(seed)")
            #expect((60...180).contains(first.count), "seed \(seed): \(first.count) of 400 failed at p = 0.3")
            #expect(try failures(seed: seed + 100) != first, "seed \(seed)")
        }
    }

    @Test("after a failed sync, a later successful sync does not make the earlier writes durable")
    func failedSyncIsFinal() throws {
        let a = [UInt8](repeating: 0xAA, count: 512)
        let b = [UInt8](repeating: 0xBB, count: 512)
        var lostA = 0
        for seed in UInt64(0)..<200 {
            let fs = SimulatedFileSystem()
            let handle = try fs.open(path: path, options: FileOpenOptions())
            try handle.write(a, at: 0)
            fs.injectFault(.failCall(1, of: [.sync]))
            #expect(throws: StorageError.self, "seed \(seed)") { try handle.sync() }
            try handle.write(b, at: 1024)
            try handle.sync()
            #expect(try handle.readAll(count: 512, at: 0) == a, "seed \(seed): reads see the data until a crash")

            fs.crash(seed: seed)
            let after = fs.fileBytes(path: path)!
            #expect(after.count == 1536, "seed \(seed)")
            #expect(Array(after[1024..<1536]) == b, "seed \(seed): the successfully synced write was lost")
            if Array(after[0..<512]) != a { lostA += 1 }
        }
        #expect(lostA > 50, "writes covered by a failed sync must be losable despite the later sync")

        let fs = SimulatedFileSystem()
        let handle = try fs.open(path: path, options: FileOpenOptions())
        try handle.write(a, at: 0)
        fs.injectFault(.failCall(1, of: [.sync]))
        _ = try? handle.sync()
        try handle.write(b, at: 1024)
        try handle.sync()
        let durable = fs.cloneDurable().fileBytes(path: path)
        #expect(durable == [UInt8](repeating: 0, count: 1024) + b, "cloneDurable kept a write covered by a failed sync")
    }

    @Test("a successful sync makes every earlier write durable across many seeds")
    func successfulSyncIsDurable() throws {
        for seed in UInt64(0)..<100 {
            let fs = SimulatedFileSystem()
            let handle = try fs.open(path: path, options: FileOpenOptions())
            try handle.write([UInt8](repeating: 0xAA, count: 512), at: 0)
            try handle.write([UInt8](repeating: 0xBB, count: 512), at: 1024)
            try handle.sync()
            let expected = fs.fileBytes(path: path)
            fs.crash(seed: seed)
            #expect(fs.fileBytes(path: path) == expected, "seed \(seed)")
        }
    }

    // MARK: Handles and locks

    @Test("exclusive locks exclude each other until close or crash")
    func lockSemantics() throws {
        let fs = SimulatedFileSystem()
        let first = try fs.open(path: path, options: FileOpenOptions())
        #expect(throws: StorageError.databaseLocked(path: path)) {
            _ = try fs.open(path: path, options: FileOpenOptions())
        }
        let reader = try fs.open(path: path, options: FileOpenOptions(exclusiveLock: false))
        try reader.close()
        try first.close()

        let second = try fs.open(path: path, options: FileOpenOptions())
        fs.crash(seed: 0)
        let third = try fs.open(path: path, options: FileOpenOptions())
        #expect(throws: StorageError.ioFailure(operation: "pwrite (handle invalidated by crash)", path: path, errno: EIO)) {
            try second.write([1], at: 0)
        }
        #expect(throws: StorageError.self) { try second.close() }
        try third.close()
    }

    @Test("a new file at an unlinked, locked path has its own lock")
    func lockFollowsInode() throws {
        let fs = SimulatedFileSystem()
        let old = try fs.open(path: path, options: FileOpenOptions())
        try fs.removeFile(path: path)
        let new = try fs.open(path: path, options: FileOpenOptions())
        try old.write([1], at: 0)
        #expect(fs.fileBytes(path: path) == [], "the old handle writes to the unlinked file")
        try old.close()
        try new.close()
    }

    @Test("calls on a closed handle throw closed")
    func closedHandle() throws {
        let fs = SimulatedFileSystem()
        let handle = try fs.open(path: path, options: FileOpenOptions())
        try handle.close()
        #expect(throws: StorageError.closed) { try handle.write([1], at: 0) }
        #expect(throws: StorageError.closed) { try handle.close() }
        #expect(fs.operationCount(of: .write) == 0, "calls on closed handles are not counted")
    }

    @Test("opening a missing file without create throws ioFailure ENOENT")
    func missingFile() {
        let fs = SimulatedFileSystem()
        #expect(throws: StorageError.ioFailure(operation: "open", path: path, errno: ENOENT)) {
            _ = try fs.open(path: path, options: FileOpenOptions(create: false))
        }
        #expect(!fs.fileExists(path: path))
    }

    @Test("reads are short at end of file")
    func shortRead() throws {
        let fs = SimulatedFileSystem()
        let handle = try fs.open(path: path, options: FileOpenOptions())
        try handle.write([1, 2, 3, 4], at: 0)
        #expect(try handle.readAll(count: 10, at: 2) == [3, 4])
        #expect(try handle.readAll(count: 10, at: 4) == [])
        #expect(try handle.readAll(count: 10, at: 100) == [])
    }

    @Test("corrupt flips bytes in what reads see and in what survives a crash")
    func corruption() throws {
        let fs = SimulatedFileSystem()
        let handle = try fs.open(path: path, options: FileOpenOptions())
        try handle.write([0x0F, 0x0F, 0x0F], at: 0)
        try handle.sync()
        fs.corrupt(path: path, offset: 1, xor: 0xFF)
        #expect(try handle.readAll(count: 3, at: 0) == [0x0F, 0xF0, 0x0F])
        fs.crash(seed: 3)
        #expect(fs.fileBytes(path: path) == [0x0F, 0xF0, 0x0F])
    }
}
