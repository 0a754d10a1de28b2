/// Owns one database file: its header page, page allocation and free list, and the buffer pool that
/// caches its pages. The B+tree layer reaches pages only through the pager; it never touches the file.
///
/// Invariants:
/// 1. Page 0 is the header; `pageCount`, the free-list head and the free count live in it (through the
///    buffer pool, so header changes are ordinary dirty-page changes).
/// 2. Every page in `1..<pageCount` is reachable from exactly one root, or free (listed in a trunk or
///    being a trunk) — `BTree.verify` and `Pager.verifySpace` check it.
/// 3. `allocate` takes a free page before it grows the file: the file never grows while free pages exist
///    (except that overflow pages skip an empty trunk page, see `allocate(reuseTrunk:)`).
/// 4. After a failed write or sync the pager is `failed`: it refuses further changes until reopened,
///    because the file may no longer match the cache (never retry a failed fsync as if nothing happened).
///
/// Not thread-safe: the database's lock serialises every call.
final class Pager {
    let path: String
    let pageSize: Int
    /// Cell and key size limits of every tree in this file (they depend only on the page size).
    let limits: BTreeLimits
    let pool: BufferPool
    private let file: any FileHandle
    /// Reads pages of `file` outside the engine lock; shut down before the file closes.
    let detachedFile: DetachedFileAccess
    private(set) var failure: StorageError?
    private(set) var isClosed = false
    /// The file was created (empty or missing) by this open.
    let wasCreated: Bool

    /// Page-sized work areas for node rebuilds (splits, merges), outside the pool's frames.
    let scratch: [Page]
    private let scratchMemory: UnsafeMutableRawPointer
    static let scratchPageCount = 3

    /// Bumped by every structural change of any tree, so cursors know when to re-seek.
    var structureVersion: UInt64 = 0

    /// The header's root slots, loaded on first use.
    private var roots: [PageID]?

    /// A path buffer reused across tree operations so descents do not allocate.
    private var sparePath: BTreePath? = BTreePath()

    func takePath() -> BTreePath {
        if let path = sparePath {
            sparePath = nil
            return path
        }
        return BTreePath()
    }

    func returnPath(_ path: BTreePath) { sparePath = path }

    /// Opens the database at `path`, creating it with `pageSize` when the file is empty or missing.
    /// Throws `notADatabase`, `unsupportedFormatVersion` or `corruption` without writing to the file.
    init(fileSystem: any FileSystem, path: String, pageSize requestedPageSize: Int, bufferPoolBytes: Int,
         eviction: EvictionPolicyKind, mapFile: Bool = false, create: Bool = true, checkHeaderPage: Bool = true) throws {
        guard DatabaseHeader.isValidPageSize(requestedPageSize) else {
            throw StorageError.invalidConfiguration("page size \(requestedPageSize) must be a power of two from 4096 to 65536")
        }
        let file = try fileSystem.open(path: path, options: FileOpenOptions(create: create, exclusiveLock: true))
        var pageSize = requestedPageSize
        var isNew = false
        do {
            let size = try file.size()
            if size == 0 {
                isNew = true
            } else {
                pageSize = try Self.probe(file: file, path: path, fileSize: size)
            }
        } catch {
            try? file.close()
            throw error
        }
        // Scratch pages are charged to the budget so pool + scratch never exceed it.
        let poolBytes = bufferPoolBytes - Self.scratchPageCount * pageSize
        self.path = path
        self.file = file
        wasCreated = isNew
        self.pageSize = pageSize
        limits = BTreeLimits(pageSize: pageSize)
        pool = BufferPool(file: file, pageSize: pageSize, budgetBytes: poolBytes, policy: eviction, mapFile: mapFile)
        let scratchMemory = UnsafeMutableRawPointer.allocate(byteCount: Self.scratchPageCount * pageSize, alignment: 4096)
        self.scratchMemory = scratchMemory
        scratch = (0..<Self.scratchPageCount).map { Page(base: scratchMemory + $0 * pageSize, size: pageSize) }
        detachedFile = DetachedFileAccess(file: file, pageSize: pageSize)
        do {
            if isNew {
                try createHeader()
                try flush()
            } else if checkHeaderPage {
                try verifyHeaderPage()
            }
        } catch {
            try? file.close()
            throw error
        }
    }

    deinit {
        scratchMemory.deallocate()
        if !isClosed {
            detachedFile.shutDown()
            try? file.close()
        }
    }

    /// Reads the first bytes of an existing file and returns its page size, or throws if it is not a
    /// Basalt database this build can read.
    private static func probe(file: any FileHandle, path: String, fileSize: UInt64) throws -> Int {
        var probe = [UInt8](repeating: 0, count: DatabaseHeader.probeSize)
        let read = try probe.withUnsafeMutableBytes { try file.read(into: $0, at: 0) }
        guard read == DatabaseHeader.probeSize else {
            throw StorageError.notADatabase(path: path, detail: "file is only \(fileSize) bytes long")
        }
        let magic = Array(probe[DatabaseHeader.magicOffset..<DatabaseHeader.magicOffset + 8])
        guard magic == DatabaseHeader.magic else {
            throw StorageError.notADatabase(path: path, detail: "the file does not start with a Basalt header")
        }
        let version = probe.withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: DatabaseHeader.versionOffset, as: UInt32.self)) }
        // Only the current format: older versions store values or keys the current code would misread.
        guard version == DatabaseHeader.formatVersion else {
            throw StorageError.unsupportedFormatVersion(path: path, found: version, supported: DatabaseHeader.formatVersion)
        }
        let pageSize = Int(probe.withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: DatabaseHeader.pageSizeOffset, as: UInt32.self)) })
        guard DatabaseHeader.isValidPageSize(pageSize) else {
            throw StorageError.notADatabase(path: path, detail: "header names an impossible page size \(pageSize)")
        }
        guard fileSize >= UInt64(pageSize) else {
            throw StorageError.corruption(page: 0, detail: "file is shorter (\(fileSize) bytes) than one page")
        }
        return pageSize
    }

    /// Reads and verifies page 0. The logged engine calls it after recovery: a header page torn by a
    /// crash is rebuilt from the log, so it is not checked before redo.
    func verifyHeaderPage() throws {
        try pool.withPage(0) { page in
            guard page.type == .header else {
                throw StorageError.corruption(page: 0, detail: "page 0 is not a header page")
            }
        }
    }

    private func createHeader() throws {
        try pool.withNewPage(0, type: .header) { page in
            for (i, byte) in DatabaseHeader.magic.enumerated() { page.setU8(DatabaseHeader.magicOffset + i, byte) }
            page.setU32(DatabaseHeader.versionOffset, DatabaseHeader.formatVersion)
            page.setU32(DatabaseHeader.pageSizeOffset, UInt32(pageSize))
            page.setU32(DatabaseHeader.pageCountOffset, 1)
        }
    }

    // MARK: Header fields

    private func header<R>(_ body: (Page) throws -> R) throws -> R { try pool.withPage(0, body) }
    private func mutableHeader<R>(_ body: (Page) throws -> R) throws -> R { try pool.withMutablePage(0, body) }

    /// Pages `0..<pageCount` exist (allocated or free).
    func pageCount() throws -> PageID { try header { $0.u32(DatabaseHeader.pageCountOffset) } }
    /// Free pages, trunks included.
    func freePageCount() throws -> Int { try header { Int($0.u32(DatabaseHeader.freePageCountOffset)) } }
    /// The first free-list trunk (0: none).
    func freeListHead() throws -> PageID { try header { $0.u32(DatabaseHeader.freeListHeadOffset) } }

    /// The root page recorded in `slot` (0: the tree does not exist yet). Served from `roots`, a copy
    /// of the header's root slots kept in step by `setRoot` (the only writer), so lookups skip page 0.
    func root(_ slot: RootSlot) throws -> PageID {
        if let roots { return roots[slot.rawValue] }
        let loaded = try header { page in
            (0..<DatabaseHeader.rootSlotCount).map { page.u32(DatabaseHeader.rootSlotsOffset + 4 * $0) }
        }
        roots = loaded
        return loaded[slot.rawValue]
    }

    /// Forgets the cached root slots: page 0 changed underneath them (redo, or an operation undone in
    /// memory).
    func reloadRoots() {
        roots = nil
        structureVersion &+= 1
    }

    /// Sets the page count: adopting pages a bulk load wrote past the old end of the file.
    func setPageCount(_ count: PageID) throws {
        try checkWritable()
        try mutableHeader { $0.setU32(DatabaseHeader.pageCountOffset, count) }
    }

    func setRoot(_ slot: RootSlot, _ page: PageID) throws {
        try checkWritable()
        _ = try root(slot)
        try mutableHeader { $0.setU32(DatabaseHeader.rootSlotsOffset + 4 * slot.rawValue, page) }
        roots?[slot.rawValue] = page
    }

    // MARK: Allocation

    /// A page id for a new page: the last entry of the first trunk, the trunk itself once empty, or a new
    /// page at the end of the file when the free list is empty (invariant 3). The caller initialises it
    /// with `pool.withNewPage`.
    /// With `reuseTrunk` false an empty trunk is not handed out (the file grows instead): overflow pages
    /// use this, because a logged operation may write them to the file before its record is durable
    /// (`PageCapture.spill`), which is harmless for a free entry or a page past the end but would
    /// destroy a trunk if the operation never completes.
    func allocate(reuseTrunk: Bool = true) throws -> PageID {
        try checkWritable()
        structureVersion &+= 1
        let head = try freeListHead()
        if head != .none, try reuseTrunk || pool.withPage(head, { FreeListTrunk(page: $0).count > 0 }) {
            let (id, next): (PageID, PageID) = try pool.withMutablePage(head) { page in
                let trunk = FreeListTrunk(page: page)
                if trunk.count > 0 {
                    trunk.count -= 1
                    return (trunk.entry(trunk.count), trunk.next)
                }
                return (head, trunk.next)
            }
            try mutableHeader { header in
                if id == head { header.setU32(DatabaseHeader.freeListHeadOffset, next) }
                header.setU32(DatabaseHeader.freePageCountOffset, header.u32(DatabaseHeader.freePageCountOffset) - 1)
            }
            return id
        }
        if head != .none {
            // The head trunk is empty and may not be handed out: take an entry of a later trunk.
            var trunkID = try pool.withPage(head) { FreeListTrunk(page: $0).next }
            var hops = 0
            while trunkID != .none, hops < 64 {
                let taken: PageID? = try pool.withPage(trunkID) { page in
                    FreeListTrunk(page: page).count > 0 ? PageID.max : nil
                }
                if taken != nil {
                    let id = try pool.withMutablePage(trunkID) { page in
                        let trunk = FreeListTrunk(page: page)
                        trunk.count -= 1
                        return trunk.entry(trunk.count)
                    }
                    try mutableHeader { header in
                        header.setU32(DatabaseHeader.freePageCountOffset, header.u32(DatabaseHeader.freePageCountOffset) - 1)
                    }
                    return id
                }
                trunkID = try pool.withPage(trunkID) { FreeListTrunk(page: $0).next }
                hops += 1
            }
        }
        return try mutableHeader { header in
            let id = header.u32(DatabaseHeader.pageCountOffset)
            guard id < PageID.max - 1 else {
                throw StorageError.diskFull(operation: "allocate page", path: path)
            }
            header.setU32(DatabaseHeader.pageCountOffset, id + 1)
            return id
        }
    }

    /// Returns `id` to the free list. The page must not be pinned; its cached copy is dropped unwritten.
    func free(_ id: PageID) throws {
        try checkWritable()
        precondition(id != 0, "the header page is never freed")
        structureVersion &+= 1
        let head = try freeListHead()
        let capacity = FreeListTrunk.capacity(pageSize: pageSize)
        let addedToHead: Bool
        if head != .none {
            addedToHead = try pool.withMutablePage(head) { page in
                let trunk = FreeListTrunk(page: page)
                guard trunk.count < capacity else { return false }
                trunk.setEntry(trunk.count, id)
                trunk.count += 1
                return true
            }
        } else {
            addedToHead = false
        }
        if addedToHead {
            pool.discard(id)
        } else {
            try pool.withNewPage(id, type: .freeTrunk) { page in
                FreeListTrunk(page: page).next = head
            }
            try mutableHeader { $0.setU32(DatabaseHeader.freeListHeadOffset, id) }
        }
        try mutableHeader { header in
            header.setU32(DatabaseHeader.freePageCountOffset, header.u32(DatabaseHeader.freePageCountOffset) + 1)
        }
    }

    /// Every free page id (trunks and their entries), walking the list. Throws `corruption` on a cycle or
    /// an out-of-range id.
    func freePages() throws -> [PageID] {
        var result: [PageID] = []
        var trunk = try freeListHead()
        let count = try pageCount()
        var seen = Set<PageID>()
        while trunk != .none {
            guard trunk < count, seen.insert(trunk).inserted else {
                throw StorageError.corruption(page: trunk, detail: "free list links to an invalid or repeated trunk")
            }
            result.append(trunk)
            trunk = try pool.withPage(trunk) { page in
                guard page.type == .freeTrunk else {
                    throw StorageError.corruption(page: trunk, detail: "free list trunk has type \(page.rawType)")
                }
                let t = FreeListTrunk(page: page)
                guard t.count <= FreeListTrunk.capacity(pageSize: pageSize) else {
                    throw StorageError.corruption(page: trunk, detail: "free list trunk claims \(t.count) entries")
                }
                for i in 0..<t.count { result.append(t.entry(i)) }
                return t.next
            }
        }
        return result
    }

    // MARK: Durability

    /// Writes every dirty page and syncs the file. On failure the pager turns `failed` (invariant 4).
    /// (Every page change goes through the log; this adds none of its own.)
    func flush() throws {
        try checkWritable()
        do {
            try pool.writeAllDirty()
            try file.sync()
        } catch let error as StorageError {
            fail(error)
            throw error
        }
    }

    /// Writes those of `pages` (ascending) still dirty, without syncing: a checkpoint's write-back in
    /// steps. On failure the pager turns `failed` (invariant 4).
    func writeBack<C: Collection>(pages: C) throws where C.Element == PageID {
        try checkWritable()
        do {
            try pool.writeBack(pages: pages)
        } catch let error as StorageError {
            fail(error)
            throw error
        }
    }

    /// Syncs the data file (a checkpoint's pages are durable after it). Failure turns the pager `failed`.
    func syncFile() throws {
        try checkWritable()
        do {
            try file.sync()
        } catch let error as StorageError {
            fail(error)
            throw error
        }
    }

    /// Records a write failure: the cache is dropped and further changes are refused.
    func fail(_ error: StorageError) {
        if failure == nil { failure = error }
        pool.discardAll()
    }

    /// Throws `closed` after `close`.
    func checkOpen() throws {
        if isClosed { throw StorageError.closed }
    }

    func checkWritable() throws {
        if isClosed { throw StorageError.closed }
        if let failure { throw StorageError.readOnlyAfterFailure(failure.description) }
    }

    /// Flushes (unless failed) and releases the file and its lock.
    func close() throws {
        guard !isClosed else { return }
        defer {
            isClosed = true
            detachedFile.shutDown()
            pool.unmapFile()
            try? file.close()
        }
        if failure == nil { try flush() }
    }

    /// Size of the file in bytes (the last page may not be written yet).
    func fileSize() throws -> UInt64 { try file.size() }
}
