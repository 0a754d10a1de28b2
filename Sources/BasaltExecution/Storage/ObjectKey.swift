import BasaltStorage

/// Keys of SQL rows and index entries in the shared `RootSlot.tables` tree.
///
/// DISK FORMAT. Every key starts with its object's id (a table's or an index's), so each object is one
/// contiguous key range and all objects share one B+tree (CockroachDB's layout: one ordered key space).
/// The id prefix is order-preserving and short, so the B+tree's 4-byte slot prefixes still see key bytes:
///
///   id < 0xF0        1 byte: the id
///   id ≥ 0xF0        0xF0, then the id as 4 bytes big-endian
///
/// After the prefix come `KeyCodec` components: a table's primary key columns (or its hidden row id as
/// one INT64 component); an index's columns, then (unless the entry is unique, see `IndexDescriptor`)
/// the table's primary key columns.
package enum ObjectKey {
    /// Appends the prefix of object `id`.
    @inlinable
    package static func appendPrefix(_ id: UInt32, to out: inout [UInt8]) {
        if id < 0xF0 {
            out.append(UInt8(id))
        } else {
            out.append(0xF0)
            out.append(UInt8(truncatingIfNeeded: id >> 24))
            out.append(UInt8(truncatingIfNeeded: id >> 16))
            out.append(UInt8(truncatingIfNeeded: id >> 8))
            out.append(UInt8(truncatingIfNeeded: id))
        }
    }

    /// Writes the prefix `appendPrefix` appends at `destination` (room for 5 bytes); returns its length.
    package static func writePrefix(_ id: UInt32, to destination: UnsafeMutableRawPointer) -> Int {
        if id < 0xF0 {
            destination.storeBytes(of: UInt8(id), as: UInt8.self)
            return 1
        }
        destination.storeBytes(of: 0xF0, as: UInt8.self)
        (destination + 1).storeBytes(of: id.bigEndian, toByteOffset: 0, as: UInt32.self)
        return 5
    }

    /// The prefix of object `id` on its own.
    package static func prefix(_ id: UInt32) -> [UInt8] {
        var out: [UInt8] = []
        appendPrefix(id, to: &out)
        return out
    }

    /// The byte length of the prefix of `id`.
    package static func prefixLength(_ id: UInt32) -> Int { id < 0xF0 ? 1 : 5 }

    /// The exclusive upper bound of every key with `prefix`: the prefix with a trailing 0xFF, above
    /// every `KeyEncoder` tag (see KeyEncoder.swift, "Bounds for range scans").
    package static func upperBound(_ prefix: [UInt8]) -> [UInt8] { prefix + [0xFF] }
}
