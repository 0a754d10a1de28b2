/// Builds the payload of a log record: fixed-width little-endian integers, LEB128 varints and raw bytes.
struct LogPayloadWriter {
    var bytes: [UInt8] = []

    mutating func u8(_ value: UInt8) { bytes.append(value) }
    mutating func u32(_ value: UInt32) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func u64(_ value: UInt64) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }
    mutating func raw(_ pointer: UnsafeRawPointer, _ count: Int) {
        bytes.append(contentsOf: UnsafeRawBufferPointer(start: pointer, count: count))
    }
    /// A varint length followed by the bytes.
    mutating func blob(_ value: UnsafeRawBufferPointer) {
        varint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }
}

/// Reads a log record's payload with bounds checks: a payload that ends early or holds an impossible
/// value is `logCorruption` (the record's checksum passed, so this means a format bug or a foreign log).
struct LogPayloadReader {
    let record: LogRecord
    private(set) var offset = 0

    init(_ record: LogRecord) { self.record = record }

    var isAtEnd: Bool { offset == record.payload.count }

    func corrupt(_ detail: String) -> StorageError {
        .logCorruption(segment: 0, offset: Int(record.lsn), detail: "record at LSN \(record.lsn) (\(record.type)): \(detail)")
    }

    private mutating func take(_ count: Int) throws -> Range<Int> {
        guard count >= 0, record.payload.count - offset >= count else { throw corrupt("payload ends early") }
        defer { offset += count }
        return offset..<offset + count
    }

    mutating func u8() throws -> UInt8 { record.payload[try take(1).lowerBound] }
    mutating func u32() throws -> UInt32 {
        let r = try take(4)
        return record.payload.withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: r.lowerBound, as: UInt32.self)) }
    }
    mutating func u64() throws -> UInt64 {
        let r = try take(8)
        return record.payload.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: r.lowerBound, as: UInt64.self)) }
    }
    mutating func varint() throws -> UInt64 {
        var result: UInt64 = 0, shift: UInt64 = 0
        while true {
            let byte = try u8()
            result |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return result }
            shift += 7
            guard shift < 64 else { throw corrupt("varint too long") }
        }
    }
    /// `count` raw bytes, passed to `body` without copying.
    mutating func raw<R>(_ count: Int, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        let r = try take(count)
        return try record.payload.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[r])) }
    }
    /// A varint length followed by that many bytes.
    mutating func blob() throws -> [UInt8] {
        let count = try varint()
        guard count <= UInt64(record.payload.count) else { throw corrupt("length \(count) exceeds the payload") }
        return Array(record.payload[try take(Int(count))])
    }
}
