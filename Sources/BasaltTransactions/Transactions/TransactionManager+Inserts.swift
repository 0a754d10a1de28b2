import BasaltStorage

/// The write path of inserts into keyed trees (SQL primary keys and unique index entries): one lock and
/// one probe decide whether the key exists, instead of a locked read followed by a locked write.
extension TransactionManager {
    /// Takes the X lock on `key` for `txn` and tells whether the key exists for it: its own buffered
    /// write, else the newest committed version. A version committed after a snapshot transaction's
    /// snapshot counts as existing when it is a value (PostgreSQL reports the unique violation) and fails
    /// the transaction with a serialization failure when it is a deletion. Serializable transactions
    /// remember the read. Throws `TransactionError` (a lock failure leaves `txn` failed).
    package func lockForInsert(_ txn: TransactionContext, _ tree: RootSlot, _ key: [UInt8]) throws(TransactionError) -> Bool {
        try checkActive(txn)
        let bit: UInt32 = 1 << UInt32(tree.rawValue)
        // A bulk insert's every key after escalation: not buffered, and inside a range found without
        // committed keys. Both probes read the key in place; X on the tree already covers the key's lock.
        let known: Bool? = key.withUnsafeBytes { k in
            if let entry = txn.writes.findInPlace(tree, k) { return !entry.isDelete }
            return txn.exclusiveTrees & bit != 0 && Self.isKnownAbsent(txn, tree, k) ? false : nil
        }
        if let known { return known }
        try lockKeyExclusive(txn, tree, key)
        // (Taking this key's lock may just have escalated to X on the tree.)
        let exclusive = txn.exclusiveTrees & bit != 0
        let snapshot = snapshot(for: txn)
        let newest: (tombstone: Bool, timestamp: Timestamp)?
        if exclusive {
            // One descent finds the key or the next committed key after it; the range between them
            // holds no committed key, and none can appear while txn holds X on the tree.
            var successor: [UInt8]?
            newest = try withEngine { engine in
                try key.withUnsafeBytes { k in
                    var found: (tombstone: Bool, timestamp: Timestamp)?
                    try engine.scan(tree, lower: k, upper: nil) { next, stored in
                        if compareKeys(next, k) == 0 { found = try VersionFormat.header(stored) } else { successor = Array(next) }
                        return false
                    }
                    return found
                }
            }
            if newest == nil { Self.noteAbsent(txn, tree, from: key, to: successor) }
        } else {
            newest = try withEngine { engine in
                try key.withUnsafeBytes { k in try engine.withValue(tree, k) { try VersionFormat.header($0) } }
            }
        }
        // The X lock, held to commit, keeps every other transaction from committing this key from now
        // on; so the read can only be invalidated by a version newer than the snapshot, seen right here.
        // Only then does validation at commit need it.
        if txn.tracksReads, let newest, newest.timestamp > snapshot { txn.reads.read(tree, key) }
        guard let newest else { return false }
        if newest.timestamp > snapshot && txn.isolation != .readCommitted && newest.tombstone {
            throw fail(txn, .serializationFailure("the key was deleted by a transaction that committed after this one's snapshot"))
        }
        return !newest.tombstone
    }

    /// Whether `key` lies in one of the ranges of `tree` that `txn` found without committed keys (see
    /// `TransactionContext.absentRanges`; only consulted while txn holds X on the tree).
    /// The range of the last hit first, then the newest ranges first: a bulk insert's keys keep landing
    /// in the range its latest probe found.
    private static func isKnownAbsent(_ txn: TransactionContext, _ tree: RootSlot, _ k: UnsafeRawBufferPointer) -> Bool {
        if let last = txn.lastAbsentRange, last.tree == tree, last.contains(k) { return true }
        let found = txn.absentRanges.withUnsafeBufferPointer { ranges in
            ranges.last { $0.tree == tree && $0.contains(k) }
        }
        guard let found else { return false }
        txn.lastAbsentRange = found
        return true
    }

    /// Records that `tree` holds no committed key from `lower` up to `upper` (exclusive; nil: none
    /// after `lower`), forgetting the oldest range beyond `TransactionContext.maxAbsentRanges`.
    private static func noteAbsent(_ txn: TransactionContext, _ tree: RootSlot, from lower: [UInt8], to upper: [UInt8]?) {
        let bounds: ByteArena
        if let arena = txn.absentBounds {
            bounds = arena
        } else {
            bounds = ByteArena()
            txn.absentBounds = bounds
        }
        let range = TransactionContext.AbsentRange(tree: tree, lower: lower.withUnsafeBytes { bounds.copy($0) },
                                                   upper: upper.map { u in u.withUnsafeBytes { bounds.copy($0) } })
        if txn.absentRanges.count >= TransactionContext.maxAbsentRanges { txn.absentRanges.removeFirst() }
        txn.absentRanges.append(range)
    }

    /// Buffers `value` under `key`, which `txn` locked with `lockForInsert` (so no lock or conflict
    /// check is repeated), or which no other transaction can reach: a key of an object `txn` created
    /// (the entries of a new index). A size error changes nothing.
    package func putLocked(_ txn: TransactionContext, _ tree: RootSlot, _ key: [UInt8], _ value: [UInt8]) throws(TransactionError) {
        try checkWritable(txn, keyCount: key.count, valueCount: value.count)
        key.withUnsafeBytes { k in value.withUnsafeBytes { txn.writes.record(tree, k, $0) } }
    }

    /// `putLocked` of a value of `valueCount` bytes that `fill` encodes straight into the write set
    /// (called once, unless a size error throws first and changes nothing).
    package func putLocked(_ txn: TransactionContext, _ tree: RootSlot, _ key: [UInt8], valueCount: Int,
                           _ fill: (UnsafeMutableRawBufferPointer) -> Void) throws(TransactionError) {
        try checkWritable(txn, keyCount: key.count, valueCount: valueCount)
        key.withUnsafeBytes { txn.writes.record(tree, $0, valueCount: valueCount, fill) }
    }

    /// `putLocked` of every pair of `pairs` (sorted or not), for keys no other transaction can reach (the
    /// entries of an index `txn` created). Records built with `versionRoom` bytes between key and value
    /// and sorted without equal keys (`PairList.sort()`) are taken over by the write set instead of
    /// copied, leaving `pairs` empty; otherwise each pair is copied, the last of equal keys winning.
    /// A size error changes nothing.
    package func putLocked(_ txn: TransactionContext, _ tree: RootSlot, pairs: inout PairList) throws(TransactionError) {
        guard pairs.count > 0 else { return }
        try checkWritable(txn, keyCount: pairs.maxKeyCount, valueCount: pairs.maxValueCount)
        if txn.writes.adopt(tree, &pairs) { return }
        for i in 0..<pairs.count {
            pairs.prefetch(i + 8)
            let (key, value) = pairs.pair(i)
            txn.writes.record(tree, key, value)
        }
    }

    /// The room `putLocked(_:_:pairs:)` needs between each key and value to take records over.
    package static let versionRoom = VersionFormat.headerSize

    /// `putLocked` for bytes that are not arrays (copied into the write set).
    package func putLocked(_ txn: TransactionContext, _ tree: RootSlot, _ key: UnsafeRawBufferPointer,
                           _ value: UnsafeRawBufferPointer) throws(TransactionError) {
        try checkWritable(txn, keyCount: key.count, valueCount: value.count)
        txn.writes.record(tree, key, value)
    }
}
