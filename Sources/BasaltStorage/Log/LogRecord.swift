/// A log sequence number: the byte position of a record in the endless log stream. Record positions
/// only grow, so LSNs order records; a page's LSN is the LSN of the last record that changed it.
public typealias LSN = UInt64

/// The kinds of log record. Disk format: raw values never change meaning.
public enum LogRecordType: UInt8, Sendable, CaseIterable {
    case begin = 1
    /// A change with redo (page bytes) and undo (logical) information.
    case update = 2
    case commit = 3
    case abort = 4
    /// A compensation record: the redo of an undo step, with the next LSN to undo.
    case compensation = 5
    case checkpointBegin = 6
    case checkpointEnd = 7
    /// A full page image (torn-page protection).
    case pageImage = 8
}

/// One record of the write-ahead log.
///
/// | offset | size | field                                                             |
/// |--------|------|-------------------------------------------------------------------|
/// | 0      | 4    | total length in bytes, header included (multiple of 8)           |
/// | 4      | 4    | CRC32C of bytes 8..<length                                        |
/// | 8      | 8    | LSN (its own position: detects records read from the wrong place) |
/// | 16     | 8    | transaction id (0: none)                                          |
/// | 24     | 8    | previous LSN of the same transaction (0: none)                    |
/// | 32     | 8    | durable LSN when written: every record below it was already synced |
/// | 40     | 1    | `LogRecordType`                                                   |
/// | 41     | 3    | reserved, zero                                                    |
/// | 44     | 4    | payload length p                                                  |
/// | 48     | p    | payload                                                           |
/// | 48+p   | 0–7  | zero padding to a multiple of 8                                   |
///
/// Records start at 8-byte boundaries, so a reader that meets a damaged record at X can probe later
/// positions. A valid later record whose durable LSN exceeds X proves X had been synced before: the
/// damage is corruption in the middle, a typed error. Otherwise X was never durable and the log ends
/// there (a torn tail, cut off).
public struct LogRecord: Sendable, Equatable {
    public var lsn: LSN
    public var transaction: UInt64
    public var previousLSN: LSN
    public var type: LogRecordType
    public var payload: [UInt8]
    /// Filled in by the log when the record is appended (and when read back).
    public var durableLSN: LSN = 0

    public init(lsn: LSN = 0, transaction: UInt64, previousLSN: LSN, type: LogRecordType, payload: [UInt8]) {
        self.lsn = lsn
        self.transaction = transaction
        self.previousLSN = previousLSN
        self.type = type
        self.payload = payload
    }

    static let headerSize = 48

    /// Bytes this record occupies in the log.
    var encodedSize: Int { Self.encodedSize(payloadCount: payload.count) }

    static func encodedSize(payloadCount: Int) -> Int { (headerSize + payloadCount + 7) & ~7 }

    /// Appends the encoding of this record, positioned at `lsn`, to `out`.
    func encode(at lsn: LSN, into out: inout [UInt8]) {
        let start = out.count
        let size = encodedSize
        var header: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &header) { h in
            h.storeBytes(of: UInt32(size).littleEndian, toByteOffset: 0, as: UInt32.self)
            h.storeBytes(of: lsn.littleEndian, toByteOffset: 8, as: UInt64.self)
            h.storeBytes(of: transaction.littleEndian, toByteOffset: 16, as: UInt64.self)
            h.storeBytes(of: previousLSN.littleEndian, toByteOffset: 24, as: UInt64.self)
            h.storeBytes(of: durableLSN.littleEndian, toByteOffset: 32, as: UInt64.self)
            h.storeBytes(of: type.rawValue, toByteOffset: 40, as: UInt8.self)
            h.storeBytes(of: UInt32(payload.count).littleEndian, toByteOffset: 44, as: UInt32.self)
        }
        withUnsafeBytes(of: &header) { out.append(contentsOf: $0) }
        payload.withUnsafeBytes { out.append(contentsOf: $0) }
        let zeros: UInt64 = 0
        withUnsafeBytes(of: zeros) { out.append(contentsOf: $0[0..<(size - Self.headerSize - payload.count)]) }
        out.withUnsafeMutableBytes { buffer in
            let base = buffer.baseAddress! + start
            let crc = CRC32C.checksum(UnsafeRawBufferPointer(start: base + 8, count: size - 8))
            base.storeBytes(of: crc.littleEndian, toByteOffset: 4, as: UInt32.self)
        }
    }

    /// Why bytes at a position are not a valid record.
    enum DecodeFailure: Error, Equatable {
        /// Fewer bytes remain than the record needs (or than a header).
        case truncated
        /// Length, type, position or checksum is wrong.
        case invalid(String)
    }

    /// Decodes the record at `offset` of `bytes`, which must sit at log position `lsn`.
    static func decode(_ bytes: UnsafeRawBufferPointer, at offset: Int, lsn: LSN) -> Result<LogRecord, DecodeFailure> {
        guard bytes.count - offset >= headerSize else { return .failure(.truncated) }
        let base = bytes.baseAddress! + offset
        let size = Int(UInt32(littleEndian: base.loadUnaligned(as: UInt32.self)))
        guard size >= headerSize, size % 8 == 0 else { return .failure(.invalid("length \(size)")) }
        guard bytes.count - offset >= size else { return .failure(.truncated) }
        let stored = UInt32(littleEndian: base.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
        guard stored == CRC32C.checksum(UnsafeRawBufferPointer(start: base + 8, count: size - 8)) else {
            return .failure(.invalid("checksum mismatch"))
        }
        let recordLSN = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        guard recordLSN == lsn else { return .failure(.invalid("record claims LSN \(recordLSN)")) }
        guard let type = LogRecordType(rawValue: base.load(fromByteOffset: 40, as: UInt8.self)) else {
            return .failure(.invalid("unknown record type"))
        }
        let payloadCount = Int(UInt32(littleEndian: base.loadUnaligned(fromByteOffset: 44, as: UInt32.self)))
        guard encodedSize(payloadCount: payloadCount) == size else {
            return .failure(.invalid("payload length \(payloadCount) disagrees with record length \(size)"))
        }
        var record = LogRecord(
            lsn: lsn,
            transaction: UInt64(littleEndian: base.loadUnaligned(fromByteOffset: 16, as: UInt64.self)),
            previousLSN: UInt64(littleEndian: base.loadUnaligned(fromByteOffset: 24, as: UInt64.self)),
            type: type,
            payload: Array(UnsafeRawBufferPointer(start: base + headerSize, count: payloadCount)))
        record.durableLSN = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: 32, as: UInt64.self))
        return .success(record)
    }
}
