#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Caches pages of one file in a fixed set of frames whose total size never exceeds the byte budget.
///
/// Frames live in one aligned allocation owned by the pool; callers reach page bytes only inside
/// `withPage`/`withMutablePage` closures (or between `pin` and `unpin` inside this module), so a page in
/// use is never evicted and never outlives its frame.
///
/// Invariants:
/// 1. `pageTable` maps exactly the resident pages to their frames; `frameOwner[f]` is the inverse
///    (`PageID.max` for a free frame).
/// 2. A frame with `states[f].pins > 0` is never chosen for eviction.
/// 3. A dirty frame is written back (with its checksum sealed) before its frame is reused.
/// 4. Every page read from the file is verified (checksum, id, type, node layout) before any caller
///    sees it, unless this pool already verified or wrote that page's current bytes (`verified`); a
///    page that fails is not cached.
/// 5. A page held by `pinForRead` without a frame lies in a mapping that stays mapped until it is
///    released (`mappedReaders`, `retiredMappings`), and its bytes in the file do not change meanwhile
///    (only write-backs change them, and a page read in place is neither resident nor dirty).
///
/// Not thread-safe: the owner (`Pager`, and above it the database's lock) serialises all calls.
final class BufferPool {
    let pageSize: Int
    let frameCount: Int
    private let frames: FrameMemory
    private let memory: UnsafeMutableRawPointer
    private var frameOwner: [PageID]
    private let states: FrameStates
    private var pageTable: PageTable
    private var freeFrames: [Int32]
    private let policy: AnyEvictionPolicy
    private let file: any FileHandle
    private(set) var statistics = BufferPoolStatistics()


    /// Pages written to the file so far: a detached read is current if this has not moved since its
    /// miss (see `DetachedFileAccess`).
    private(set) var fileWrites: UInt64 = 0

    /// `writeAllDirty` hands the file range it wrote to `FileHandle.startWriteback` every this many
    /// bytes, so the sync that follows (a checkpoint's) finds most pages already on their way to the
    /// device. Evictions give no hint: on the VM, early writeback of evicted pages made every log
    /// sync of YCSB A wait for them too (Basalt's A about 8% slower in two alternating runs), while a
    /// dirty page left in the kernel's cache until the checkpoint costs nothing meanwhile.
    static let writebackBatchBytes = 1 << 20

    /// Pages whose bytes in the file this pool verified on a read or wrote itself: read back, they skip
    /// the checksum and layout checks. Sound because the file's bytes can change only through this
    /// pool's write-backs while it is open (the database holds an exclusive lock on the file, and every
    /// page write goes through `writeBack`), so a re-read returns bytes already checked or produced
    /// here. A fresh pool (every open, so after any crash) trusts nothing.
    private var verified = PageSet()

    /// The file mapped for reading misses (nil: each miss is a `pread`). Invariant: `mappedFileBytes` never
    /// exceeds the file's size, so a copy from below it never touches the mapping past the end of the
    /// file (SIGBUS): it starts as the size at open and grows only with writes that extended the file.
    private var mapping: FileMapping?
    private var mappedFileBytes: UInt64 = 0
    /// Pages being read in place from a mapping (`pinForRead` without a frame), not yet released.
    private var mappedReaders = 0
    /// Mappings replaced while `mappedReaders > 0`: kept mapped until the last such read is released,
    /// since a reader may still hold a page inside them.
    private var retiredMappings: [FileMapping] = []
    /// Address space reserved past the file's size when mapping it.
    private let mappingSlack: UInt64
    /// How many times the file was mapped (tests).
    private(set) var mappings = 0

    /// While set, a miss throws `DeferredPageMiss` instead of reading the page under the caller's lock.
    var defersMisses = false

    /// Called with a dirty page just before it is written to the file. The write-ahead log uses it to
    /// make the log durable up to the page's LSN first.
    var beforeWriteBack: ((Page) throws -> Void)?

    /// The pages the current logged operation changes (inactive outside one).
    let capture: PageCapture

    /// Creates a pool of `budgetBytes / pageSize` frames (at least `minimumFrames`). With `mapFile`, misses
    /// copy pages from a read-only mapping of the file when the handle can map (see `FileMapping`).
    /// `mappingSlack` is the address space reserved past the file's size, so a growing file is remapped
    /// rarely (tests shrink it to remap often).
    init(file: any FileHandle, pageSize: Int, budgetBytes: Int, policy kind: EvictionPolicyKind, mapFile: Bool = false,
         mappingSlack: UInt64 = 256 << 20) {
        self.mappingSlack = mappingSlack
        self.file = file
        self.pageSize = pageSize
        frameCount = max(Self.minimumFrames, budgetBytes / pageSize)
        frames = FrameMemory(byteCount: frameCount * pageSize)
        memory = frames.base
        frameOwner = Array(repeating: PageID.max, count: frameCount)
        states = FrameStates(count: frameCount)
        pageTable = PageTable(frameCount: frameCount)
        freeFrames = (0..<Int32(frameCount)).reversed()
        policy = AnyEvictionPolicy(kind: kind, states: states)
        capture = PageCapture(pageSize: pageSize, frameCount: frameCount)
        statistics.frameCount = frameCount
        statistics.budgetBytes = frameCount * pageSize
        if mapFile, let size = try? file.size() {
            mappedFileBytes = size
            remap(covering: size)
        }
    }

    /// Maps (again) enough of the file for `bytes` and some growth; on failure misses fall back to `pread`.
    private func remap(covering bytes: UInt64) {
        let length = (bytes * 2 + mappingSlack) / UInt64(pageSize) * UInt64(pageSize)
        if mappedReaders > 0, let mapping { retiredMappings.append(mapping) }
        mapping = nil
        mapping = file.mapForReading(length: Int(length))
        if mapping != nil { mappings += 1 }
    }

    /// Notes that the file holds at least `end` bytes (a write reached there).
    private func fileReaches(_ end: UInt64) {
        guard let mapping, end > mappedFileBytes else { return }
        mappedFileBytes = end
        if end > UInt64(mapping.length) { remap(covering: end) }
    }

    /// Whether misses copy pages from a mapping of the file (no system call per miss).
    var mapsFile: Bool { mapping != nil }

    /// Drops the file mapping (before the file closes); later misses use `pread`.
    func unmapFile() {
        precondition(mappedReaders == 0, "unmapping the file while a page is read from it")
        mapping = nil
        mappedFileBytes = 0
    }

    /// The fewest frames a pool has: a B+tree operation pins a handful of pages at once.
    static let minimumFrames = 16

    @inline(__always) func page(ofFrame frame: Int32) -> Page {
        Page(base: memory + Int(frame) * pageSize, size: pageSize)
    }

    // MARK: Scoped access

    /// Runs `body` with page `id` pinned (read from the file and verified if not resident).
    @inline(__always)
    func withPage<R>(_ id: PageID, _ body: (Page) throws -> R) throws -> R {
        let frame = try pin(id)
        defer { unpin(frame) }
        return try body(page(ofFrame: frame))
    }

    /// Runs `body` with page `id` pinned and marks it dirty.
    @inline(__always)
    func withMutablePage<R>(_ id: PageID, _ body: (Page) throws -> R) throws -> R {
        let frame = try pin(id)
        defer { unpin(frame) }
        markDirty(frame)
        return try body(page(ofFrame: frame))
    }

    /// Runs `body` with a frame for the brand-new page `id`, zeroed and initialised as `type`, not read
    /// from the file (it may lie past its end). The page is dirty.
    func withNewPage<R>(_ id: PageID, type: PageType, _ body: (Page) throws -> R) throws -> R {
        let frame: Int32
        let wasResident: Bool
        if let resident = pageTable.frame(of: id) {
            frame = resident
            wasResident = true
            states[frame].pointee.pins += 1
            policy.recordAccess(frame)
        } else {
            frame = try claimFrame()
            wasResident = false
            install(id, in: frame)
        }
        defer { unpin(frame) }
        if capture.isActive { captureChange(frame, isNew: true, hasBefore: wasResident) }
        markDirty(frame)
        let p = page(ofFrame: frame)
        p.initialize(type: type, id: id)
        let result = try body(p)
        if capture.isActive, capture.pinnedCount >= capture.spillThreshold, let spill = capture.spill {
            try spill()
        }
        return result
    }

    // MARK: Pins

    /// Pins page `id`, reading it if needed. Pair with `unpin`.
    @inline(__always)
    func pin(_ id: PageID) throws -> Int32 {
        if let frame = pinResident(id) { return frame }
        return try load(id)
    }

    /// Pins page `id` if it is resident (a hit).
    @inline(__always)
    private func pinResident(_ id: PageID) -> Int32? {
        guard let frame = pageTable.frame(of: id) else { return nil }
        statistics.hits &+= 1
        states[frame].pointee.pins += 1
        policy.recordAccess(frame)
        return frame
    }

    @inline(__always)
    func unpin(_ frame: Int32) {
        states[frame].pointee.pins -= 1
    }

    /// A page held for reading by `pinForRead`: a pinned frame, or (`frame == -1`) the page's bytes in
    /// place in the file's read-only mapping. Release with `release`; never write through `page`.
    struct ReadPin {
        let page: Page
        let frame: Int32
    }

    /// Holds page `id` for reading. A resident page is pinned in its frame; any other is read in place
    /// from the file's mapping when the file is mapped (verified on its first read like any miss): no
    /// frame is claimed, so a read neither copies the page nor evicts (and writes back) another.
    ///
    /// Sound because a page that is not resident has its current bytes in the file (a dirty page is
    /// always resident), and the file's copy of a page changes only when the pool writes that page
    /// back, which needs it resident and dirty: the caller must not change the page while holding it
    /// (the tree-reading contract). A remap while such reads are held keeps the old mapping alive.
    @inline(__always)
    func pinForRead(_ id: PageID) throws -> ReadPin {
        if let frame = pinResident(id) { return ReadPin(page: page(ofFrame: frame), frame: frame) }
        return try readInPlace(id)
    }

    @inline(__always)
    func release(_ pin: ReadPin) {
        if pin.frame >= 0 {
            unpin(pin.frame)
        } else {
            mappedReaders -= 1
            if mappedReaders == 0 && !retiredMappings.isEmpty { retiredMappings.removeAll() }
        }
    }

    /// Runs `body` with page `id` held for reading (`pinForRead`). `body` must not change the page.
    @inline(__always)
    func withPageForRead<R>(_ id: PageID, _ body: (Page) throws -> R) throws -> R {
        let pin = try pinForRead(id)
        defer { release(pin) }
        return try body(pin.page)
    }

    @inline(never)
    private func readInPlace(_ id: PageID) throws -> ReadPin {
        let offset = UInt64(id) * UInt64(pageSize)
        guard let mapping, offset + UInt64(pageSize) <= mappedFileBytes else {
            let frame = try load(id)
            return ReadPin(page: page(ofFrame: frame), frame: frame)
        }
        let p = Page(base: UnsafeMutableRawPointer(mutating: mapping.base + Int(offset)), size: pageSize)
        try verifyOnce(p, id)
        statistics.inPlaceReads &+= 1
        mappedReaders += 1
        return ReadPin(page: p, frame: -1)
    }

    @inline(__always)
    func markDirty(_ frame: Int32) {
        if capture.isActive { captureChange(frame, isNew: false, hasBefore: true) }
        if !states[frame].pointee.dirty {
            states[frame].pointee.dirty = true
            statistics.dirtyPages += 1
        }
    }

    @inline(never)
    private func load(_ id: PageID) throws -> Int32 {
        if defersMisses { throw DeferredPageMiss(page: id, fileWrites: fileWrites, verified: verified.contains(id)) }
        let frame = try claimFrame()
        let p = page(ofFrame: frame)
        do {
            let offset = UInt64(id) * UInt64(pageSize)
            let read: Int
            if let mapping, offset + UInt64(pageSize) <= mappedFileBytes {
                p.base.copyMemory(from: mapping.base + Int(offset), byteCount: pageSize)
                read = pageSize
            } else {
                read = try file.read(into: UnsafeMutableRawBufferPointer(start: p.base, count: pageSize), at: offset)
                if read == pageSize { fileReaches(offset + UInt64(pageSize)) }
            }
            guard read == pageSize else {
                throw StorageError.corruption(page: id, detail: "page lies past the end of the file (\(read) of \(pageSize) bytes read)")
            }
            try verifyOnce(p, id)
        } catch {
            freeFrames.append(frame)
            throw error
        }
        statistics.misses &+= 1
        install(id, in: frame)
        return frame
    }

    /// Caches `bytes`, page `id` as a `DetachedFileAccess` read it after a miss at `fileWrites` ==
    /// `expected`, unless the page became resident meanwhile or any page was written to the file since
    /// (the bytes could then predate a write-back of this page). Returns whether it was installed.
    func installDetached(_ id: PageID, _ bytes: [UInt8], ifFileWrites expected: UInt64) throws -> Bool {
        precondition(bytes.count == pageSize, "detached page size")
        guard pageTable.frame(of: id) == nil, fileWrites == expected else {
            statistics.detachedDiscards &+= 1
            return false
        }
        let frame = try claimFrame()
        bytes.withUnsafeBytes { page(ofFrame: frame).base.copyMemory(from: $0.baseAddress!, byteCount: pageSize) }
        verified.insert(id)   // the detached reader verified the bytes, or they were verified before
        statistics.misses &+= 1
        statistics.detachedLoads &+= 1
        install(id, in: frame)
        unpin(frame)
        return true
    }

    /// Checks page `id` just read from the file unless this pool verified or wrote its bytes before
    /// (invariant 4); remembers it as verified.
    private func verifyOnce(_ page: Page, _ id: PageID) throws {
        guard !verified.contains(id) else { return }
        try page.verify(expected: id)
        try Self.verifyStructure(page)
        verified.insert(id)
        statistics.verifiedReads &+= 1
    }

    /// The structural check every page read from the file passes, besides its checksum: a B+tree node's
    /// header, slots and cells lie within the page (invariant 4).
    static func verifyStructure(_ page: Page) throws {
        if page.type == .leaf || page.type == .internal { try BTreeNode(page).validateLayout() }
    }

    private func install(_ id: PageID, in frame: Int32) {
        frameOwner[Int(frame)] = id
        pageTable.insert(id, frame: frame)
        states[frame].pointee.pins = 1
        policy.admit(frame)
        statistics.residentPages += 1
    }

    /// A frame free for a new page: an unused one, or an evicted victim (written back first if dirty).
    private func claimFrame() throws -> Int32 {
        if let frame = freeFrames.popLast() { return frame }
        guard let victim = policy.victim(isPinned: { self.states[$0].pointee.pins > 0 }) else {
            throw StorageError.bufferPoolExhausted(frames: frameCount)
        }
        if states[victim].pointee.dirty {
            do {
                try writeBack(victim)
            } catch {
                policy.admit(victim)
                throw error
            }
        }
        pageTable.remove(frameOwner[Int(victim)])
        frameOwner[Int(victim)] = PageID.max
        statistics.evictions &+= 1
        statistics.residentPages -= 1
        return victim
    }

    private func writeBack(_ frame: Int32) throws {
        let p = page(ofFrame: frame)
        try beforeWriteBack?(p)
        p.sealChecksum()
        let offset = UInt64(frameOwner[Int(frame)]) * UInt64(pageSize)
        try file.write(UnsafeRawBufferPointer(start: p.base, count: pageSize), at: offset)
        fileReaches(offset + UInt64(pageSize))
        states[frame].pointee.dirty = false
        verified.insert(frameOwner[Int(frame)])
        statistics.dirtyPages -= 1
        statistics.writes &+= 1
        fileWrites &+= 1
    }

    // MARK: Whole-pool operations

    /// Writes every dirty page, in page order (sequential I/O). Does not sync the file.
    func writeAllDirty() throws {
        try writeBack(pages: dirtyPageIDs())
    }

    /// The dirty pages, in page order.
    func dirtyPageIDs() -> [PageID] {
        var ids: [PageID] = []
        for frame in 0..<Int32(frameCount) where states[frame].pointee.dirty { ids.append(frameOwner[Int(frame)]) }
        ids.sort()
        return ids
    }

    /// Writes those of `pages` (ascending) that are resident and dirty; the others were written or
    /// dropped since the caller listed them. Does not sync the file, but hands what it wrote to the
    /// device's writeback (`writebackBatchBytes`), the last part too.
    func writeBack<C: Collection>(pages: C) throws where C.Element == PageID {
        // In page order, so each batch's range holds just its own pages.
        var batchStart: UInt64?
        var batchEnd: UInt64 = 0
        var batchPages = 0
        for id in pages {
            guard let frame = pageTable.frame(of: id), states[frame].pointee.dirty else { continue }
            let offset = UInt64(id) * UInt64(pageSize)
            try writeBack(frame)
            if batchStart == nil { batchStart = offset }
            batchEnd = offset + UInt64(pageSize)
            batchPages += 1
            if batchPages * pageSize >= Self.writebackBatchBytes, let start = batchStart {
                file.startWriteback(at: start, length: batchEnd - start)
                batchStart = nil
                batchPages = 0
            }
        }
        if let start = batchStart { file.startWriteback(at: start, length: batchEnd - start) }
    }

    /// Drops page `id` from the pool without writing it (its page was freed). It must not be pinned
    /// (apart from the capture's own pin, which is released here).
    func discard(_ id: PageID) {
        guard let frame = pageTable.frame(of: id) else { return }
        if capture.isActive, let index = capture.entry(ofFrame: frame) {
            capture.markDiscarded(index)
            states[frame].pointee.pins -= 1
        }
        precondition(states[frame].pointee.pins == 0, "discarding pinned page \(id)")
        if states[frame].pointee.dirty {
            states[frame].pointee.dirty = false
            statistics.dirtyPages -= 1
        }
        pageTable.remove(id)
        frameOwner[Int(frame)] = PageID.max
        policy.remove(frame)
        freeFrames.append(frame)
        statistics.residentPages -= 1
    }

    /// Drops every page without writing: after a failure the cache may no longer match the file.
    func discardAll() {
        for frame in 0..<frameCount where frameOwner[frame] != PageID.max {
            pageTable.remove(frameOwner[frame])
            frameOwner[frame] = PageID.max
            states[Int32(frame)].pointee.dirty = false
            states[Int32(frame)].pointee.pins = 0
            policy.remove(Int32(frame))
        }
        freeFrames = (0..<Int32(frameCount)).reversed()
        statistics.dirtyPages = 0
        statistics.residentPages = 0
    }

    // MARK: Logged operations

    /// Starts recording the pages the next operation changes (see `PageCapture`).
    func beginCapture() { capture.begin() }

    /// First change of `frame` in the current operation: keep its before-image and pin it (invariant 1
    /// of `PageCapture`). A later `withNewPage` of an already captured page only marks it new.
    @inline(never)
    private func captureChange(_ frame: Int32, isNew: Bool, hasBefore: Bool) {
        if let index = capture.entry(ofFrame: frame) {
            if isNew { capture.markNew(index) }
            return
        }
        capture.add(id: frameOwner[Int(frame)], frame: frame, bytes: hasBefore ? UnsafeRawPointer(page(ofFrame: frame).base) : nil,
                    wasDirty: states[frame].pointee.dirty, isNew: isNew)
        states[frame].pointee.pins += 1
    }

    /// Captured pages the operation created that are complete (pinned by nobody but the capture) and
    /// of type `type`: what a spill may log early.
    func spillableEntries(type: PageType) -> [Int] {
        capture.entries.indices.filter { index in
            let entry = capture.entries[index]
            return entry.isNew && !entry.discarded && !entry.spilled && states[entry.frame].pointee.pins == 1
                && page(ofFrame: entry.frame).type == type
        }
    }

    /// Entries `indices` were logged at `lsn` (a `pageImage` record): stamp and release them.
    func releaseSpilled(_ indices: [Int], lsn: LSN) {
        for index in indices {
            let entry = capture.entries[index]
            page(ofFrame: entry.frame).lsn = lsn
            states[entry.frame].pointee.pins -= 1
            capture.markSpilled(index)
        }
    }

    /// The operation is logged at `lsn`: every page whose redo the record holds (`logged[i]`, all when
    /// nil) takes it as its page LSN, and every captured page is released. A page the operation touched
    /// without a net change keeps its LSN: the write-ahead rule must still cover its earlier changes.
    func finishCapture(lsn: LSN, logged: [Bool]? = nil) {
        for (index, entry) in capture.entries.enumerated() where !entry.discarded && !entry.spilled {
            if lsn != 0, logged?[index] ?? true { page(ofFrame: entry.frame).lsn = lsn }
            states[entry.frame].pointee.pins -= 1
        }
        capture.reset()
    }

    /// The operation failed: every page it changed gets its before-image back (freed pages are
    /// reinstalled, pages it created are dropped), so the cache is as it was before it started.
    /// Throws only when reinstalling a freed page needs a frame and none can be had; the caller then
    /// treats the cache as lost (`Pager.fail`).
    func abortCapture() throws {
        defer { capture.reset() }
        for index in capture.entries.indices.reversed() {
            let entry = capture.entries[index]
            // A spilled page is new and unreachable once the operation is undone: it stays as it is.
            if entry.spilled { continue }
            if entry.discarded {
                guard entry.hasBefore else { continue }
                let frame: Int32
                if let resident = pageTable.frame(of: entry.id) {
                    frame = resident
                    states[frame].pointee.pins += 1
                } else {
                    frame = try claimFrame()
                    install(entry.id, in: frame)
                }
                page(ofFrame: frame).base.copyMemory(from: capture.before(index), byteCount: pageSize)
                setDirty(frame, entry.wasDirty)
                unpin(frame)
                continue
            }
            states[entry.frame].pointee.pins -= 1
            if entry.hasBefore {
                page(ofFrame: entry.frame).base.copyMemory(from: capture.before(index), byteCount: pageSize)
                setDirty(entry.frame, entry.wasDirty)
            } else if states[entry.frame].pointee.pins == 0 {
                // Created by the operation in a fresh frame: the file never saw it.
                setDirty(entry.frame, false)
                discardFrame(entry.frame)
            }
        }
    }

    private func setDirty(_ frame: Int32, _ dirty: Bool) {
        if states[frame].pointee.dirty != dirty {
            states[frame].pointee.dirty = dirty
            statistics.dirtyPages += dirty ? 1 : -1
        }
    }

    private func discardFrame(_ frame: Int32) {
        pageTable.remove(frameOwner[Int(frame)])
        frameOwner[Int(frame)] = PageID.max
        policy.remove(frame)
        freeFrames.append(frame)
        statistics.residentPages -= 1
    }

    /// Installs `bytes` as page `id` (replacing any cached copy) and marks it dirty: redo of a page image.
    func installImage(_ id: PageID, _ bytes: UnsafeRawPointer) throws {
        let frame: Int32
        if let resident = pageTable.frame(of: id) {
            frame = resident
            states[frame].pointee.pins += 1
        } else {
            frame = try claimFrame()
            install(id, in: frame)
        }
        defer { unpin(frame) }
        page(ofFrame: frame).base.copyMemory(from: bytes, byteCount: pageSize)
        markDirty(frame)
    }

    /// Every dirty page with its page LSN (a checkpoint's dirty page table).
    func dirtyPageList() -> [(page: PageID, lsn: LSN)] {
        (0..<Int32(frameCount)).compactMap { frame in
            states[frame].pointee.dirty ? (frameOwner[Int(frame)], page(ofFrame: frame).lsn) : nil
        }
    }

    /// Pages pinned right now (tests assert it returns to zero).
    var pinnedCount: Int { (0..<Int32(frameCount)).reduce(0) { $0 + (states[$1].pointee.pins > 0 ? 1 : 0) } }
}
