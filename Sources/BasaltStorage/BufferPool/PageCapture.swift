/// The pages one logged operation changes, with the bytes each had before it: what the write-ahead log
/// needs to describe the change (a diff or an image per page) and what lets a failed operation be undone
/// in memory, so the cache never holds half an operation.
///
/// While active, the buffer pool reports every page the operation makes dirty (`BufferPool.markDirty`,
/// `withNewPage`); the first report of a page copies its bytes here and pins its frame.
///
/// Invariants:
/// 1. A captured frame stays pinned until `BufferPool.finishCapture`/`abortCapture`: a page holding
///    changes the log does not describe yet can never be written back (the write-ahead rule).
/// 2. `frameEntry[f]` is the index of the live entry for frame `f`, or -1.
/// 3. Entry `i`'s before-image is at `memory + i * pageSize` when `hasBefore`.
final class PageCapture {
    struct Entry {
        var id: PageID
        var frame: Int32
        /// The frame held the page before the operation (its bytes were copied).
        var hasBefore: Bool
        /// The page was dirty before the operation (restored on abort, so an aborted operation does
        /// not leave a clean page dirty).
        var wasDirty: Bool
        /// The operation initialised the page from scratch (`withNewPage`): the log gets an image.
        var isNew: Bool
        /// The operation freed the page (its frame was discarded): nothing to log, but an abort
        /// reinstalls it.
        var discarded: Bool
        /// Already logged by a `pageImage` record and released (see `spill`).
        var spilled = false
    }

    let pageSize: Int
    private(set) var isActive = false
    private(set) var entries: [Entry] = []
    /// Entries holding a pin (not discarded, not spilled).
    private(set) var pinnedCount = 0
    /// When `pinnedCount` reaches this, the pool calls `spill` after the next new page is complete.
    var spillThreshold = Int.max
    /// Logs the complete new overflow pages of the operation early and releases them, so an operation
    /// writing a value larger than the pool still fits (the engine installs it; see
    /// `StorageEngine.spillCapturedPages`).
    var spill: (() throws -> Void)?
    private var memory: UnsafeMutableRawPointer
    private var capacity: Int
    private var frameEntry: [Int32]

    init(pageSize: Int, frameCount: Int) {
        self.pageSize = pageSize
        capacity = 8
        memory = .allocate(byteCount: capacity * pageSize, alignment: 64)
        frameEntry = Array(repeating: -1, count: frameCount)
    }

    deinit { memory.deallocate() }

    func begin() {
        precondition(!isActive && entries.isEmpty, "captures do not nest")
        isActive = true
    }

    /// The before-image of entry `index` (mutable: the diff aligns its LSN and checksum fields).
    func before(_ index: Int) -> UnsafeMutableRawPointer { memory + index * pageSize }

    /// The entry index for `frame`, if captured.
    @inline(__always) func entry(ofFrame frame: Int32) -> Int? {
        let index = frameEntry[Int(frame)]
        return index >= 0 ? Int(index) : nil
    }

    /// Records a new entry, copying `bytes` as its before-image when given.
    func add(id: PageID, frame: Int32, bytes: UnsafeRawPointer?, wasDirty: Bool, isNew: Bool) {
        if entries.count == capacity {
            let grown = UnsafeMutableRawPointer.allocate(byteCount: 2 * capacity * pageSize, alignment: 64)
            grown.copyMemory(from: memory, byteCount: capacity * pageSize)
            memory.deallocate()
            memory = grown
            capacity *= 2
        }
        if let bytes { before(entries.count).copyMemory(from: bytes, byteCount: pageSize) }
        frameEntry[Int(frame)] = Int32(entries.count)
        entries.append(Entry(id: id, frame: frame, hasBefore: bytes != nil, wasDirty: wasDirty, isNew: isNew, discarded: false))
        pinnedCount += 1
    }

    /// Entry `index` was logged early and its pin released.
    func markSpilled(_ index: Int) {
        frameEntry[Int(entries[index].frame)] = -1
        entries[index].spilled = true
        pinnedCount -= 1
    }

    func markNew(_ index: Int) { entries[index].isNew = true }

    /// The page of entry `index` was freed: its frame is about to be reused for something else.
    func markDiscarded(_ index: Int) {
        frameEntry[Int(entries[index].frame)] = -1
        entries[index].discarded = true
        pinnedCount -= 1
    }

    /// Ends the capture, forgetting every entry (the pool has released their pins).
    func reset() {
        for entry in entries where !entry.discarded && !entry.spilled { frameEntry[Int(entry.frame)] = -1 }
        entries.removeAll(keepingCapacity: true)
        pinnedCount = 0
        isActive = false
    }
}
