import BasaltStorage

/// Keys [lower, upper) of one tree that a transaction drops wholesale: the rows of a dropped SQL table
/// or the entries of a dropped index.
///
/// A drop writes no version per key. Its commit records one expiry-queue entry (`VersionFormat`, kind
/// `rangeDrop`) at its timestamp; the keys stay in the tree, still readable by every snapshot older than
/// the drop (time travel included), and the version collector deletes them once no such snapshot can
/// exist. So a drop costs the same for ten rows as for ten million, and holds no per-row memory.
///
/// Contract for the caller: from the drop on, nothing writes the range again and no snapshot at or
/// after the drop reads it. SQL guarantees both: object ids are never reused, and the catalog that a
/// snapshot at or after the drop reads no longer names the object.
package struct DroppedRange: Sendable, Equatable {
    package var tree: RootSlot
    package var lower: [UInt8]
    package var upper: [UInt8]

    package init(tree: RootSlot, lower: [UInt8], upper: [UInt8]) {
        self.tree = tree
        self.lower = lower
        self.upper = upper
    }

    /// The expiry-queue entry a commit at `timestamp` records for the drop (`VersionFormat`, kind
    /// `rangeDrop`); its value is `upper`.
    func queueKey(at timestamp: Timestamp) -> [UInt8] {
        lower.withUnsafeBytes {
            VersionFormat.queueKey(end: timestamp, kind: .rangeDrop, tree: UInt32(tree.rawValue), key: $0, start: timestamp)
        }
    }

    /// Whether `key` lies in the range.
    func contains(_ key: UnsafeRawBufferPointer) -> Bool {
        lower.withUnsafeBytes { compareKeys(key, $0) >= 0 } && upper.withUnsafeBytes { compareKeys(key, $0) < 0 }
    }

    /// Whether a scanned range of the same tree shares a key with this one.
    func overlaps(_ range: ReadSet.Range) -> Bool {
        func below(_ a: [UInt8], _ b: [UInt8]) -> Bool {
            a.withUnsafeBytes { a in b.withUnsafeBytes { compareKeys(a, $0) < 0 } }
        }
        if let rangeLower = range.lower, !below(rangeLower, upper) { return false }
        if let rangeUpper = range.upper, !below(lower, rangeUpper) { return false }
        return true
    }
}
