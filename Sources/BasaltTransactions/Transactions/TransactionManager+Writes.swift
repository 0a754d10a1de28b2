import BasaltStorage

/// Writes, commit and the application of a commit's versions.
extension TransactionManager {
    /// Buffers `value` under `key` in `txn` after taking an X lock on the key (waiting as the lock
    /// timeout allows). Under repeatable read and serializable, a key changed by a transaction that
    /// committed after `txn`'s snapshot fails with `.serializationFailure` (first committer wins). A
    /// lock or conflict failure leaves `txn` failed (roll it back); a size error changes nothing.
    package func put(_ txn: TransactionContext, _ tree: RootSlot, _ key: [UInt8], _ value: [UInt8]) throws(TransactionError) {
        try checkWritable(txn, key: key, valueCount: value.count)
        try lockForWrite(txn, tree, key)
        key.withUnsafeBytes { k in value.withUnsafeBytes { txn.writes.record(tree, k, $0) } }
    }

    /// Buffers the deletion of `key` in `txn` (locking as `put` does); returns whether the key was
    /// present for `txn` (its own writes, else its snapshot). Deleting an absent key changes nothing.
    @discardableResult
    package func delete(_ txn: TransactionContext, _ tree: RootSlot, _ key: [UInt8]) throws(TransactionError) -> Bool {
        try checkWritable(txn, key: key, valueCount: 0)
        try lockForWrite(txn, tree, key)
        let present: Bool
        do {
            present = try get(txn, tree, key) { _ in true } ?? false
        } catch {
            throw TransactionError.wrap(error)   // the closure above never throws
        }
        if present { key.withUnsafeBytes { txn.writes.record(tree, $0, nil) } }
        return present
    }

    /// Drops every key of `tree` in [lower, upper) when `txn` commits, in O(1): no version per key (see
    /// `DroppedRange` for how the keys go and for the caller's contract). The caller holds a lock that
    /// keeps every other transaction from writing the range (SQL: X on the dropped object). Undone by
    /// rollback, and by rolling back to a savepoint taken before it. A bound longer than the largest key
    /// is a size error and changes nothing.
    package func dropRange(_ txn: TransactionContext, _ tree: RootSlot, lower: [UInt8], upper: [UInt8]) throws(TransactionError) {
        try checkWritable(txn, keyCount: max(lower.count, upper.count), valueCount: 0)
        txn.droppedRanges.append(DroppedRange(tree: tree, lower: lower, upper: upper))
    }

    func checkWritable(_ txn: TransactionContext, key: [UInt8], valueCount: Int) throws(TransactionError) {
        try checkWritable(txn, keyCount: key.count, valueCount: valueCount)
    }

    func checkWritable(_ txn: TransactionContext, keyCount: Int, valueCount: Int) throws(TransactionError) {
        try checkActive(txn)
        if txn.readOnly { throw TransactionError.readOnlyTransaction }
        guard keyCount <= maxKeySize else { throw .storage(.keyTooLarge(size: keyCount, limit: maxKeySize)) }
        let limit = BTreeLimits.maxValueSize - VersionFormat.headerSize
        guard valueCount <= limit else { throw .storage(.valueTooLarge(size: valueCount, limit: limit)) }
    }

    /// Takes the X lock on `key` (with IX above it) and, under snapshot isolation levels, checks that no
    /// transaction committed a newer version since the snapshot.
    func lockForWrite(_ txn: TransactionContext, _ tree: RootSlot, _ key: [UInt8]) throws(TransactionError) {
        if key.withUnsafeBytes({ txn.writes.findInPlace(tree, $0) }) == nil {
            try lockKeyExclusive(txn, tree, key)
        }
        try checkNoNewerVersion(txn, tree, key)
    }

    /// Takes X on `key` (IX above it) unless `txn` holds X on the whole tree; every
    /// `lockEscalationThreshold` key locks in one tree, tries to escalate to X on the tree, without
    /// waiting (so escalation adds no wait and no deadlock). A lock failure leaves `txn` failed.
    func lockKeyExclusive(_ txn: TransactionContext, _ tree: RootSlot, _ key: [UInt8]) throws(TransactionError) {
        if txn.exclusiveTrees & (1 << UInt32(tree.rawValue)) != 0 { return }
        txn.mayHoldLocks = true
        do {
            try locks.acquire(.key(tree: UInt32(tree.rawValue), key: key), .exclusive, owner: txn.id)
        } catch {
            throw fail(txn, TransactionError(error))
        }
        guard lockEscalationThreshold > 0 else { return }
        let slot = tree.rawValue
        if txn.keyLocks.count <= slot { txn.keyLocks.append(contentsOf: repeatElement(0, count: slot + 1 - txn.keyLocks.count)) }
        txn.keyLocks[slot] += 1
        if txn.keyLocks[slot] % lockEscalationThreshold == 0,
           locks.tryAcquire(.tree(UInt32(slot)), .exclusive, owner: txn.id) {
            txn.exclusiveTrees |= 1 << UInt32(tree.rawValue)
        }
    }

    /// Takes `mode` on SQL object `id` for `txn` unless it already holds that mode or X: S for each
    /// statement writing the object's rows, X for DDL changing it. Writers of one table thus run
    /// together, while a schema change and the writers of its table wait for each other to end. Returns
    /// whether the lock was newly taken (so the caller checks the definition it planned with once).
    /// Waits as the lock timeout allows; a failure (timeout, deadlock) leaves `txn` failed.
    @discardableResult
    package func lockObject(_ txn: TransactionContext, _ id: UInt32, _ mode: LockMode) throws(TransactionError) -> Bool {
        if mode == .shared && txn.lastObjectLocked == id { return false }
        if let held = txn.objectLocks[id], held == mode || held == .exclusive {
            txn.lastObjectLocked = id
            return false
        }
        try checkActive(txn)
        txn.mayHoldLocks = true
        do {
            try locks.acquire(.object(id), mode, owner: txn.id)
        } catch {
            throw fail(txn, TransactionError(error))
        }
        txn.objectLocks[id] = mode == .exclusive ? .exclusive : (txn.objectLocks[id] ?? mode)
        txn.lastObjectLocked = id
        return true
    }

    /// Under repeatable read and serializable, fails `txn` with a serialization failure when `key` has a
    /// version committed after its snapshot (PostgreSQL's "could not serialize access due to concurrent
    /// update", for writes and for `FOR UPDATE`/`FOR SHARE` alike). Call holding a lock on the key, so no
    /// newer version can appear afterwards.
    func checkNoNewerVersion(_ txn: TransactionContext, _ tree: RootSlot, _ key: [UInt8]) throws(TransactionError) {
        guard txn.isolation != .readCommitted, !txn.readOnly else { return }
        let snapshot = snapshot(for: txn)
        let latest = try withEngine { engine in try key.withUnsafeBytes { try Self.latestTimestamp(engine, tree, $0) } }
        if let latest, latest > snapshot {
            throw fail(txn, .serializationFailure("the key was changed by a transaction that committed after this one's snapshot"))
        }
    }

    /// Takes `mode` on a whole tree for `txn` (for example S to keep it from changing, X for exclusive use),
    /// with the intention lock on the database. Waits as the lock timeout allows; a failure leaves `txn` failed.
    package func lockTree(_ txn: TransactionContext, _ tree: RootSlot, _ mode: LockMode) throws(TransactionError) {
        try checkActive(txn)
        txn.mayHoldLocks = true
        do {
            try locks.acquire(.tree(UInt32(tree.rawValue)), mode, owner: txn.id)
        } catch {
            throw fail(txn, TransactionError(error))
        }
        if tree == .catalog && mode == .exclusive { txn.changesCatalog = true }
        if mode == .exclusive { txn.exclusiveTrees |= 1 << UInt32(tree.rawValue) }
    }

    /// Takes `mode` on one key for `txn` (S: `SELECT … FOR SHARE`, X: `FOR UPDATE`); under repeatable
    /// read and serializable, a key changed since the snapshot then fails with a serialization failure.
    package func lockKey(_ txn: TransactionContext, _ tree: RootSlot, _ key: [UInt8], _ mode: LockMode) throws(TransactionError) {
        try checkActive(txn)
        txn.mayHoldLocks = true
        do {
            try locks.acquire(.key(tree: UInt32(tree.rawValue), key: key), mode, owner: txn.id)
        } catch {
            throw fail(txn, TransactionError(error))
        }
        try checkNoNewerVersion(txn, tree, key)
    }

    /// Commits `txn`: validates a serializable transaction's reads, takes a commit timestamp, applies
    /// every buffered write as new versions (atomically, and logged) and releases the locks. With
    /// `visibleWhenDurable` it returns once the commit is durable and visible, and only then releases the
    /// locks — so a transaction that waited for one of them reads the commit it waited for. Otherwise it
    /// returns (and releases the locks) at once, with the commit's LSN for the caller to sync as its mode
    /// requires. Returns nil when nothing was written. A failure rolls the transaction back and throws
    /// (40001 when validation fails); a failed sync throws the I/O error (the database is then read-only).
    @discardableResult
    package func commit(_ txn: TransactionContext) throws(TransactionError) -> LSN? {
        try checkActive(txn)
        guard !txn.writes.isEmpty || !txn.droppedRanges.isEmpty else {
            // Read-only: a snapshot read is serializable at its snapshot (commits form a serial order
            // by timestamp and the snapshot is a prefix of it), so nothing to validate.
            txn.state = .committed(nil)
            finish(txn, committed: true)
            return nil
        }
        let bytes = txn.writes.bytes
        let writes = CommitWrites(&txn.writes, dropped: txn.droppedRanges)
        // Only serializable writers whose snapshot precedes this commit ever validate against its keys.
        // With none active, a large commit lists its trees instead (a conservative entry: a serializable
        // transaction beginning before the commit is visible fails on any read of them and retries),
        // sparing a bulk load a packed copy of every key it wrote, pruned again right after.
        let wholesale = writes.count >= Self.wholesaleCommitWrites && !otherSerializableWriterActive(than: txn.id)
        let keys = wholesale ? [] : writes.keyLists()
        let outcome: (Timestamp, LSN?)
        do {
            outcome = try withEngineState { state, engine in
                if txn.tracksReads, let snapshot = txn.snapshot,
                   let (when, _) = state.recent.conflict(with: txn.reads, after: snapshot) {
                    throw TransactionError.serializationFailure(
                        "a transaction that committed at \(when) changed data this one read (read/write dependency)")
                }
                let (timestamp, ceiling) = state.clock.next()
                let lsn = try apply(engine, writes, bytes: bytes, at: timestamp, ceiling: ceiling)
                if wholesale {
                    state.recent.appendWholeTrees(timestamp, Set(writes.trees.map(\.slot)), dropped: writes.dropped)
                } else {
                    state.recent.append(timestamp, keys, dropped: writes.dropped)
                }
                recordApplied(timestamp, lsn, &state.recent)
                return (timestamp, lsn)
            }
        } catch {
            let failure = fail(txn, error)
            txn.state = .rolledBack
            finish(txn, committed: false)
            throw failure
        }
        txn.state = .committed(outcome.0)
        defer { finish(txn, committed: true) }
        if let lsn = outcome.1, visibleWhenDurable {
            try waitDurable(lsn)
        }
        return outcome.1
    }


    /// Loads `pairs` (any order; for a repeated key the last wins) into `tree` as one commit if the tree
    /// is empty, bottom-up and much faster than puts; returns whether it did, and the LSN to make durable.
    /// A non-empty tree is left alone (`loaded` false): the caller writes through a transaction. Holds an
    /// X lock on the tree meanwhile, so no transaction writes it concurrently.
    package func bulkLoad(_ tree: RootSlot, _ pairs: [([UInt8], [UInt8])]) throws(TransactionError) -> (loaded: Bool, lsn: LSN?) {
        let limit = BTreeLimits.maxValueSize - VersionFormat.headerSize
        for (key, value) in pairs {
            guard key.count <= maxKeySize else { throw .storage(.keyTooLarge(size: key.count, limit: maxKeySize)) }
            guard value.count <= limit else { throw .storage(.valueTooLarge(size: value.count, limit: limit)) }
        }
        let txn = try begin(isolation: .readCommitted, readOnly: false)
        defer { if case .active = txn.state { rollback(txn) } }
        try lockTree(txn, tree, .exclusive)
        let outcome: (Bool, Timestamp, LSN?)
        do {
            outcome = try withEngineState { state, engine in
                guard try engine.isEmpty(tree) else { return (false, .zero, nil) }
                guard !pairs.isEmpty else { return (true, .zero, nil) }
                let (timestamp, ceiling) = state.clock.next()
                // A new ceiling goes first: a crash after the load keeps both, before it the load is
                // absent and the ceiling merely higher than needed.
                if let ceiling {
                    _ = try engine.atomically { writer in
                        try Self.clockKey.withUnsafeBytes { k in
                            try Self.metaValue(ceiling).withUnsafeBytes { v in try writer.put(.meta, k, v) }
                        }
                    }
                }
                let versioned = pairs.map { pair in
                    (pair.0, pair.1.withUnsafeBytes { VersionFormat.version(tombstone: false, timestamp: timestamp, value: $0) })
                }
                let lsn = try engine.putBatch(tree, versioned)
                state.recent.appendWholeTrees(timestamp, [tree])
                recordApplied(timestamp, lsn, &state.recent)
                return (true, timestamp, lsn)
            }
        } catch {
            throw fail(txn, error)
        }
        guard outcome.0 else { return (false, nil) }
        txn.state = .committed(outcome.1)
        defer { finish(txn, committed: true) }
        if let lsn = outcome.2, visibleWhenDurable { try waitDurable(lsn) }
        return (true, outcome.2)
    }


    /// Bookkeeping after a commit's versions were applied (engine lock held): prunes the recent commits
    /// and makes the commit visible now, or once its record at `lsn` is durable (`visibleWhenDurable`).
    func recordApplied(_ timestamp: Timestamp, _ lsn: LSN?, _ recent: inout RecentCommits) {
        pruneRecent(&recent)
        shared.withLock { shared in
            if visibleWhenDurable, let lsn {
                shared.pending.append((timestamp, lsn))
            } else {
                shared.visible = max(shared.visible, timestamp)
            }
            publish(shared)
        }
    }

    /// Waits until the commit at `lsn` is durable and visible to new snapshots.
    package func waitDurable(_ lsn: LSN?) throws(TransactionError) {
        guard let lsn else { return }
        do { try log.flush(covering: lsn) } catch { throw TransactionError.wrap(error) }
        advanceVisible()
    }

    /// The number of writes from which a commit may be recorded for validation by its trees instead of
    /// its keys (see `commit`).
    static let wholesaleCommitWrites = 10_000

    /// Whether a serializable read-write transaction other than `id` is active (it may validate against
    /// the commits that follow its snapshot).
    func otherSerializableWriterActive(than id: UInt64) -> Bool {
        shared.withLock { state in
            state.active.values.contains { $0.id != id && $0.isolation == .serializable && !$0.readOnly }
        }
    }

    /// Keeps the commits a serializable transaction may still validate against (see `RecentCommits`).
    func pruneRecent(_ recent: inout RecentCommits) {
        let horizon = shared.withLock { state -> Timestamp in
            var horizon = state.visible
            for summary in state.active.values where summary.isolation == .serializable && !summary.readOnly {
                // A serializable transaction without a snapshot yet will take one >= visible.
                if let snapshot = summary.snapshot { horizon = min(horizon, snapshot) }
            }
            return horizon
        }
        recent.prune(through: horizon)
    }

    /// Writes the versions of one commit at `timestamp`; returns the LSN that makes it durable. Small
    /// commits are one atomic logged operation; large ones (or one that does not fit in the pool at
    /// once) a storage transaction with undo, so their size is bounded by the disk, not the pool.
    func apply(_ engine: StorageEngine, _ writes: CommitWrites, bytes: Int, at timestamp: Timestamp,
               ceiling: Timestamp?) throws -> LSN? {
        writes.stamp(timestamp)
        // Each write also copies the replaced version to history: twice the bytes, pinned together.
        if writes.count <= atomicWriteLimit, bytes * 2 <= engine.bufferPoolBytes / 4 {
            do {
                return try engine.atomically { writer in
                    try Self.applyVersions(AtomicVersionWriter(writer: writer), writes, at: timestamp, ceiling: ceiling)
                }.lsn
            } catch StorageError.bufferPoolExhausted {
                // Everything was put back; take the path that does not pin the whole commit.
            }
        }
        let id = try engine.beginTransaction()
        do {
            try Self.applySorted(engine, transaction: id, writes, at: timestamp, ceiling: ceiling)
            return try engine.commit(id)
        } catch {
            try? engine.rollback(id)
            throw error
        }
    }

    /// `applyVersions` for a large commit, in a storage transaction: each tree's new versions go in as
    /// one sorted batch (`StorageEngine.putSorted`, one logged operation per leaf-sized run, reading
    /// the stamped records in place), then the versions they replaced go to history and the expiry
    /// queue, also sorted.
    static func applySorted(_ engine: StorageEngine, transaction id: UInt64, _ writes: CommitWrites,
                            at timestamp: Timestamp, ceiling: Timestamp?) throws {
        if let ceiling {
            try clockKey.withUnsafeBytes { k in
                try metaValue(ceiling).withUnsafeBytes { v in _ = try engine.put(.meta, k, v, transaction: id) }
            }
        }
        var history = PairList()
        var queue = PairList()
        let empty = UnsafeRawBufferPointer(start: nil, count: 0)
        for tree in writes.trees {
            let treeID = UInt32(tree.slot.rawValue)
            // A delete writes a tombstone only over an existing version.
            var run = tree
            if tree.hasDeletes {
                run.order = try tree.order.filter { i in
                    let entry = tree.entries[Int(i)]
                    guard entry.isDelete else { return true }
                    guard try engine.withValue(tree.slot, entry.key, { _ in true }) != nil else { return false }
                    let queueKey = VersionFormat.queueKey(end: timestamp, kind: .tombstone, tree: treeID, key: entry.key, start: timestamp)
                    queueKey.withUnsafeBytes { queue.append(key: $0, value: empty) }
                    return true
                }
            }
            guard run.count > 0 else { continue }
            // The version being replaced moves to history, ending at this commit.
            try engine.putSorted(tree.slot, run, transaction: id) { index, old in
                guard let old else { return }
                let k = run.pair(index).key
                try old.withUnsafeBytes { stored in
                    let header = try VersionFormat.header(stored)
                    let historyKey = VersionFormat.historyKey(tree: treeID, key: k, start: header.timestamp)
                    let historyValue = VersionFormat.version(tombstone: header.tombstone, timestamp: timestamp,
                                                             value: VersionFormat.payload(stored))
                    historyKey.withUnsafeBytes { hk in historyValue.withUnsafeBytes { history.append(key: hk, value: $0) } }
                    let queueKey = VersionFormat.queueKey(end: timestamp, kind: .history, tree: treeID, key: k, start: header.timestamp)
                    queueKey.withUnsafeBytes { queue.append(key: $0, value: empty) }
                }
            }
        }
        for drop in writes.dropped {
            drop.queueKey(at: timestamp).withUnsafeBytes { k in drop.upper.withUnsafeBytes { queue.append(key: k, value: $0) } }
        }
        if !history.isEmpty {
            history.sort()
            try engine.putSorted(.history, history, transaction: id)
        }
        if !queue.isEmpty {
            queue.sort()
            try engine.putSorted(.versionQueue, queue, transaction: id)
        }
    }

    static func applyVersions<W: VersionWriter>(_ writer: W, _ writes: CommitWrites,
                                                at timestamp: Timestamp, ceiling: Timestamp?) throws {
        if let ceiling {
            try clockKey.withUnsafeBytes { k in try metaValue(ceiling).withUnsafeBytes { v in try writer.put(.meta, k, v) } }
        }
        let empty = UnsafeRawBufferPointer(start: nil, count: 0)
        for tree in writes.trees {
            let treeID = UInt32(tree.slot.rawValue)
            for i in tree.order {
                let entry = tree.entries[Int(i)]
                let k = entry.key
                // The version being replaced moves to history, ending at this commit.
                let old = try writer.withValue(tree.slot, k) { stored -> (Bool, Timestamp, [UInt8]) in
                    let header = try VersionFormat.header(stored)
                    return (header.tombstone, header.timestamp, Array(VersionFormat.payload(stored)))
                }
                if let (tombstone, start, value) = old {
                    let historyKey = VersionFormat.historyKey(tree: treeID, key: k, start: start)
                    let historyValue = value.withUnsafeBytes { VersionFormat.version(tombstone: tombstone, timestamp: timestamp, value: $0) }
                    try historyKey.withUnsafeBytes { hk in try historyValue.withUnsafeBytes { hv in try writer.put(.history, hk, hv) } }
                    let queueKey = VersionFormat.queueKey(end: timestamp, kind: .history, tree: treeID, key: k, start: start)
                    try queueKey.withUnsafeBytes { q in try writer.put(.versionQueue, q, empty) }
                } else if entry.isDelete {
                    continue
                }
                try writer.put(tree.slot, k, UnsafeRawBufferPointer(entry.version))
                if entry.isDelete {
                    let queueKey = VersionFormat.queueKey(end: timestamp, kind: .tombstone, tree: treeID, key: k, start: timestamp)
                    try queueKey.withUnsafeBytes { q in try writer.put(.versionQueue, q, empty) }
                }
            }
        }
        for drop in writes.dropped {
            try drop.queueKey(at: timestamp).withUnsafeBytes { q in
                try drop.upper.withUnsafeBytes { try writer.put(.versionQueue, q, $0) }
            }
        }
    }
}

/// Where a commit's versions are written: one atomic logged operation, or a storage transaction.
protocol VersionWriter {
    func put(_ slot: RootSlot, _ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws
    func delete(_ slot: RootSlot, _ key: UnsafeRawBufferPointer) throws
    func withValue<R>(_ slot: RootSlot, _ key: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R?
}

struct AtomicVersionWriter: VersionWriter {
    let writer: StorageEngine.AtomicWriter
    func put(_ slot: RootSlot, _ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws { try writer.put(slot, key, value) }
    func delete(_ slot: RootSlot, _ key: UnsafeRawBufferPointer) throws { try writer.delete(slot, key) }
    func withValue<R>(_ slot: RootSlot, _ key: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R? {
        try writer.withValue(slot, key, body)
    }
}
