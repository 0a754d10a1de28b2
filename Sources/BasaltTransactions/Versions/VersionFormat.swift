import BasaltStorage

/// The disk formats of MVCC versions. These are file formats: fields never move or change meaning.
///
/// **Current version** — the value stored under a key in its tree (e.g. `RootSlot.keyValue`):
///
/// | offset | size | field                                                       |
/// |--------|------|-------------------------------------------------------------|
/// | 0      | 1    | flags: bit 0 = tombstone (the key was deleted at `ts`)       |
/// | 1      | 8    | commit timestamp `ts` (µs, little-endian)                    |
/// | 9      | ...  | the value (empty for a tombstone)                            |
///
/// **History version** — a superseded version in `RootSlot.history`, found by point lookup only:
///
/// - key: tree (4, big-endian) ‖ user key length (2, big-endian) ‖ user key ‖ ~start (8, big-endian)
/// - value: flags (1) ‖ end timestamp (8, little-endian) ‖ value
///
/// The inverted start timestamp makes a seek to (tree, key, ~t) land on the newest version that
/// started at or before `t`. The length prefix keeps one key's versions contiguous and apart from
/// every other key's (no key is a prefix-sibling of another inside the encoding).
///
/// **Expiry queue entry** — in `RootSlot.versionQueue`, value empty:
///
/// - key: end (8, big-endian) ‖ kind (1) ‖ tree (4) ‖ user key length (2) ‖ user key ‖ start (8)
/// - kind 0: the history version (tree, key, start) stops being visible to snapshots at or after `end`.
/// - kind 1: the tombstone written at `end` = `start` for (tree, key) in its tree; once no snapshot
///   older than it exists, the tombstone itself can go.
///
/// - kind 2: a dropped range (`DroppedRange`): every key of `tree` from `user key` (inclusive) to the
///   entry's value (exclusive) was dropped at `end` = `start`; once no snapshot older than the drop
///   exists, the collector deletes the keys, a batch at a time, and then the entry. The only entry kind
///   with a value.
///
/// Ordered by `end`, the queue lets the collector visit exactly the expired entries, oldest first.
package enum VersionFormat {
    /// Bytes before the value in a current or history version.
    package static let headerSize = 9
    /// Bytes the history key adds around a user key (the largest user key is the tree's limit minus this).
    package static let historyKeyOverhead = 14
    /// Bytes the queue key adds around a user key.
    package static let queueKeyOverhead = 23

    package static let tombstoneFlag: UInt8 = 1

    /// Writes the header for a version into the first `headerSize` bytes of `buffer`.
    @inlinable
    package static func writeHeader(into buffer: UnsafeMutableRawBufferPointer, tombstone: Bool, timestamp: Timestamp) {
        buffer[0] = tombstone ? tombstoneFlag : 0
        buffer.storeBytes(of: timestamp.rawValue.littleEndian, toByteOffset: 1, as: UInt64.self)
    }

    /// A version's bytes: header then value.
    package static func version(tombstone: Bool, timestamp: Timestamp, value: UnsafeRawBufferPointer) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: headerSize + value.count) { buffer, count in
            let raw = UnsafeMutableRawBufferPointer(buffer)
            writeHeader(into: raw, tombstone: tombstone, timestamp: timestamp)
            if value.count > 0 { raw.baseAddress!.advanced(by: headerSize).copyMemory(from: value.baseAddress!, byteCount: value.count) }
            count = headerSize + value.count
        }
    }

    /// The parsed header of a stored version. Throws `VersionFormatError` for bytes too short to be one.
    @inlinable
    package static func header(_ bytes: UnsafeRawBufferPointer) throws(VersionFormatError) -> (tombstone: Bool, timestamp: Timestamp) {
        guard bytes.count >= headerSize, bytes[0] & ~tombstoneFlag == 0 else { throw VersionFormatError(size: bytes.count) }
        return (bytes[0] & tombstoneFlag != 0,
                Timestamp(UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 1, as: UInt64.self))))
    }

    /// The value part of a stored version (valid as long as `bytes`).
    @inlinable
    package static func payload(_ bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: bytes[headerSize...])
    }

    /// The history key prefix shared by every version of (tree, key).
    package static func historyPrefix(tree: UInt32, key: UnsafeRawBufferPointer) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(key.count + historyKeyOverhead)
        appendBigEndian(tree, to: &out)
        appendBigEndian(UInt16(key.count), to: &out)
        out.append(contentsOf: key)
        return out
    }

    /// The history key of the version of (tree, key) that started at `start`.
    package static func historyKey(tree: UInt32, key: UnsafeRawBufferPointer, start: Timestamp) -> [UInt8] {
        var out = historyPrefix(tree: tree, key: key)
        appendBigEndian(~start.rawValue, to: &out)
        return out
    }

    package enum QueueKind: UInt8 { case history = 0, tombstone = 1, rangeDrop = 2 }

    /// The expiry queue key of an entry.
    package static func queueKey(end: Timestamp, kind: QueueKind, tree: UInt32, key: UnsafeRawBufferPointer,
                                 start: Timestamp) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(key.count + queueKeyOverhead)
        appendBigEndian(end.rawValue, to: &out)
        out.append(kind.rawValue)
        appendBigEndian(tree, to: &out)
        appendBigEndian(UInt16(key.count), to: &out)
        out.append(contentsOf: key)
        appendBigEndian(start.rawValue, to: &out)
        return out
    }

    /// Whether an expiry queue key is a dropped range's (kind 2), without parsing the rest.
    package static func isRangeDrop(_ queueKey: [UInt8]) -> Bool {
        queueKey.count > 8 && queueKey[8] == QueueKind.rangeDrop.rawValue
    }

    /// The parts of an expiry queue key; nil when malformed.
    package static func parseQueueKey(_ bytes: UnsafeRawBufferPointer)
        -> (end: Timestamp, kind: QueueKind, tree: UInt32, key: [UInt8], start: Timestamp)? {
        guard bytes.count >= queueKeyOverhead, let kind = QueueKind(rawValue: bytes[8]) else { return nil }
        let keyCount = Int(bytes[13]) << 8 | Int(bytes[14])
        guard bytes.count == queueKeyOverhead + keyCount else { return nil }
        return (Timestamp(readBigEndian(bytes, 0, 8)), kind, UInt32(readBigEndian(bytes, 9, 4)),
                Array(bytes[15..<(15 + keyCount)]), Timestamp(readBigEndian(bytes, 15 + keyCount, 8)))
    }

    /// A big-endian 8-byte key (for ordered meta and queue bounds).
    package static func bigEndianBytes(_ value: UInt64) -> [UInt8] {
        var out: [UInt8] = []
        appendBigEndian(value, to: &out)
        return out
    }

    static func appendBigEndian<T: FixedWidthInteger>(_ value: T, to out: inout [UInt8]) {
        var shift = T.bitWidth - 8
        while shift >= 0 {
            out.append(UInt8(truncatingIfNeeded: value >> shift))
            shift -= 8
        }
    }

    static func readBigEndian(_ bytes: UnsafeRawBufferPointer, _ offset: Int, _ count: Int) -> UInt64 {
        var raw: UInt64 = 0
        for i in offset..<(offset + count) { raw = raw << 8 | UInt64(bytes[i]) }
        return raw
    }
}

/// A stored version too short or with unknown flags: the file is damaged (or not in this format).
package struct VersionFormatError: Error, Sendable, Equatable {
    package var size: Int
}
