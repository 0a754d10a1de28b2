#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import BasaltStorage

/// Snapshot reads: a key's version as of a timestamp, from its tree or the history tree.
extension TransactionManager {
    /// Calls `body` with the value of `key` visible at `snapshot`; nil when absent then. Engine lock held.
    static func readVersion<R>(_ engine: StorageEngine, _ tree: RootSlot, _ key: UnsafeRawBufferPointer, at snapshot: Timestamp,
                               _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R? {
        var result: R?
        _ = try visitVersion(engine, tree, key, at: snapshot) { result = try body($0) }
        return result
    }

    /// `readVersion` without a generic result (see `StorageEngine.visitValue`): calls `body` with the
    /// version of `key` visible at `snapshot` and returns whether there was one.
    static func visitVersion(_ engine: StorageEngine, _ tree: RootSlot, _ key: UnsafeRawBufferPointer, at snapshot: Timestamp,
                             _ body: (UnsafeRawBufferPointer) throws -> Void) throws -> Bool {
        var inHistory = false
        var visible = false
        _ = try engine.visitValue(tree, key) { stored in
            let header = try VersionFormat.header(stored)
            guard header.timestamp <= snapshot else {
                inHistory = true
                return
            }
            if !header.tombstone {
                visible = true
                try body(VersionFormat.payload(stored))
            }
        }
        if !inHistory { return visible }
        return try historyVersion(engine, tree, key, at: snapshot) { try body($0) } != nil
    }

    /// The history version of `key` current at `snapshot`, if it was present then.
    static func historyVersion<R>(_ engine: StorageEngine, _ tree: RootSlot, _ key: UnsafeRawBufferPointer, at snapshot: Timestamp,
                                  _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R? {
        let seek = VersionFormat.historyKey(tree: UInt32(tree.rawValue), key: key, start: snapshot)
        let prefixCount = seek.count - 8
        var result: R?
        try seek.withUnsafeBytes { lower in
            _ = try engine.scan(.history, lower: lower, upper: nil) { historyKey, stored in
                // The first entry at or after the seek: the newest version of this key that started at
                // or before the snapshot, if it belongs to this key at all.
                guard historyKey.count == seek.count,
                      memcmp(historyKey.baseAddress!, lower.baseAddress!, prefixCount) == 0 else { return false }
                let header = try VersionFormat.header(stored)
                if header.timestamp > snapshot, !header.tombstone { result = try body(VersionFormat.payload(stored)) }
                return false
            }
        }
        return result
    }

    /// The commit timestamp of the newest version of `key` (a tombstone included), nil when it never existed
    /// or its tombstone was collected.
    static func latestTimestamp(_ engine: StorageEngine, _ tree: RootSlot, _ key: UnsafeRawBufferPointer) throws -> Timestamp? {
        try engine.withValue(tree, key) { try VersionFormat.header($0).timestamp }
    }

    /// Reads `key` in `txn`: its own buffered write, else the version in its snapshot. Serializable
    /// transactions remember the read for validation. Throws `TransactionError`, or what `body` throws.
    package func get<R>(_ txn: TransactionContext, _ tree: RootSlot, _ key: [UInt8],
                        _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R? {
        var result: R?
        _ = try visit(txn, tree, key) { result = try body($0) }
        return result
    }

    /// `get` without a generic result, for the point-read paths of other modules (see
    /// `StorageEngine.visitValue`): calls `body` with the visible value and returns whether there was one.
    package func visit(_ txn: TransactionContext, _ tree: RootSlot, _ key: [UInt8],
                       _ body: (UnsafeRawBufferPointer) throws -> Void) throws -> Bool {
        try checkActive(txn)
        if let entry = key.withUnsafeBytes({ txn.writes.findInPlace(tree, $0) }) {
            if entry.isDelete { return false }
            try body(entry.value)
            return true
        }
        let snapshot = snapshot(for: txn)
        if txn.tracksReads { txn.reads.read(tree, key) }
        return try readDeferringMisses { engine in
            try key.withUnsafeBytes { try Self.visitVersion(engine, tree, $0, at: snapshot, body) }
        }
    }

    /// Reads each of `keys` — ascending in byte order, repeats allowed — as `visit` does, calling
    /// `body(i, value)` once for each key `i` visible to `txn`. Calls are not in key order: within
    /// each chunk, keys the transaction wrote come first and versions read from history last. Keys that
    /// share a leaf share its descent, and the engine lock is taken once per `scanChunk` keys, not per
    /// key: the batched lookups of a join. Throws `TransactionError` (a storage failure also dooms `txn`),
    /// or what `body` throws.
    package func visitSorted(_ txn: TransactionContext, _ tree: RootSlot, _ keys: PackedKeys,
                             _ body: (Int, UnsafeRawBufferPointer) throws -> Void) throws {
        try checkActive(txn)
        let snapshot = snapshot(for: txn)
        let checksWrites = !txn.writes.isEmpty
        var start = 0
        var fromTree: [Int] = []
        var inHistory: [Int] = []
        do {
            try keys.bytes.withUnsafeBytes { all in
                func key(_ i: Int) -> UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: all[keys.range(i)]) }
                while start < keys.count {
                    let end = min(keys.count, start + Self.scanChunk)
                    fromTree.removeAll(keepingCapacity: true)
                    for i in start..<end {
                        if checksWrites, let entry = txn.writes.findInPlace(tree, key(i)) {
                            if !entry.isDelete { try body(i, entry.value) }
                        } else {
                            fromTree.append(i)
                            if txn.tracksReads { txn.reads.read(tree, Array(key(i))) }
                        }
                    }
                    try withEngineRethrowing { engine in
                        inHistory.removeAll(keepingCapacity: true)
                        try engine.visitSorted(tree, count: fromTree.count, key: { key(fromTree[$0]) }) { j, stored in
                            let header = try VersionFormat.header(stored)
                            if header.timestamp > snapshot {
                                inHistory.append(fromTree[j])
                            } else if !header.tombstone {
                                try body(fromTree[j], VersionFormat.payload(stored))
                            }
                        }
                        // Versions newer than the snapshot: their past from history (rare; one seek each).
                        for i in inHistory {
                            _ = try Self.historyVersion(engine, tree, key(i), at: snapshot) { try body(i, $0) }
                        }
                    }
                    start = end
                }
            }
        } catch {
            guard TransactionError.isOwn(error) else { throw error }
            throw fail(txn, TransactionError.wrap(error))
        }
    }

    /// Reads the newest visible version of `key` outside any transaction (one consistent read). Throws
    /// `TransactionError`, or what `body` throws.
    package func getLatest<R>(_ tree: RootSlot, _ key: UnsafeRawBufferPointer,
                              _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R? {
        var result: R?
        _ = try visitLatest(tree, key) { result = try body($0) }
        return result
    }

    /// `getLatest` without a generic result (see `visit`).
    package func visitLatest(_ tree: RootSlot, _ key: UnsafeRawBufferPointer,
                             _ body: (UnsafeRawBufferPointer) throws -> Void) throws -> Bool {
        advanceVisibleIfDue()
        return try readDeferringMisses { engine in
            let snapshot = Timestamp(visibleMirror.load(ordering: .acquiring))
            return try Self.visitVersion(engine, tree, key, at: snapshot, body)
        }
    }

    /// Visits the pairs of `tree` with `lower <= key < upper` visible at the newest visible state, in
    /// key order, outside any transaction (`visitLatest` for a short range): one hold of the engine lock,
    /// so no commit or collection interleaves and the pairs form one consistent snapshot. Stops and
    /// returns false when the range holds more than `limit` visible pairs (after visiting `limit`) or
    /// more than twice `scanChunk` keys in all, true when every pair was visited. `limit` is at most
    /// `scanChunk`, which bounds the hold. Bytes are valid only during each call; `body` must not call
    /// back into the manager. Throws `TransactionError` or what `body` throws.
    package func scanLatest(_ tree: RootSlot, lower: UnsafeRawBufferPointer, upper: UnsafeRawBufferPointer, limit: Int,
                            _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> Void) throws -> Bool {
        precondition(limit <= Self.scanChunk, "a latest-state scan holds the engine lock for at most one chunk")
        advanceVisibleIfDue()
        return try withEngineRethrowing { engine in
            let snapshot = Timestamp(visibleMirror.load(ordering: .acquiring))
            var visited = 0
            var complete = true
            // Keys stepped over, deletion markers included: those too must not hold the lock long.
            var steps = 0
            _ = try engine.scan(tree, lower: lower, upper: upper, reverse: false) { key, stored in
                steps += 1
                guard steps <= 2 * Self.scanChunk else { complete = false; return false }
                let header = try VersionFormat.header(stored)
                if header.timestamp <= snapshot {
                    if header.tombstone { return true }
                    guard visited < limit else { complete = false; return false }
                    visited += 1
                    try body(key, VersionFormat.payload(stored))
                    return true
                }
                // Changed after the snapshot: the version current then, from history.
                var over = false
                _ = try Self.historyVersion(engine, tree, key, at: snapshot) { value in
                    guard visited < limit else { over = true; return }
                    visited += 1
                    try body(key, value)
                }
                if over { complete = false }
                return !over
            }
            return complete
        }
    }

    /// Pairs visited per hold of the engine lock during a scan: between chunks writers commit.
    package static let scanChunk = 256

    /// Visits the pairs of `tree` with `lower <= key < upper` visible to `txn` (nil: outside a
    /// transaction, the newest visible state), merged with its own buffered writes, in key order
    /// (descending with `reverse`), until `body` returns false. Bytes are valid only during each call;
    /// `body` must not call back into the manager. Returns the number visited. Serializable
    /// transactions remember the range actually covered, for validation. Throws `TransactionError`
    /// (a storage failure also dooms `txn`), or what `body` throws (leaving `txn` as it was).
    @discardableResult
    package func scan(_ txn: TransactionContext?, _ tree: RootSlot, lower: [UInt8]?, upper: [UInt8]?, reverse: Bool,
                      _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> Bool) throws -> Int {
        if let txn { try checkActive(txn) }
        let snapshot: Timestamp
        var transientID: UInt64?
        if let txn, txn.snapshot != nil || txn.isolation != .readCommitted || txn.readOnly {
            snapshot = self.snapshot(for: txn)
        } else {
            // A snapshot just for this scan, registered so the collector keeps what it reads.
            advanceVisibleIfDue()
            (snapshot, transientID) = shared.withLock { state in
                let id = state.nextID
                state.nextID += 1
                state.transientSnapshots[id] = state.visible
                return (state.visible, id)
            }
        }
        defer { if let transientID { shared.withLock { _ = $0.transientSnapshots.removeValue(forKey: transientID) } } }

        // Buffered writes in range, in scan order.
        // Entries are read from this copy of the tree's list: `body` cannot write (see above), and the
        // bytes they point to live as long as `txn`.
        var entries: [WriteSet.Entry] = []
        var buffered: [Int32] = []
        if let txn, !txn.writes.isEmpty,
           let range = withOptionalBytes(lower, { l in withOptionalBytes(upper) { u in txn.writes.sortedRange(tree, lower: l, upper: u) } }) {
            entries = txn.writes.trees[range.tree].entries
            buffered = reverse ? range.entries.reversed() : Array(range.entries)
        }
        var nextBuffered = 0
        var visited = 0
        var stopped = false
        var resume: [UInt8]?   // last tree key visited: the next chunk starts after it
        var treeDone = false
        func emitBuffered(_ index: Int32) throws -> Bool {
            let entry = entries[Int(index)]
            if entry.isDelete { return true }
            visited += 1
            if try body(entry.key, entry.value) { return true }
            stopped = true
            resume = Array(entry.key)
            return false
        }
        do {
            while !stopped, !treeDone {
                try withEngineRethrowing { engine in
                    var lo = lower, hi = upper
                    if let resume {
                        if reverse { hi = resume } else { lo = resume + [0] }
                    }
                    var inChunk = 0
                    var sawAny = false
                    try withOptionalBytes(lo) { loBytes in
                        try withOptionalBytes(hi) { hiBytes in
                            _ = try engine.scan(tree, lower: loBytes, upper: hiBytes, reverse: reverse) { key, stored in
                                sawAny = true
                                // Buffered keys before this one come first.
                                while nextBuffered < buffered.count {
                                    let b = buffered[nextBuffered]
                                    let before = compareKeys(entries[Int(b)].key, key)
                                    guard reverse ? before > 0 : before < 0 else { break }
                                    nextBuffered += 1
                                    if !(try emitBuffered(b)) { return false }
                                }
                                // The key is copied only where a resume point or read-set bound needs it
                                // (chunk end, stop): no allocation per row.
                                if nextBuffered < buffered.count,
                                   compareKeys(entries[Int(buffered[nextBuffered])].key, key) == 0 {
                                    let b = buffered[nextBuffered]
                                    nextBuffered += 1
                                    if !(try emitBuffered(b)) { return false }
                                } else {
                                    let header = try VersionFormat.header(stored)
                                    var keepGoing = true
                                    if header.timestamp <= snapshot {
                                        if !header.tombstone {
                                            visited += 1
                                            keepGoing = try body(key, VersionFormat.payload(stored))
                                        }
                                    } else if let go = try Self.historyVersion(engine, tree, key, at: snapshot, { value in
                                        visited += 1
                                        return try body(key, value)
                                    }) {
                                        keepGoing = go
                                    }
                                    if !keepGoing { stopped = true; resume = Array(key); return false }
                                }
                                inChunk += 1
                                guard inChunk < Self.scanChunk else { resume = Array(key); return false }
                                return true
                            }
                        }
                    }
                    if !stopped, inChunk < Self.scanChunk || !sawAny { treeDone = true }
                }
            }
            if !stopped {
                while nextBuffered < buffered.count {
                    let b = buffered[nextBuffered]
                    nextBuffered += 1
                    if !(try emitBuffered(b)) { break }
                }
            }
        } catch {
            guard TransactionError.isOwn(error) else { throw error }
            let wrapped = TransactionError.wrap(error)
            if let txn { throw fail(txn, wrapped) }
            throw wrapped
        }
        if let txn, txn.tracksReads {
            // The range covered: all of it, or up to and including the last key visited.
            var range = ReadSet.Range(tree: tree, lower: lower, upper: upper)
            if stopped, let last = resume {
                if reverse { range.lower = last } else { range.upper = last + [0] }
            }
            txn.reads.scanned(range)
        }
        return visited
    }
}

func withOptionalBytes<R>(_ bytes: [UInt8]?, _ body: (UnsafeRawBufferPointer?) throws -> R) rethrows -> R {
    guard let bytes else { return try body(nil) }
    return try bytes.withUnsafeBytes { try body($0) }
}
