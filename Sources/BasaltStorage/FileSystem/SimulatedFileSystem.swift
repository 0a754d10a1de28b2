import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An in-memory `FileSystem` for deterministic crash and fault tests, modelled on SQLite's crash VFS
/// (test6.c) and Pebble's `CrashableMem`.
///
/// Model: each file has the bytes reads see (`current`) and a durable history: a byte image plus the
/// ordered changes (writes, truncates) made since, each tagged synced, unsynced, or doomed.
/// - `write` and `truncate` change `current` at once and append an unsynced change.
/// - A successful `sync` on any handle of the file marks its unsynced changes synced: they survive every
///   crash.
/// - A failed `sync` (an injected fault) marks its unsynced changes *doomed*: a crash may keep, drop or
///   tear them even if a later `sync` succeeds. This is Linux's behaviour after an fsync error (the pages
///   are marked clean, so the retry has nothing to write) and the reason the `FileSystem` contract makes
///   a failed sync final. Reads still see the data until a crash.
/// - `crash(seed:)` replays each file's history: synced changes are applied; every unsynced or doomed
///   write is independently kept, dropped, torn to a random-length prefix, or torn to a random subset of
///   its 512-byte sectors; every unsynced truncate is kept or dropped. The result is deterministic for a
///   given seed and history.
/// - Names are durable at once: a created file exists after a crash (empty if nothing was synced), a
///   removed one is gone. `POSIXFileSystem` matches this by fsyncing the directory.
/// - Removing a file that is open leaves the open handles working on the unlinked file, as POSIX does;
///   a crash discards it.
///
/// Sendable without `@unchecked`: every piece of mutable state lives inside `state`'s `Mutex`, and the
/// handles it returns hold only immutable values plus a reference back to this object.
public final class SimulatedFileSystem: FileSystem {
    // Invariant: every read or change of the simulated disk, the handle table, the locks, the fault plan
    // and the operation counters happens inside one `withLock`, so each `FileSystem`/`FileHandle` call is
    // atomic with respect to every other (including `crash`).
    let state: Mutex<SimulatedDisk>

    /// An empty file system.
    public init() {
        state = Mutex(SimulatedDisk())
    }

    init(disk: sending SimulatedDisk) {
        state = Mutex(disk)
    }

    /// How long each successful `sync` takes before it returns, outside the file system's lock, as a
    /// device flush would: concurrent callers overlap with it (group commit tests). Zero by default.
    public var syncLatency: Duration {
        get { state.withLock { $0.syncLatency } }
        set { state.withLock { $0.syncLatency = newValue } }
    }

    /// Opens `path`. Counts as one `.open` operation (and may fail with an injected fault). A missing file
    /// without `options.create` throws `ioFailure` with ENOENT; an exclusive open of a file whose lock a
    /// live handle holds throws `databaseLocked`.
    public func open(path: String, options: FileOpenOptions) throws -> any FileHandle {
        let (id, epoch) = try state.withLock { disk -> (Int, UInt64) in
            try disk.countOperation(.open, path: path)
            let inode: Int
            if let existing = disk.directory[path] {
                inode = existing
            } else if options.create {
                inode = disk.nextInode
                disk.nextInode += 1
                disk.inodes[inode] = SimulatedFile(durable: [])
                disk.directory[path] = inode
            } else {
                throw StorageError.ioFailure(operation: "open", path: path, errno: ENOENT)
            }
            if options.exclusiveLock, disk.locks[inode] != nil {
                throw StorageError.databaseLocked(path: path)
            }
            let id = disk.nextHandle
            disk.nextHandle += 1
            disk.handles[id] = inode
            if options.exclusiveLock { disk.locks[inode] = id }
            return (id, disk.epoch)
        }
        return SimulatedFileHandle(fileSystem: self, id: id, epoch: epoch, path: path)
    }

    /// Whether a file is named `path`.
    public func fileExists(path: String) -> Bool {
        state.withLock { $0.directory[path] != nil }
    }

    /// Removes the name `path` (durably); open handles keep working on the unlinked file until closed.
    public func removeFile(path: String) throws {
        state.withLock { disk in
            guard let inode = disk.directory.removeValue(forKey: path) else { return }
            if !disk.handles.values.contains(inode) { disk.inodes[inode] = nil }
        }
    }

    // MARK: Test helpers

    /// What reads of `path` currently return, or nil when no file has that name.
    public func fileBytes(path: String) -> [UInt8]? {
        state.withLock { disk in disk.directory[path].flatMap { disk.inodes[$0]?.current } }
    }

    /// The `startWriteback` hints given through handles of `path` so far, oldest first, each with the
    /// span of the writes through `path` between it and the hint before it (nil when there were none).
    public func writebackHints(path: String) -> [(hint: Range<UInt64>, written: Range<UInt64>?)] {
        state.withLock { $0.writebackHints[path] ?? [] }
    }

    /// The names of all files, sorted.
    public var paths: [String] {
        state.withLock { $0.directory.keys.sorted() }
    }

    /// The number of handles opened and neither closed nor invalidated by a crash.
    public var openHandleCount: Int {
        state.withLock { $0.handles.count }
    }

    /// Flips bits of the byte at `offset` of `path` (`byte ^= xor`) both in what reads see and in the
    /// file's durable image, simulating media corruption. A later crash that replays synced or surviving
    /// writes over that byte overwrites the damage, as rewriting a bad sector would.
    /// Precondition: the file exists and `offset` is below its current size.
    public func corrupt(path: String, offset: Int, xor: UInt8) {
        state.withLock { disk in
            guard let inode = disk.directory[path], var file = disk.inodes[inode], offset < file.current.count else {
                preconditionFailure("corrupt: \(path) has no byte at offset \(offset)")
            }
            file.current[offset] ^= xor
            if offset < file.durable.count { file.durable[offset] ^= xor }
            disk.inodes[inode] = file
        }
    }

    /// Simulates power loss: every open handle becomes dead (its calls throw `ioFailure` EIO), every lock
    /// is released, the fault plan is cleared (operation counters are kept), unlinked files vanish, and
    /// each file becomes one random crash outcome of its history (see the type's documentation).
    /// Deterministic for a given `seed` and history.
    public func crash(seed: UInt64) {
        state.withLock { disk in
            disk.epoch &+= 1
            disk.handles.removeAll()
            disk.locks.removeAll()
            disk.faults.removeAll()
            var random = SeededRandom(seed: seed)
            disk.inodes = disk.survivingFiles { file in file.crashOutcome(using: &random) }
        }
    }

    /// A new file system holding the state `crash(seed:)` with the same seed would leave, with no handles,
    /// no faults and zeroed counters; this file system is unchanged (Pebble's CrashClone).
    public func crashClone(seed: UInt64) -> SimulatedFileSystem {
        let disk = state.withLock { disk -> SimulatedDisk in
            var random = SeededRandom(seed: seed)
            return SimulatedDisk(
                directory: disk.directory,
                inodes: disk.survivingFiles { file in file.crashOutcome(using: &random) },
                nextInode: disk.nextInode
            )
        }
        return SimulatedFileSystem(disk: disk)
    }

    /// A new file system holding only what is certainly durable: the crash outcome in which every
    /// unsynced or doomed change is lost. This file system is unchanged.
    public func cloneDurable() -> SimulatedFileSystem {
        let disk = state.withLock { disk -> SimulatedDisk in
            SimulatedDisk(
                directory: disk.directory,
                inodes: disk.survivingFiles { file in file.syncedOutcome() },
                nextInode: disk.nextInode
            )
        }
        return SimulatedFileSystem(disk: disk)
    }
}

/// Everything `SimulatedFileSystem` guards with its mutex.
struct SimulatedDisk: Sendable {
    /// Name → inode number. Inode numbers grow with creation order, which fixes the crash replay order.
    var directory: [String: Int] = [:]
    var inodes: [Int: SimulatedFile] = [:]
    var nextInode = 1
    /// Live handle id → inode. Closed handles and handles from before the last crash are absent.
    var handles: [Int: Int] = [:]
    var nextHandle = 1
    /// Inode → id of the handle holding its exclusive lock.
    var locks: [Int: Int] = [:]
    /// Incremented by each crash; a handle whose epoch differs was invalidated by a crash.
    var epoch: UInt64 = 0
    var operationCounts: [FileOperation: Int] = [:]
    var faults: [ActiveFault] = []
    /// Writes, syncs and truncates so far (the operations a crash can fall between).
    var changingOperations = 0
    /// Scheduled crash points (changing-operation numbers), descending, and the seed of their outcomes.
    var crashPoints: [Int] = []
    var crashSeed: UInt64 = 0
    /// Crash states captured at the scheduled points, oldest first.
    var crashSnapshots: [(operation: Int, disk: SimulatedDisk)] = []
    /// How long each successful `sync` takes, as a device flush would (zero: instant).
    var syncLatency: Duration = .zero
    /// Every `startWriteback` hint so far, by path, in order: the hinted `offset..<offset + length`, and
    /// the span of the writes through that path since its previous hint (nil: none).
    var writebackHints: [String: [(hint: Range<UInt64>, written: Range<UInt64>?)]] = [:]
    /// The span of the writes through each path since its last hint.
    var unhintedWrites: [String: Range<UInt64>] = [:]

    init() {}

    init(directory: [String: Int], inodes: [Int: SimulatedFile], nextInode: Int) {
        self.directory = directory
        self.inodes = inodes
        self.nextInode = nextInode
    }

    /// The named files rebuilt by `outcome`, visited in inode order so seeded outcomes are reproducible
    /// (dictionary order is not). Unlinked files are dropped.
    func survivingFiles(_ outcome: (SimulatedFile) -> [UInt8]) -> [Int: SimulatedFile] {
        var result: [Int: SimulatedFile] = [:]
        for inode in Set(directory.values).sorted() {
            if let file = inodes[inode] { result[inode] = SimulatedFile(durable: outcome(file)) }
        }
        return result
    }

    /// The inode behind live handle `id`, or the error a dead or closed handle throws.
    func inode(handle id: Int, epoch: UInt64, operation: String, path: String) throws -> Int {
        guard epoch == self.epoch else {
            throw StorageError.ioFailure(operation: "\(operation) (handle invalidated by crash)", path: path, errno: EIO)
        }
        guard let inode = handles[id] else { throw StorageError.closed }
        return inode
    }
}

/// One simulated file: what reads see, and the history a crash replays.
struct SimulatedFile: Sendable {
    /// The bytes every crash outcome starts from.
    var durable: [UInt8]
    /// Changes since `durable`, oldest first. Invariant: when no change is doomed, the log is empty
    /// after a successful sync (`durable == current`).
    var log: [LoggedChange] = []
    /// What reads see: `durable` with every logged change applied.
    var current: [UInt8]

    init(durable: [UInt8]) {
        self.durable = durable
        self.current = durable
    }

    enum Change: Sendable {
        case write(offset: Int, bytes: [UInt8])
        case truncate(size: Int)
    }

    enum Durability: Sendable {
        /// Not yet covered by a sync: a crash may lose or tear it.
        case unsynced
        /// Covered by a successful sync: survives every crash.
        case synced
        /// Covered by a failed sync: a crash may lose or tear it, whatever later syncs do.
        case doomed
    }

    struct LoggedChange: Sendable {
        var change: Change
        var durability: Durability
    }

    mutating func apply(_ change: Change) {
        Self.apply(change, to: &current)
        log.append(LoggedChange(change: change, durability: .unsynced))
    }

    mutating func syncSucceeded() {
        for index in log.indices where log[index].durability == .unsynced {
            log[index].durability = .synced
        }
        // Fold the synced prefix into the image so the log stays short; doomed changes must stay
        // logged because their fate is decided only at the crash.
        var folded = 0
        while folded < log.count, log[folded].durability == .synced {
            Self.apply(log[folded].change, to: &durable)
            folded += 1
        }
        log.removeFirst(folded)
    }

    mutating func syncFailed() {
        for index in log.indices where log[index].durability == .unsynced {
            log[index].durability = .doomed
        }
    }

    /// One random crash outcome: synced changes applied, the others each kept, dropped or torn.
    func crashOutcome(using random: inout SeededRandom) -> [UInt8] {
        var bytes = durable
        for entry in log {
            guard entry.durability != .synced else {
                Self.apply(entry.change, to: &bytes)
                continue
            }
            switch entry.change {
            case .truncate:
                if Bool.random(using: &random) { Self.apply(entry.change, to: &bytes) }
            case let .write(offset, data):
                switch Int.random(in: 0..<4, using: &random) {
                case 0:
                    Self.apply(entry.change, to: &bytes)
                case 1:
                    break
                case 2:
                    // Torn to a prefix, as when power fails mid-transfer.
                    let kept = data.isEmpty ? 0 : Int.random(in: 0..<data.count, using: &random)
                    Self.apply(.write(offset: offset, bytes: Array(data[..<kept])), to: &bytes)
                default:
                    // Torn by sector: the device persisted some 512-byte sectors and not others.
                    var start = offset
                    let end = offset + data.count
                    while start < end {
                        let sectorEnd = min(end, (start / Self.sectorSize + 1) * Self.sectorSize)
                        if Bool.random(using: &random) {
                            let slice = Array(data[(start - offset)..<(sectorEnd - offset)])
                            Self.apply(.write(offset: start, bytes: slice), to: &bytes)
                        }
                        start = sectorEnd
                    }
                }
            }
        }
        return bytes
    }

    /// The outcome in which every change not covered by a successful sync is lost.
    func syncedOutcome() -> [UInt8] {
        var bytes = durable
        for entry in log where entry.durability == .synced {
            Self.apply(entry.change, to: &bytes)
        }
        return bytes
    }

    /// POSIX semantics: a write past the end zero-fills the gap; an empty write changes nothing.
    static func apply(_ change: Change, to bytes: inout [UInt8]) {
        switch change {
        case let .write(offset, data):
            guard !data.isEmpty else { return }
            let end = offset + data.count
            if offset == bytes.count {
                bytes.append(contentsOf: data)
                return
            }
            if bytes.count < end { bytes.append(contentsOf: [UInt8](repeating: 0, count: end - bytes.count)) }
            bytes.withUnsafeMutableBytes { target in
                data.withUnsafeBytes { source in
                    (target.baseAddress! + offset).copyMemory(from: source.baseAddress!, byteCount: data.count)
                }
            }
        case let .truncate(size):
            if size < bytes.count {
                bytes.removeSubrange(size...)
            } else {
                bytes.append(contentsOf: [UInt8](repeating: 0, count: size - bytes.count))
            }
        }
    }

    /// The granularity of sector-torn writes.
    static let sectorSize = 512
}

/// A handle on a `SimulatedFileSystem` file. Holds only immutable values; all state is in the file
/// system's mutex, so unlike `POSIXFileHandle` it is safe to share between threads.
final class SimulatedFileHandle: FileHandle, Sendable {
    let fileSystem: SimulatedFileSystem
    let id: Int
    /// The file system's crash epoch when this handle was opened.
    let epoch: UInt64
    let path: String

    init(fileSystem: SimulatedFileSystem, id: Int, epoch: UInt64, path: String) {
        self.fileSystem = fileSystem
        self.id = id
        self.epoch = epoch
        self.path = path
    }

    /// Copies up to `buffer.count` bytes of the current contents; short only at end of file. Counts as a
    /// `.read` operation.
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: UInt64) throws -> Int {
        try fileSystem.state.withLock { disk in
            let inode = try disk.inode(handle: id, epoch: epoch, operation: "pread", path: path)
            try disk.countOperation(.read, path: path)
            let bytes = disk.inodes[inode]!.current
            guard offset < UInt64(bytes.count) else { return 0 }
            let start = Int(offset)
            let count = min(buffer.count, bytes.count - start)
            guard count > 0 else { return 0 }
            bytes.withUnsafeBytes { source in
                buffer.baseAddress!.copyMemory(from: source.baseAddress! + start, byteCount: count)
            }
            return count
        }
    }

    /// Applies the write to the current contents as one unsynced change. Counts as a `.write`
    /// operation; a failed (injected) write changes nothing.
    func write(_ buffer: UnsafeRawBufferPointer, at offset: UInt64) throws {
        try fileSystem.state.withLock { disk in
            let inode = try disk.inode(handle: id, epoch: epoch, operation: "pwrite", path: path)
            try disk.countOperation(.write, path: path)
            disk.inodes[inode]!.apply(.write(offset: Int(offset), bytes: Array(buffer)))
            let span = offset..<offset + UInt64(buffer.count)
            disk.unhintedWrites[path] = disk.unhintedWrites[path].map {
                min($0.lowerBound, span.lowerBound)..<max($0.upperBound, span.upperBound)
            } ?? span
        }
    }

    /// Marks the file's unsynced changes synced, or on an injected failure doomed. Counts as a `.sync`
    /// operation.
    func sync() throws {
        let latency = try fileSystem.state.withLock { disk in
            let inode = try disk.inode(handle: id, epoch: epoch, operation: "fdatasync", path: path)
            do {
                try disk.countOperation(.sync, path: path)
            } catch {
                disk.inodes[inode]!.syncFailed()
                throw error
            }
            disk.inodes[inode]!.syncSucceeded()
            return disk.syncLatency
        }
        if latency > .zero {
            let (seconds, attoseconds) = latency.components
            var request = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
            var remaining = timespec()
            while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
        }
    }

    /// Records the hint (see `SimulatedFileSystem.writebackHints`). Not counted, never faulted, and no
    /// change to what a crash keeps: starting writeback makes nothing durable.
    func startWriteback(at offset: UInt64, length: UInt64) {
        fileSystem.state.withLock { disk in
            disk.writebackHints[path, default: []].append((offset..<offset + length, disk.unhintedWrites[path]))
            disk.unhintedWrites[path] = nil
        }
    }

    /// The current size. Not counted and never faulted.
    func size() throws -> UInt64 {
        try fileSystem.state.withLock { disk in
            let inode = try disk.inode(handle: id, epoch: epoch, operation: "fstat", path: path)
            return UInt64(disk.inodes[inode]!.current.count)
        }
    }

    /// Cuts or zero-extends the file as one unsynced change. Counts as a `.truncate` operation; a failed
    /// (injected) truncate changes nothing.
    func truncate(to size: UInt64) throws {
        try fileSystem.state.withLock { disk in
            let inode = try disk.inode(handle: id, epoch: epoch, operation: "ftruncate", path: path)
            try disk.countOperation(.truncate, path: path)
            disk.inodes[inode]!.apply(.truncate(size: Int(size)))
        }
    }

    /// Releases the handle and its lock. Throws `closed` when already closed and `ioFailure` EIO when a
    /// crash invalidated the handle. Not counted and never faulted.
    func close() throws {
        try fileSystem.state.withLock { disk in
            let inode = try disk.inode(handle: id, epoch: epoch, operation: "close", path: path)
            disk.handles[id] = nil
            if disk.locks[inode] == id { disk.locks[inode] = nil }
            // The last handle on an unlinked file frees it.
            if !disk.directory.values.contains(inode), !disk.handles.values.contains(inode) {
                disk.inodes[inode] = nil
            }
        }
    }
}
