#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization
/// The write-ahead log: an append-only stream of `LogRecord`s stored in numbered segment files beside
/// the data file (`<database>-log.<n>`), each about `segmentSize` bytes.
///
/// Segment header (32 bytes, little-endian):
///
/// | offset | size | field                                    |
/// |--------|------|------------------------------------------|
/// | 0      | 8    | magic `BasaltLG`                         |
/// | 8      | 4    | format version (1)                       |
/// | 12     | 4    | reserved, zero                           |
/// | 16     | 8    | segment number                           |
/// | 24     | 8    | LSN of the segment's first record        |
///
/// Records follow the header back to back; a record never spans segments. When the next record does not
/// fit, the log continues in segment n+1, whose start LSN is where segment n's records ended. A record
/// larger than a segment gets a segment of its own (the only case where a segment exceeds the size).
///
/// Invariants:
/// 1. LSNs are gap-free across segments: a record's LSN is the previous record's LSN plus its size. A new
///    log starts at `startLSN` (at least `firstLSN`, so no record has LSN 0, which pages use for "never
///    logged").
/// 2. `durableLSN <= endLSN`; every record below `durableLSN` has been synced (fdatasync returned).
/// 3. Opening cuts a torn tail (see `LogRecord`) and physically removes it — truncating the segment and
///    deleting later ones — so bytes of a lost tail can never reappear behind records written later.
/// 4. After a failed write or sync the log refuses further work: what was written since the last
///    successful sync may or may not be durable, and retrying the sync would not tell.
///
/// Concurrency (group commit): one thread appends at a time (the engine's owner serialises `append`),
/// while any number of threads may call `flush` at once. One of them at a time is the flusher: it takes
/// everything pending, writes and syncs it outside the lock, publishes the new durable LSN and wakes
/// every waiter. Committers whose record that sync covered return; of the rest, one becomes the next
/// flusher and takes everything appended during the previous sync — one `fdatasync` per batch, and
/// the batch grows with the number of committers.
///
/// With few committers that alone rarely pairs two commits: each arrives while the other's sync runs,
/// and then syncs alone. So a flusher may first wait up to `groupCommitWait` for one more record to be
/// appended, but only while waiting has recently paid: `Tail.partnerScore` rises when a commit arrived
/// during a sync it missed or when a wait gathered one, and falls when a wait gathered nothing — a lone
/// committer never waits (PostgreSQL's commit_delay, self-tuned instead of gated on a sibling count).
package final class WriteAheadLog: Sendable {
    static let magic: [UInt8] = Array("BasaltLG".utf8)
    static let formatVersion: UInt32 = 1
    static let segmentHeaderSize = 32
    /// The LSN of the first record of a brand-new log.
    package static let firstLSN: LSN = 64

    let fileSystem: any FileSystem
    let basePath: String
    let segmentSize: Int

    /// In-memory tail of the log. Invariant: `pending` holds exactly the records in `pendingLSN..<endLSN`,
    /// all in the current segment (which starts at `segmentStartLSN`); `durableLSN <= pendingLSN <= endLSN`.
    /// Records in `durableLSN..<pendingLSN` are being written by the thread that owns the files, or were
    /// written without a sync (`writeBehind`) and await the next flush's.
    private struct Tail {
        var endLSN: LSN
        var durableLSN: LSN
        var pendingLSN: LSN
        var pending: [UInt8] = []
        var spare: [UInt8] = []
        var segmentStartLSN: LSN
        var failure: StorageError?
        /// A thread owns the segment files (flushing or switching segments); others wait.
        var busy = false
        /// The end of the bytes the current flusher took (valid while `busy` and not `awaitingPartner`).
        var inFlightEnd: LSN = 0
        /// A flusher owns the files but waits for another record before taking the pending bytes.
        var awaitingPartner = false
        /// How much a flusher's wait for a partner has recently paid, 0 (never wait) to `maxPartnerScore`.
        var partnerScore = 0
        /// Flushes that waited for a partner, and those whose wait gathered one.
        var partnerWaits = 0
        var partnersFound = 0
        /// Syncs of the log that completed (one per flush batch or segment switch).
        var syncs = 0
    }

    /// Group commit figures so far: completed syncs, flushes that waited for a partner, and how many
    /// of those waits gathered one. Committed transactions per sync show how well commits group.
    package var syncStatistics: (syncs: Int, partnerWaits: Int, partnersFound: Int) {
        tail.withLock { ($0.syncs, $0.partnerWaits, $0.partnersFound) }
    }

    static let maxPartnerScore = 8

    /// The longest a flusher waits for a partner (see the concurrency note); zero never waits.
    let groupCommitWait: Duration

    /// The segment files. Invariant: used only by the thread that set `Tail.busy` (or during init and
    /// close), so at most one thread does file I/O on the log at a time; `handle` is the last segment
    /// of `segments`.
    private struct Files {
        var handle: any FileHandle
        var segments: [(number: UInt64, start: LSN)]
        /// The current segment's bytes up to here exist in the file (records or zero fill).
        var allocated: UInt64

        /// Writes `bytes` at `offset` of the current segment. Past the allocated end the file is first
        /// extended with zeros a chunk at a time: a sync after overwriting allocated blocks needs no
        /// file-size update, so most commits pay for one data flush, not a metadata journal commit
        /// (the reason PostgreSQL zero-fills its WAL segments). Zeros read as no record (length 0).
        /// A `chunk` of 0 fills nothing ahead: the bytes extend the file themselves.
        mutating func write(_ bytes: [UInt8], at offset: UInt64, chunk: Int) throws {
            let end = offset + UInt64(bytes.count)
            if offset > allocated { try fillZeros(from: allocated, to: offset) }
            try bytes.withUnsafeBytes { try handle.write($0, at: offset) }
            if end > allocated {
                // Only the zeros past the records: the records themselves extend the file.
                let target = max(end, allocated + UInt64(chunk))
                try fillZeros(from: end, to: target)
                allocated = target
            }
        }

        private mutating func fillZeros(from start: UInt64, to end: UInt64) throws {
            guard end > start else { return }
            // calloc: a large block comes zeroed from the kernel, so no page is written before the write
            // reads it.
            let count = Int(end - start)
            // Like Swift's own allocations, running out of memory here traps.
            guard let zeros = calloc(count, 1) else { fatalError("cannot allocate \(count) bytes of log zero fill") }
            defer { free(zeros) }
            try handle.write(UnsafeRawBufferPointer(start: zeros, count: count), at: start)
        }
    }

    /// Zero-fill granularity of segment files.
    private var fillChunk: Int { min(segmentSize, 1 << 20) }

    private let tail: ConditionLocked<Tail>

    /// `tail.durableLSN`, mirrored after every change (under the tail lock) for lock-free reads.

    private let durable: Atomic<UInt64>
    private let files: Locked<Files>
    private let recovered: Locked<[LogRecord]>

    static func segmentPath(_ basePath: String, _ number: UInt64) -> String { "\(basePath)-log.\(number)" }
    func segmentPath(_ number: UInt64) -> String { Self.segmentPath(basePath, number) }

    /// Opens the log whose oldest needed segment is `firstSegment`, creating it (starting at `startLSN`)
    /// when missing. Segments numbered below `firstSegment` are leftovers of a recycling a crash
    /// interrupted and are deleted. Reads every segment, cutting a torn tail; throws `logCorruption` for
    /// damage to records that were durable.
    package init(fileSystem: any FileSystem, basePath: String, segmentSize: Int = 16 << 20, firstSegment: UInt64 = 1,
                 startLSN: LSN = WriteAheadLog.firstLSN, groupCommitWait: Duration = .zero,
                 writeBehindBytes: Int = WriteAheadLog.defaultWriteBehindBytes) throws {
        precondition(segmentSize >= 4096, "log segments are at least 4 KiB")
        precondition(writeBehindBytes > 0, "write-behind needs a positive threshold")
        self.groupCommitWait = groupCommitWait
        self.writeBehindBytes = writeBehindBytes
        self.fileSystem = fileSystem
        self.basePath = basePath
        self.segmentSize = segmentSize

        var older = firstSegment
        while older > 1, fileSystem.fileExists(path: Self.segmentPath(basePath, older - 1)) {
            older -= 1
            try fileSystem.removeFile(path: Self.segmentPath(basePath, older))
        }

        var number = firstSegment
        var lsn: LSN = 0
        var records: [LogRecord] = []
        var segments: [(number: UInt64, start: LSN)] = []
        var end: (segment: UInt64, offset: Int, start: LSN)?
        var previousEnd: (segment: UInt64, offset: Int, start: LSN)?
        while end == nil, fileSystem.fileExists(path: Self.segmentPath(basePath, number)) {
            let bytes = try Self.readWhole(fileSystem, Self.segmentPath(basePath, number))
            guard let start = Self.parseHeader(bytes, number: number) else {
                // A segment's header is synced before any record goes into it: an invalid header with
                // nothing after it is a creation a crash cut short, and the segment never held a record.
                if bytes.count <= Self.segmentHeaderSize, number > firstSegment || records.isEmpty {
                    try fileSystem.removeFile(path: Self.segmentPath(basePath, number))
                    var later = number + 1
                    while fileSystem.fileExists(path: Self.segmentPath(basePath, later)) {
                        try fileSystem.removeFile(path: Self.segmentPath(basePath, later))
                        later += 1
                    }
                    end = previousEnd
                    if let previousEnd { segments.removeAll { $0.number > previousEnd.segment } }
                    break
                }
                throw StorageError.logCorruption(segment: number, offset: 0, detail: "segment header is invalid")
            }
            if number != firstSegment && start != lsn {
                throw StorageError.logCorruption(segment: number, offset: 0, detail: "segment starts at LSN \(start), expected \(lsn)")
            }
            lsn = start
            segments.append((number, start))
            var offset = Self.segmentHeaderSize
            while true {
                let decoded = bytes.withUnsafeBytes { LogRecord.decode($0, at: offset, lsn: lsn) }
                if case .success(let record) = decoded {
                    records.append(record)
                    offset += record.encodedSize
                    lsn += LSN(record.encodedSize)
                    continue
                }
                // No valid record here: either the writer moved on to the next segment, or the log ends.
                let next = Self.segmentPath(basePath, number + 1)
                if fileSystem.fileExists(path: next),
                   let nextStart = Self.parseHeader(try Self.readWhole(fileSystem, next), number: number + 1),
                   nextStart == lsn {
                    previousEnd = (number, offset, start)
                    break
                }
                if let evidence = try Self.laterDurableRecord(fileSystem, basePath, bytes, segment: number,
                                                             segmentStart: start, after: offset, damagedLSN: lsn) {
                    throw StorageError.logCorruption(segment: number, offset: offset, detail: evidence)
                }
                end = (number, offset, start)
                break
            }
            if end == nil { number += 1 }
        }

        let handle: any FileHandle
        let segmentStart: LSN
        if let end {
            // Invariant 3: the torn tail goes, physically.
            let file = try fileSystem.open(path: Self.segmentPath(basePath, end.segment), options: FileOpenOptions(create: false, exclusiveLock: false))
            try file.truncate(to: UInt64(end.offset))
            try file.sync()
            var later = end.segment + 1
            while fileSystem.fileExists(path: Self.segmentPath(basePath, later)) {
                try fileSystem.removeFile(path: Self.segmentPath(basePath, later))
                later += 1
            }
            handle = file
            segmentStart = end.start
        } else {
            // No segment at all: a new log.
            lsn = max(startLSN, Self.firstLSN)
            segmentStart = lsn
            segments = [(firstSegment, lsn)]
            handle = try Self.createSegment(fileSystem, Self.segmentPath(basePath, firstSegment), number: firstSegment, start: lsn)
        }
        tail = ConditionLocked(Tail(endLSN: lsn, durableLSN: lsn, pendingLSN: lsn, segmentStartLSN: segmentStart))
        durable = Atomic(lsn)
        files = Locked(Files(handle: handle, segments: segments, allocated: try handle.size()))
        recovered = Locked(records)
    }

    deinit { files.withLock { try? $0.handle.close() } }

    /// Position of the next record.
    package var endLSN: LSN { tail.withLock { $0.endLSN } }
    /// Every record below this position is durable. Lock-free: readers check it on every snapshot.
    package var durableLSN: LSN { durable.load(ordering: .acquiring) }
    /// The error that stopped the log, if any (invariant 4).
    package var failure: StorageError? { tail.withLock { $0.failure } }
    /// The valid records found when the log was opened, oldest first (until `releaseRecoveredRecords`).
    var recoveredRecords: [LogRecord] { recovered.withLock { $0 } }
    /// Frees the records read at open once recovery no longer needs them.
    func releaseRecoveredRecords() { recovered.withLock { $0 = [] } }

    /// The oldest segment kept and its first LSN.
    var oldestSegment: (number: UInt64, start: LSN) { files.withLock { $0.segments[0] } }
    /// Bytes of log held in segment files (approximately: whole segments up to the end).
    package var retainedBytes: UInt64 {
        let start = files.withLock { $0.segments[0].start }
        return endLSN - start
    }

    // MARK: Appending

    /// Appends `record` (its LSN and durable LSN are assigned here) and returns its LSN. It is durable only
    /// after a `flush` covering it returns. Only one thread appends at a time.
    @discardableResult
    func append(_ record: LogRecord) throws -> LSN {
        let size = record.encodedSize
        let (end, segmentStart) = try tail.withLock { t -> (LSN, LSN) in
            if let failure = t.failure { throw StorageError.readOnlyAfterFailure(failure.description) }
            return (t.endLSN, t.segmentStartLSN)
        }
        let used = Self.segmentHeaderSize + Int(end - segmentStart)
        if used + size > segmentSize && end > segmentStart {
            try switchSegment(at: end)
        }
        let (lsn, wake, writeOut) = tail.withLock { t in
            var stamped = record
            stamped.lsn = t.endLSN
            stamped.durableLSN = t.durableLSN
            stamped.encode(at: t.endLSN, into: &t.pending)
            let lsn = t.endLSN
            t.endLSN += LSN(size)
            return (lsn, t.awaitingPartner, t.pending.count >= writeBehindBytes && !t.busy)
        }
        if wake { tail.wakeAll() }
        if writeOut { try writeBehind() }
        return lsn
    }

    /// Pending bytes beyond which `append` writes them to the segment without a sync (see `writeBehind`).
    let writeBehindBytes: Int
    /// 1 MiB: large enough that a small commit never writes early, small enough that the two buffers
    /// stay in cache.
    package static let defaultWriteBehindBytes = 1 << 20

    /// Writes the pending records out without syncing them, when no other thread owns the files (it
    /// never waits). A large transaction's log then goes to the kernel as it is produced, through one
    /// pair of reused buffers, instead of growing one buffer to the size of the whole transaction
    /// (copied at each doubling, faulted in page by page) and leaving all of it for the commit's sync.
    /// Durability is unchanged: `durableLSN` moves only after a sync, which covers these bytes too (the
    /// next flush syncs the same segment; a segment switch syncs the old one first). The written bytes
    /// also start going to the device at once (`FileHandle.startWriteback`), while the transaction
    /// goes on producing log. These writes fill no zeros ahead of themselves: the next write-behind
    /// extends the file with records anyway, so a fill would double the bytes a large transaction
    /// writes (and copies into the page cache) for one metadata update saved per megabyte; the syncs
    /// that follow are few.
    private func writeBehind() throws {
        let taken: Job? = tail.withLock { t in
            guard t.failure == nil, !t.busy, t.pending.count >= writeBehindBytes else { return nil }
            t.busy = true
            let job = Job(bytes: t.pending, start: t.pendingLSN, end: t.endLSN)
            t.pending = t.spare
            t.spare = []
            t.pendingLSN = t.endLSN
            return job
        }
        guard var job = taken else { return }
        try finish(&job, { files, job in
            let offset = UInt64(Self.segmentHeaderSize) + (job.start - files.segments[files.segments.count - 1].start)
            try files.write(job.bytes, at: offset, chunk: 0)
            // The next sync (a flush, or the switch to a new segment) then finds most of these bytes
            // already on their way to the device.
            files.handle.startWriteback(at: offset, length: UInt64(job.bytes.count))
        }, durable: false)
    }

    /// Makes every record below `lsn` (all appended records by default) durable. Concurrent callers share
    /// one write and one sync (see the type's concurrency note).
    package func flush(through lsn: LSN? = nil) throws {
        let target = try tail.withLock { t -> LSN in
            if let failure = t.failure { throw StorageError.readOnlyAfterFailure(failure.description) }
            let target = lsn ?? t.endLSN
            // Arriving during a sync that does not cover this record: a wait would have paired them.
            if t.busy, !t.awaitingPartner, target > t.inFlightEnd, t.inFlightEnd > 0 {
                t.partnerScore = min(t.partnerScore + 1, Self.maxPartnerScore)
            }
            return target
        }
        while var job = try takeFiles(unless: { $0.durableLSN >= target }, mayWaitForPartner: true) {
            try drain(&job)
        }
    }

    /// Makes the record at `lsn` durable.
    package func flush(covering lsn: LSN) throws { try flush(through: lsn + 1) }

    /// Bytes taken out of `pending` by the thread that owns the files.
    private struct Job {
        var bytes: [UInt8]
        var start: LSN
        var end: LSN
    }

    /// Waits until `done` holds (returns nil) or the files are free; then takes them and the pending
    /// bytes (the caller must `drain`, which releases the files).
    /// With `mayWaitForPartner`, a flusher first waits for one more record as the concurrency note says.
    private func takeFiles(unless done: @escaping (Tail) -> Bool, mayWaitForPartner: Bool = false) throws -> Job? {
        let waitsUntil: UInt64? = try tail.wait { t -> UInt64?? in
            if let failure = t.failure { throw StorageError.readOnlyAfterFailure(failure.description) }
            if done(t) { return .some(nil) }
            if t.busy { return nil }
            t.busy = true
            guard mayWaitForPartner, groupCommitWait > .zero, t.partnerScore > 0 else { return .some(0) }
            t.awaitingPartner = true
            return .some(t.endLSN)
        }
        guard let waitsUntil else { return nil }
        if waitsUntil > 0 {
            let (seconds, attoseconds) = groupCommitWait.components
            let deadline = ConditionLocked<Tail>.now() + UInt64(seconds) * 1_000_000_000 + UInt64(attoseconds / 1_000_000_000)
            let partner = tail.wait(until: { t in t.endLSN > waitsUntil ? true : nil }, deadline: deadline) != nil
            tail.withLock { t in
                t.partnerScore = partner ? min(t.partnerScore + 1, Self.maxPartnerScore) : max(t.partnerScore - 2, 0)
                t.partnerWaits += 1
                if partner { t.partnersFound += 1 }
            }
        }
        return tail.withLock { t in
            t.awaitingPartner = false
            let job = Job(bytes: t.pending, start: t.pendingLSN, end: t.endLSN)
            t.pending = t.spare
            t.spare = []
            t.pendingLSN = t.endLSN
            t.inFlightEnd = t.endLSN
            return job
        }
    }

    /// Writes and syncs `job` into the current segment (see `finish`).
    private func drain(_ job: inout Job) throws {
        try finish(&job) { files, job in try writeAndSync(job, &files) }
    }

    /// Writes `job` at its place in the current segment and syncs the segment.
    private func writeAndSync(_ job: Job, _ files: inout Files) throws {
        if !job.bytes.isEmpty {
            let offset = UInt64(Self.segmentHeaderSize) + (job.start - files.segments[files.segments.count - 1].start)
            try files.write(job.bytes, at: offset, chunk: fillChunk)
        }
        try files.handle.sync()
    }

    /// Syncs the current segment and continues in a new one starting at `start` (the current end).
    private func switchSegment(at start: LSN) throws {
        // Own the files with everything pending taken; keep them while the new segment is created.
        guard var job = try takeFiles(unless: { _ in false }) else { return }
        try finish(&job, { files, job in
            try writeAndSync(job, &files)
            let number = files.segments[files.segments.count - 1].number + 1
            let handle = try Self.createSegment(fileSystem, segmentPath(number), number: number, start: start)
            try? files.handle.close()
            files.handle = handle
            files.segments.append((number, start))
            files.allocated = UInt64(Self.segmentHeaderSize)
        }, then: { $0.segmentStartLSN = start })
    }

    /// Runs `work` on the files the caller owns with `job` (from `takeFiles`). Then, on success, publishes
    /// `job.end` as durable unless `durable` is false (a write without a sync), and applies `then`; on
    /// failure records it (invariant 4). Either way it releases the files and wakes every waiter.
    private func finish(_ job: inout Job, _ work: (inout Files, borrowing Job) throws -> Void, durable synced: Bool = true,
                        then: (inout Tail) -> Void = { _ in }) throws {
        do {
            try files.withLock { try work(&$0, job) }
        } catch let error as StorageError {
            tail.broadcast { t in
                if t.failure == nil { t.failure = error }
                t.busy = false
            }
            throw error
        }
        // The job's buffer becomes the next spare. Taken out of the job first, so it is uniquely
        // referenced and `removeAll(keepingCapacity:)` keeps its pages instead of allocating a fresh
        // block that every later append would fault in page by page.
        var spare = job.bytes
        job.bytes = []
        spare.removeAll(keepingCapacity: true)
        let end = job.end
        tail.broadcast { t in
            if synced {
                t.syncs += 1
                t.durableLSN = max(t.durableLSN, end)
                durable.store(t.durableLSN, ordering: .releasing)
            }
            t.busy = false
            if t.spare.capacity < spare.capacity { t.spare = spare }
            then(&t)
        }
    }

    // MARK: Recycling

    /// The number of the segment holding the record at `lsn` (the oldest segment for older LSNs).
    func segmentNumber(containing lsn: LSN) -> UInt64 {
        files.withLock { files in
            var result = files.segments[0].number
            for segment in files.segments where segment.start <= lsn { result = segment.number }
            return result
        }
    }

    /// Forgets the segments numbered below `number` (never the current one) and returns their paths,
    /// oldest first, for `deleteSegmentFiles`. Callers first record `number` durably in the control
    /// file, so recovery never looks for a retired segment.
    func retireSegments(before number: UInt64) -> [String] {
        files.withLock { files in
            var paths: [String] = []
            while files.segments.count > 1, files.segments[0].number < number {
                paths.append(segmentPath(files.segments[0].number))
                files.segments.removeFirst()
            }
            return paths
        }
    }

    /// Deletes retired segment files, oldest first, holding no lock: unlinking a 16 MiB segment took
    /// about 50 ms on the VM, and under the files lock every commit's sync waited for it. Nothing uses a
    /// retired segment (only the current one is written), and a crash part way leaves the newest ones,
    /// right below the control file's first segment, which the next open deletes (see `init`).
    func deleteSegmentFiles(_ paths: [String]) throws {
        for path in paths { try fileSystem.removeFile(path: path) }
    }

    /// Closes the current segment file.
    func close() {
        files.withLock { try? $0.handle.close() }
    }

    // MARK: Segment files

    private static func createSegment(_ fs: any FileSystem, _ path: String, number: UInt64, start: LSN) throws -> any FileHandle {
        let file = try fs.open(path: path, options: FileOpenOptions(create: true, exclusiveLock: false))
        var header = [UInt8](repeating: 0, count: segmentHeaderSize)
        header.withUnsafeMutableBytes { h in
            for (i, byte) in magic.enumerated() { h[i] = byte }
            h.storeBytes(of: formatVersion.littleEndian, toByteOffset: 8, as: UInt32.self)
            h.storeBytes(of: number.littleEndian, toByteOffset: 16, as: UInt64.self)
            h.storeBytes(of: start.littleEndian, toByteOffset: 24, as: UInt64.self)
        }
        try file.truncate(to: 0)
        try header.withUnsafeBytes { try file.write($0, at: 0) }
        try file.sync()
        return file
    }

    /// The start LSN of a segment whose header is valid and names `number`.
    private static func parseHeader(_ bytes: [UInt8], number: UInt64) -> LSN? {
        guard bytes.count >= segmentHeaderSize, Array(bytes[0..<8]) == magic else { return nil }
        return bytes.withUnsafeBytes { b -> LSN? in
            guard UInt32(littleEndian: b.loadUnaligned(fromByteOffset: 8, as: UInt32.self)) == formatVersion,
                  UInt64(littleEndian: b.loadUnaligned(fromByteOffset: 16, as: UInt64.self)) == number else { return nil }
            return UInt64(littleEndian: b.loadUnaligned(fromByteOffset: 24, as: UInt64.self))
        }
    }

    private static func readWhole(_ fs: any FileSystem, _ path: String) throws -> [UInt8] {
        let file = try fs.open(path: path, options: FileOpenOptions(create: false, exclusiveLock: false))
        defer { try? file.close() }
        let size = Int(try file.size())
        var bytes = [UInt8](repeating: 0, count: size)
        let read = try bytes.withUnsafeMutableBytes { try file.read(into: $0, at: 0) }
        return Array(bytes[0..<read])
    }

    /// Looks past a damaged position for a valid record written after `damagedLSN` was already durable —
    /// in the rest of this segment (8-byte aligned positions) or at the start of later segments. Returns
    /// a description of that evidence, or nil when the damage is a torn tail.
    private static func laterDurableRecord(_ fs: any FileSystem, _ basePath: String, _ bytes: [UInt8],
                                           segment: UInt64, segmentStart: LSN, after offset: Int,
                                           damagedLSN: LSN) throws -> String? {
        var probe = offset + 8
        while probe + LogRecord.headerSize <= bytes.count {
            let lsn = segmentStart + LSN(probe - segmentHeaderSize)
            if case .success(let record) = bytes.withUnsafeBytes({ LogRecord.decode($0, at: probe, lsn: lsn) }),
               record.durableLSN > damagedLSN {
                return "damaged record at LSN \(damagedLSN), but the record at LSN \(lsn) was written after it was synced"
            }
            probe += 8
        }
        var later = segment + 1
        while fs.fileExists(path: Self.segmentPath(basePath, later)) {
            let data = try readWhole(fs, Self.segmentPath(basePath, later))
            if let start = parseHeader(data, number: later),
               case .success(let record) = data.withUnsafeBytes({ LogRecord.decode($0, at: segmentHeaderSize, lsn: start) }),
               record.durableLSN > damagedLSN {
                return "damaged record at LSN \(damagedLSN), but segment \(later) holds records written after it was synced"
            }
            later += 1
        }
        return nil
    }
}
