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
        if let entry = key.withUnsafeBytes({ txn.writes.find(tree, $0) }) { return !entry.isDelete }
        try lockKeyExclusive(txn, tree, key)
        let snapshot = snapshot(for: txn)
        let newest = try withEngine { engine in
            try key.withUnsafeBytes { k in try engine.withValue(tree, k) { try VersionFormat.header($0) } }
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

    /// `putLocked` for bytes that are not arrays (copied into the write set).
    package func putLocked(_ txn: TransactionContext, _ tree: RootSlot, _ key: UnsafeRawBufferPointer,
                           _ value: UnsafeRawBufferPointer) throws(TransactionError) {
        try checkWritable(txn, keyCount: key.count, valueCount: value.count)
        txn.writes.record(tree, key, value)
    }
}
