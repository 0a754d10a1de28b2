/// The write-ahead log: an append-only stream of `LogRecord`s stored in numbered segment files beside
/// the data file (`<database>-log.<n>`), each at most `segmentSize` bytes.
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
/// fit, the log continues in segment n+1, whose start LSN is where segment n's records ended.
///
/// Invariants:
/// 1. LSNs are gap-free across segments: a record's LSN is the previous record's LSN plus its size.
/// 2. `durableLSN <= endLSN`; every record below `durableLSN` has been synced (fdatasync returned).
/// 3. Opening cuts a torn tail (see `LogRecord`) and physically removes it — truncating the segment and
///    deleting later ones — so bytes of a lost tail can never reappear behind records written later.
/// 4. After a failed write or sync the log refuses further appends: what was written since the last
///    successful sync may or may not be durable, and retrying the sync would not tell.
///
/// Not thread-safe: the owner serialises calls.
final class WriteAheadLog {
    static let magic: [UInt8] = Array("BasaltLG".utf8)
    static let formatVersion: UInt32 = 1
    static let segmentHeaderSize = 32

    let fileSystem: any FileSystem
    let basePath: String
    let segmentSize: Int

    /// Position of the next record.
    private(set) var endLSN: LSN
    /// Every record below this position is durable.
    private(set) var durableLSN: LSN
    /// The valid records found when the log was opened, oldest first.
    private(set) var recoveredRecords: [LogRecord] = []

    private var segmentNumber: UInt64
    private var segmentStartLSN: LSN
    private var handle: any FileHandle
    /// Encoded records not yet written to the current segment, starting at `pendingLSN`.
    private var pending: [UInt8] = []
    private var pendingLSN: LSN
    private var failure: StorageError?

    static func segmentPath(_ basePath: String, _ number: UInt64) -> String { "\(basePath)-log.\(number)" }
    func segmentPath(_ number: UInt64) -> String { Self.segmentPath(basePath, number) }

    /// Opens the log whose oldest needed segment is `firstSegment`, creating it when missing. Reads every
    /// segment, cutting a torn tail; throws `logCorruption` for damage to records that were durable.
    init(fileSystem: any FileSystem, basePath: String, segmentSize: Int = 16 << 20, firstSegment: UInt64 = 1) throws {
        precondition(segmentSize >= 4096, "log segments are at least 4 KiB")
        self.fileSystem = fileSystem
        self.basePath = basePath
        self.segmentSize = segmentSize

        var number = firstSegment
        var lsn: LSN = 0
        var records: [LogRecord] = []
        var end: (segment: UInt64, offset: Int, start: LSN)?
        while end == nil, fileSystem.fileExists(path: Self.segmentPath(basePath, number)) {
            let bytes = try Self.readWhole(fileSystem, Self.segmentPath(basePath, number))
            guard let start = Self.parseHeader(bytes, number: number) else {
                throw StorageError.logCorruption(segment: number, offset: 0, detail: "segment header is invalid")
            }
            if number != firstSegment && start != lsn {
                throw StorageError.logCorruption(segment: number, offset: 0, detail: "segment starts at LSN \(start), expected \(lsn)")
            }
            lsn = start
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
            segmentNumber = end.segment
            segmentStartLSN = end.start
        } else {
            // No segment at all: a new log.
            segmentNumber = firstSegment
            segmentStartLSN = 0
            handle = try Self.createSegment(fileSystem, Self.segmentPath(basePath, firstSegment), number: firstSegment, start: 0)
        }
        recoveredRecords = records
        endLSN = lsn
        durableLSN = lsn
        pendingLSN = lsn
    }

    deinit { try? handle.close() }

    // MARK: Appending

    /// Appends `record` (its LSN and durable LSN are assigned here) and returns its LSN. It is durable only
    /// after a `flush(through:)` covering it returns.
    @discardableResult
    func append(_ record: LogRecord) throws -> LSN {
        if let failure { throw StorageError.readOnlyAfterFailure(failure.description) }
        let size = record.encodedSize
        guard size <= segmentSize - Self.segmentHeaderSize else {
            throw StorageError.valueTooLarge(size: size, limit: segmentSize - Self.segmentHeaderSize)
        }
        let used = Self.segmentHeaderSize + Int(endLSN - segmentStartLSN)
        if used + size > segmentSize {
            try writePending()
            try guarded { try handle.sync() }
            try handle.close()
            segmentNumber += 1
            segmentStartLSN = endLSN
            handle = try guarded {
                try Self.createSegment(fileSystem, segmentPath(segmentNumber), number: segmentNumber, start: endLSN)
            }
        }
        var stamped = record
        stamped.lsn = endLSN
        stamped.durableLSN = durableLSN
        stamped.encode(at: endLSN, into: &pending)
        let lsn = endLSN
        endLSN += LSN(size)
        return lsn
    }

    /// Makes every record below `lsn` (all appended records by default) durable: one write and one sync
    /// for everything pending, so concurrent committers share it.
    func flush(through lsn: LSN? = nil) throws {
        if let failure { throw StorageError.readOnlyAfterFailure(failure.description) }
        let target = lsn ?? endLSN
        guard target > durableLSN else { return }
        let end = endLSN
        try writePending()
        try guarded { try handle.sync() }
        durableLSN = end
    }

    private func writePending() throws {
        guard !pending.isEmpty else { return }
        let offset = UInt64(Self.segmentHeaderSize) + (pendingLSN - segmentStartLSN)
        try guarded { try pending.withUnsafeBytes { try handle.write($0, at: offset) } }
        pendingLSN += LSN(pending.count)
        pending.removeAll(keepingCapacity: true)
    }

    /// Runs an I/O step; a failure makes the log refuse further work (invariant 4).
    private func guarded<R>(_ body: () throws -> R) throws -> R {
        do {
            return try body()
        } catch let error as StorageError {
            if failure == nil { failure = error }
            throw error
        }
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
