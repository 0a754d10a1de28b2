/// The control file (`<database>-log.ctl`): where recovery starts. Like PostgreSQL's `pg_control`, it
/// names the last complete checkpoint; unlike the log, it is overwritten in place, so it holds two
/// copies written alternately and a torn write can lose at most the newer one.
///
/// Layout: two 512-byte slots (separate sectors) at offsets 0 and 512, each (little-endian):
///
/// | offset | size | field                                                              |
/// |--------|------|--------------------------------------------------------------------|
/// | 0      | 8    | magic `BasaltCK`                                                   |
/// | 8      | 4    | format version (1)                                                 |
/// | 12     | 4    | CRC32C of bytes 16..<64                                            |
/// | 16     | 8    | sequence number (the valid slot with the higher one wins)          |
/// | 24     | 8    | redo LSN: the last complete checkpoint's `checkpointBegin` record  |
/// | 32     | 8    | LSN of that checkpoint's `checkpointEnd` record (0: none yet)      |
/// | 40     | 8    | oldest log segment recovery needs                                  |
/// | 48     | 8    | log end when written (a new log continues from here)               |
/// | 56     | 8    | reserved, zero                                                     |
///
/// Invariant: a slot is written (and synced) only after everything it names is durable — the
/// checkpoint's records and the data file pages it flushed — and segments below `firstSegment` are
/// deleted only after it is synced.
struct ControlFile {
    struct Checkpoint: Equatable {
        var sequence: UInt64 = 0
        var redoLSN: LSN = WriteAheadLog.firstLSN
        var endLSN: LSN = 0
        var firstSegment: UInt64 = 1
        var logEnd: LSN = WriteAheadLog.firstLSN
    }

    static let magic: [UInt8] = Array("BasaltCK".utf8)
    static let formatVersion: UInt32 = 1
    static let slotSize = 512

    let path: String
    private let handle: any FileHandle
    /// The checkpoint read at open or last written.
    private(set) var current: Checkpoint
    /// Whether the file held a valid slot when opened.
    let existed: Bool

    static func path(for databasePath: String) -> String { "\(databasePath)-log.ctl" }

    /// Whether `bytes` (the start of a control file) hold a valid slot.
    static func hasValidSlot(_ bytes: [UInt8]) -> Bool {
        decode(bytes, at: 0) != nil || decode(bytes, at: slotSize) != nil
    }

    /// Opens (creating when missing) the control file of the database at `databasePath`. Without a
    /// valid slot it starts from the beginning of the log (no checkpoint completed yet).
    init(fileSystem: any FileSystem, databasePath: String) throws {
        path = Self.path(for: databasePath)
        let file = try fileSystem.open(path: path, options: FileOpenOptions(create: true, exclusiveLock: false))
        handle = file
        let size = Int(try file.size())
        var bytes = [UInt8](repeating: 0, count: max(size, 0))
        if size > 0 { _ = try bytes.withUnsafeMutableBytes { try file.read(into: $0, at: 0) } }
        let slots = [0, Self.slotSize].compactMap { Self.decode(bytes, at: $0) }
        if let best = slots.max(by: { a, b in a.sequence < b.sequence }) {
            current = best
            existed = true
        } else {
            // No valid slot: slots are written alternately, so a torn write always leaves the other
            // slot valid once one checkpoint completed. Here none did (the first write was torn, or
            // the file is new): recovery starts at the beginning of the log.
            current = Checkpoint()
            existed = false
        }
    }

    /// Durably records `checkpoint` (its sequence is assigned here) in the older slot.
    mutating func write(_ checkpoint: Checkpoint) throws {
        var next = checkpoint
        next.sequence = current.sequence + 1
        var slot = [UInt8](repeating: 0, count: 64)
        slot.withUnsafeMutableBytes { s in
            for (i, byte) in Self.magic.enumerated() { s[i] = byte }
            s.storeBytes(of: Self.formatVersion.littleEndian, toByteOffset: 8, as: UInt32.self)
            s.storeBytes(of: next.sequence.littleEndian, toByteOffset: 16, as: UInt64.self)
            s.storeBytes(of: next.redoLSN.littleEndian, toByteOffset: 24, as: UInt64.self)
            s.storeBytes(of: next.endLSN.littleEndian, toByteOffset: 32, as: UInt64.self)
            s.storeBytes(of: next.firstSegment.littleEndian, toByteOffset: 40, as: UInt64.self)
            s.storeBytes(of: next.logEnd.littleEndian, toByteOffset: 48, as: UInt64.self)
            let crc = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(s)[16..<64]))
            s.storeBytes(of: crc.littleEndian, toByteOffset: 12, as: UInt32.self)
        }
        let offset = UInt64(Int(next.sequence % 2) * Self.slotSize)
        try slot.withUnsafeBytes { try handle.write($0, at: offset) }
        try handle.sync()
        current = next
    }

    func close() { try? handle.close() }

    private static func decode(_ bytes: [UInt8], at offset: Int) -> Checkpoint? {
        guard bytes.count >= offset + 64, Array(bytes[offset..<offset + 8]) == magic else { return nil }
        return bytes.withUnsafeBytes { b -> Checkpoint? in
            let s = UnsafeRawBufferPointer(rebasing: b[offset..<offset + 64])
            guard UInt32(littleEndian: s.loadUnaligned(fromByteOffset: 8, as: UInt32.self)) == formatVersion,
                  UInt32(littleEndian: s.loadUnaligned(fromByteOffset: 12, as: UInt32.self))
                    == CRC32C.checksum(UnsafeRawBufferPointer(rebasing: s[16..<64])) else { return nil }
            func u64(_ at: Int) -> UInt64 { UInt64(littleEndian: s.loadUnaligned(fromByteOffset: at, as: UInt64.self)) }
            return Checkpoint(sequence: u64(16), redoLSN: u64(24), endLSN: u64(32), firstSegment: u64(40), logEnd: u64(48))
        }
    }
}
