/// The logical undo of one key operation: what rolling it back does through the ordinary tree code.
/// Logical (not a page before-image) because pages move between a change and its rollback — a split or
/// merge by a later operation leaves the key on another page.
enum UndoAction: Equatable {
    /// Nothing to undo: the operation committed by itself (an autocommit write) or changed no key.
    case none
    /// The key did not exist before: undo deletes it.
    case removeKey(slot: RootSlot, key: [UInt8])
    /// The key held `value` before: undo stores it again.
    case restoreValue(slot: RootSlot, key: [UInt8], value: [UInt8])
    /// The undo of a sorted run written by one operation (`StorageEngine.putSorted`): each element is a
    /// `removeKey`, `restoreValue` or `removeKeys` of distinct keys, so they may be undone in any order,
    /// and undoing one twice is harmless.
    case many([UndoAction])
    /// Keys of one tree that did not exist before, packed as `appendPacked` writes them (a varint
    /// length, then the bytes, per key): the new keys of a sorted run in one buffer, where an array per
    /// key cost a bulk insert an allocation, a copy and a free per row.
    case removeKeys(slot: RootSlot, packed: [UInt8])
    /// Every key of one tree from `lower` through `upper` (both inclusive) did not exist before: the
    /// undo of a sorted run that only appended new keys past the end of its leaf (`BTree.RunOutcome`),
    /// where nothing older lies between its first and last key. Two keys instead of one per row: a
    /// bulk insert's undo no longer grows with its rows. Never an element of `many`.
    case removeRange(slot: RootSlot, lower: [UInt8], upper: [UInt8])

    /// Appends `key` to a `removeKeys` buffer.
    static func appendPacked(_ key: UnsafeRawBufferPointer, to packed: inout [UInt8]) {
        var n = UInt64(key.count)
        while n >= 0x80 {
            packed.append(UInt8(truncatingIfNeeded: n) | 0x80)
            n >>= 7
        }
        packed.append(UInt8(n))
        packed.append(contentsOf: key)
    }

    /// Calls `body` with each key of a `removeKeys` buffer, in order; nil when the buffer is not a
    /// whole number of packed keys (a corrupt record).
    @discardableResult
    static func forEachPacked(_ packed: [UInt8], _ body: (UnsafeRawBufferPointer) throws -> Void) rethrows -> Bool {
        try packed.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                var length = 0, shift = 0
                while true {
                    guard offset < bytes.count, shift < 63 else { return false }
                    let byte = bytes[offset]
                    offset += 1
                    length |= Int(byte & 0x7F) << shift
                    if byte < 0x80 { break }
                    shift += 7
                }
                guard length <= bytes.count - offset else { return false }
                try body(UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + length]))
                offset += length
            }
            return true
        }
    }

    /// Encoding in an `update` record, after its flags byte: u8 kind (0 none, 1 remove, 2 restore, 3 many,
    /// 4 remove packed keys), then for 1 and 2 u8 root slot and the key as a blob, and for 2 the value as
    /// a blob; for 3 a varint count and that many encoded actions of kind 1, 2 or 4; for 4 u8 root slot
    /// and the packed keys as one blob; for 5 (remove a key range) u8 root slot, then the lower and the
    /// upper key as blobs.
    func encode(into out: inout LogPayloadWriter) {
        switch self {
        case .none:
            out.u8(0)
        case let .removeKey(slot, key):
            out.u8(1)
            out.u8(UInt8(slot.rawValue))
            key.withUnsafeBytes { out.blob($0) }
        case let .restoreValue(slot, key, value):
            out.u8(2)
            out.u8(UInt8(slot.rawValue))
            key.withUnsafeBytes { out.blob($0) }
            value.withUnsafeBytes { out.blob($0) }
        case let .many(actions):
            out.u8(3)
            out.varint(UInt64(actions.count))
            for action in actions { action.encode(into: &out) }
        case let .removeKeys(slot, packed):
            out.u8(4)
            out.u8(UInt8(slot.rawValue))
            packed.withUnsafeBytes { out.blob($0) }
        case let .removeRange(slot, lower, upper):
            out.u8(5)
            out.u8(UInt8(slot.rawValue))
            lower.withUnsafeBytes { out.blob($0) }
            upper.withUnsafeBytes { out.blob($0) }
        }
    }

    static func decode(_ reader: inout LogPayloadReader) throws -> UndoAction {
        let kind = try reader.u8()
        if kind == 0 { return .none }
        if kind == 3 {
            let count = try reader.varint()
            var actions: [UndoAction] = []
            actions.reserveCapacity(Int(min(count, 1 << 16)))
            for _ in 0..<count {
                let action = try decode(&reader)
                switch action {
                case .removeKey, .restoreValue, .removeKeys: actions.append(action)
                case .none, .many, .removeRange: throw reader.corrupt("a run's undo holds a nested, empty or range action")
                }
            }
            return .many(actions)
        }
        let rawSlot = Int(try reader.u8())
        guard let slot = RootSlot(rawValue: rawSlot) else { throw reader.corrupt("unknown root slot \(rawSlot)") }
        let key = try reader.blob()
        switch kind {
        case 1: return .removeKey(slot: slot, key: key)
        case 2: return .restoreValue(slot: slot, key: key, value: try reader.blob())
        case 4:
            guard forEachPacked(key, { _ in }) else { throw reader.corrupt("packed undo keys are malformed") }
            return .removeKeys(slot: slot, packed: key)
        case 5:
            let upper = try reader.blob()
            guard key.withUnsafeBytes({ k in upper.withUnsafeBytes { compareKeys(k, $0) } }) <= 0 else {
                throw reader.corrupt("an undo key range ends before it starts")
            }
            return .removeRange(slot: slot, lower: key, upper: upper)
        default: throw reader.corrupt("unknown undo kind \(kind)")
        }
    }
}

/// The header fields of the two record types that change pages, before their `PageRedo` section:
///
/// - `update`: u8 flags (bit 0: self-committing — an autocommit write that needs no commit record and is
///   never undone), then the `UndoAction`.
/// - `compensation`: u64 undo-next LSN (the next record of the transaction to undo; 0 when none).
enum PageChangeHeader {
    case update(selfCommitting: Bool, undo: UndoAction)
    case compensation(undoNext: LSN)

    func encode(into out: inout LogPayloadWriter) {
        switch self {
        case let .update(selfCommitting, undo):
            out.u8(selfCommitting ? 1 : 0)
            undo.encode(into: &out)
        case let .compensation(undoNext):
            out.u64(undoNext)
        }
    }

    var recordType: LogRecordType {
        if case .update = self { return .update }
        return .compensation
    }

    /// Reads the header of an update or compensation record, leaving `reader` at its pages section.
    static func decode(_ reader: inout LogPayloadReader) throws -> PageChangeHeader {
        switch reader.record.type {
        case .update:
            let flags = try reader.u8()
            return .update(selfCommitting: flags & 1 != 0, undo: try UndoAction.decode(&reader))
        case .compensation:
            return .compensation(undoNext: try reader.u64())
        default:
            throw reader.corrupt("not a page-changing record")
        }
    }
}
