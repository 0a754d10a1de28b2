/// How a `StorageEngine` opens its file.
package struct StorageOptions: Sendable {
    package var pageSize: Int
    package var bufferPoolBytes: Int
    package var eviction: EvictionPolicyKind
    /// Size of one log segment file.
    package var logSegmentBytes: Int
    /// A checkpoint starts once this much log was written since the last one began.
    package var checkpointLogBytes: Int
    /// A checkpoint starts on the first write after this long since the last one.
    package var checkpointInterval: Duration
    /// Whether buffer pool misses copy pages from a read-only mapping of the file (see `FileMapping`).
    package var memoryMappedReads: Bool
    /// The longest a log flusher waits for another commit to share its sync (see `WriteAheadLog`).
    package var groupCommitWait: Duration

    package init(pageSize: Int = 8192, bufferPoolBytes: Int = 64 << 20, eviction: EvictionPolicyKind = .clock,
                 logSegmentBytes: Int = 16 << 20, checkpointLogBytes: Int = 64 << 20,
                 checkpointInterval: Duration = .seconds(300), memoryMappedReads: Bool = true,
                 groupCommitWait: Duration = .microseconds(100)) {
        self.groupCommitWait = groupCommitWait
        self.pageSize = pageSize
        self.bufferPoolBytes = bufferPoolBytes
        self.eviction = eviction
        self.logSegmentBytes = logSegmentBytes
        self.checkpointLogBytes = checkpointLogBytes
        self.checkpointInterval = checkpointInterval
        self.memoryMappedReads = memoryMappedReads
    }
}

/// What recovery did when the engine opened.
package struct RecoveryReport: Sendable, Equatable {
    /// Log bytes read (from the oldest segment kept to the end).
    package var logBytes: UInt64 = 0
    package var records = 0
    /// Page-changing records replayed from the redo point.
    package var redoneRecords = 0
    /// Loser transactions rolled back, and the operations undone for them.
    package var rolledBackTransactions = 0
    package var undoneOperations = 0
    package var seconds: Double = 0
}

/// The storage layer's surface for the layers above: one database file and its write-ahead log, its
/// trees by root slot, transactions, checkpoints and the integrity check. The layer above serialises
/// every call (it is not thread-safe; `TransactionManager` holds its engine lock), except `log`, which is
/// thread-safe so committers can wait for durability outside that lock (group commit).
///
/// Every change is one logged operation (`logged`): the pages it changes are captured, the operation runs,
/// and one `update` (or `compensation`) record describing all of them is appended before any of them can
/// reach the file. Writes outside a transaction are self-committing records; writes in a transaction
/// carry logical undo and end with a `commit` record, or are rolled back with compensation records.
///
/// Any I/O failure while changing pages or the log turns the engine read-only until reopened (`Pager`
/// invariant 4, `WriteAheadLog` invariant 4); reopening recovers a consistent state.
package final class StorageEngine {
    let pager: Pager
    /// The log; thread-safe. Committers flush it (outside the client's lock) to make a commit durable.
    package let log: WriteAheadLog
    var control: ControlFile
    let options: StorageOptions
    /// The begin LSN of the last checkpoint: a page whose LSN is below it gets a full image on its next
    /// change (torn-page protection, see `PageRedo`).
    var redoPoint: LSN
    var lastCheckpoint: ContinuousClock.Instant
    var transactions: [UInt64: ActiveTransaction] = [:]
    var nextTransactionID: UInt64 = 1
    /// What recovery did at open.
    package internal(set) var recovery = RecoveryReport()
    /// Checkpoints completed since open.
    package internal(set) var checkpointCount = 0
    /// Asked (under the client's lock, so it must not wait for it) when a checkpoint is due; nil: writes
    /// checkpoint themselves (see `checkpointIfDue`).
    package var checkpointRequester: (@Sendable () -> Void)?
    /// The transaction of the logged operation in progress (0: none), for records it logs early.
    var operationTransaction: UInt64 = 0
    /// The byte buffers `logged` builds a record's page redo and payload in, kept with their capacity
    /// from one operation to the next: built afresh, each grew by doubling (about ten reallocations and
    /// copies per operation that changes a page). Empty except while `logged` runs, which takes them
    /// out and puts them back (so a nested use would only allocate afresh, never share bytes).
    var redoBuffer: [UInt8] = []
    var payloadBuffer: [UInt8] = []

    /// Opens or creates the database file and its log, and recovers: every committed change is present and
    /// no uncommitted one. Throws `StorageError` (`databaseLocked`, `notADatabase`,
    /// `unsupportedFormatVersion`, `corruption`, `logCorruption`, `ioFailure`, `invalidConfiguration`)
    /// without changing an existing database file it cannot use.
    package init(fileSystem: any FileSystem, path: String, options: StorageOptions) throws {
        let minimum = (BufferPool.minimumFrames + Pager.scratchPageCount) * options.pageSize
        guard options.bufferPoolBytes >= minimum else {
            throw StorageError.invalidConfiguration(
                "buffer pool of \(options.bufferPoolBytes) bytes is below the minimum of \(minimum) for \(options.pageSize)-byte pages")
        }
        guard options.logSegmentBytes >= 4096 else {
            throw StorageError.invalidConfiguration("log segments of \(options.logSegmentBytes) bytes are below the minimum of 4096")
        }
        self.options = options
        if fileSystem.fileExists(path: path), try Self.isInterruptedCreation(fileSystem: fileSystem, path: path) {
            // A crash while the file was being created: nothing was ever committed to it. Start over.
            let file = try fileSystem.open(path: path, options: FileOpenOptions(create: false, exclusiveLock: true))
            try file.truncate(to: 0)
            try file.sync()
            try file.close()
        }
        pager = try Pager(fileSystem: fileSystem, path: path, pageSize: options.pageSize,
                          bufferPoolBytes: options.bufferPoolBytes, eviction: options.eviction,
                          mapFile: options.memoryMappedReads, checkHeaderPage: false)
        if pager.wasCreated {
            // A log left behind by an earlier database at this path must never be replayed into this one.
            try Self.removeLog(fileSystem: fileSystem, path: path)
        }
        var control = try ControlFile(fileSystem: fileSystem, databasePath: path)
        do {
            if pager.wasCreated { try control.write(ControlFile.Checkpoint()) }
            log = try WriteAheadLog(fileSystem: fileSystem, basePath: path, segmentSize: options.logSegmentBytes,
                                    firstSegment: control.current.firstSegment, startLSN: control.current.logEnd,
                                    groupCommitWait: options.groupCommitWait)
        } catch {
            control.close()
            throw error
        }
        self.control = control
        let checkpoint = control.current
        redoPoint = checkpoint.redoLSN
        lastCheckpoint = .now
        let log = log
        pager.pool.beforeWriteBack = { page in
            // The write-ahead rule: the record that last changed the page is durable before the page is.
            let lsn = page.lsn
            if lsn != 0 { try log.flush(covering: lsn) }
            assert(lsn == 0 || log.durableLSN > lsn, "write-ahead rule: page \(page.id) LSN \(lsn) is not durable")
        }
        // Installed once (not per operation): a closure per put would be an allocation per put.
        pager.pool.capture.spillThreshold = max(8, pager.pool.frameCount / 4)
        pager.pool.capture.spill = { [unowned self] in try self.spillCapturedPages() }
        do {
            try recover()
            try pager.verifyHeaderPage()
        } catch {
            // Nothing else will close them: the engine never opened.
            log.close()
            control.close()
            throw error
        }
    }

    /// Whether the data file is a creation that a crash cut short: the control file (written right after
    /// the new header page is synced) holds no checkpoint, the file holds at most the header page, and
    /// that page is short or fails its checksum while its first sector is zeros or carries Basalt's
    /// magic — so starting over loses nothing. Anything else (a foreign file, or a damaged database
    /// copied without its log) is left for `Pager` to judge, and reject untouched.
    static func isInterruptedCreation(fileSystem: any FileSystem, path: String) throws -> Bool {
        let controlPath = ControlFile.path(for: path)
        if fileSystem.fileExists(path: controlPath) {
            let control = try fileSystem.open(path: controlPath, options: FileOpenOptions(create: false, exclusiveLock: false))
            defer { try? control.close() }
            var bytes = [UInt8](repeating: 0, count: 2 * ControlFile.slotSize)
            let read = try bytes.withUnsafeMutableBytes { try control.read(into: $0, at: 0) }
            if ControlFile.hasValidSlot(Array(bytes[0..<read])) { return false }
        }
        let file = try fileSystem.open(path: path, options: FileOpenOptions(create: false, exclusiveLock: true))
        defer { try? file.close() }
        let size = Int(try file.size())
        guard size > 0, size <= 65536 else { return false }
        var bytes = [UInt8](repeating: 0, count: min(size, 65536))
        let read = try bytes.withUnsafeMutableBytes { try file.read(into: $0, at: 0) }
        let head = Array(bytes[0..<min(read, 512)])
        let magicEnd = DatabaseHeader.magicOffset + DatabaseHeader.magic.count
        let ours = head.allSatisfy { $0 == 0 }
            || (head.count >= magicEnd && Array(head[DatabaseHeader.magicOffset..<magicEnd]) == DatabaseHeader.magic)
        guard ours else { return false }
        let pageSize = head.count >= DatabaseHeader.pageSizeOffset + 4
            ? Int(head.withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: DatabaseHeader.pageSizeOffset, as: UInt32.self)) })
            : 0
        guard DatabaseHeader.isValidPageSize(pageSize), read >= pageSize else { return true }
        guard size <= pageSize else { return false }
        return bytes.withUnsafeMutableBytes { b in
            let page = Page(base: b.baseAddress!, size: pageSize)
            return (try? page.verify(expected: 0)) == nil
        }
    }

    /// Deletes the control file and the log segments of the database at `path`.
    static func removeLog(fileSystem: any FileSystem, path: String) throws {
        let controlPath = ControlFile.path(for: path)
        var first: UInt64 = 1
        if fileSystem.fileExists(path: controlPath) {
            if let control = try? ControlFile(fileSystem: fileSystem, databasePath: path) {
                first = control.current.firstSegment
                control.close()
            }
            try fileSystem.removeFile(path: controlPath)
        }
        for start in Set([1, first]) {
            var n = start
            while fileSystem.fileExists(path: WriteAheadLog.segmentPath(path, n)) {
                try fileSystem.removeFile(path: WriteAheadLog.segmentPath(path, n))
                n += 1
            }
        }
    }

    /// The page size of the file (an existing file keeps the one it was created with).
    package var pageSize: Int { pager.pageSize }
    /// The largest key a tree of this file accepts.
    package var maxKeySize: Int { pager.limits.maxKeySize }

    /// The tree in `slot`, created (as an empty leaf root) when missing. Call inside a logged operation.
    func tree(_ slot: RootSlot) throws -> BTree {
        let root = try pager.root(slot)
        if root != .none { return BTree(root: root, pager: pager) }
        let tree = try BTree.create(in: pager)
        try pager.setRoot(slot, tree.root)
        return tree
    }

    /// The tree in `slot` if it exists.
    func existingTree(_ slot: RootSlot) throws -> BTree? {
        let root = try pager.root(slot)
        return root == .none ? nil : BTree(root: root, pager: pager)
    }

    /// Throws unless changes are allowed: open, and neither the file nor the log has failed.
    func checkWritable() throws {
        try pager.checkWritable()
        if let failure = log.failure { throw StorageError.readOnlyAfterFailure(failure.description) }
    }

    // MARK: Key-value operations

    package func get(_ slot: RootSlot, _ key: [UInt8]) throws -> [UInt8]? {
        try pager.checkOpen()
        return try existingTree(slot)?.get(key)
    }

    /// Calls `body` with the value under `key` (bytes valid only during the call); returns whether the
    /// key was present. Not generic on purpose: a generic read called from another module runs
    /// unspecialised, looking up type metadata at run time on every call, which the point-read paths
    /// of the layers above measurably paid for.
    /// Whether a pool miss copies its page from a mapping of the file: then it costs about as much as
    /// the extra descent and lock round trip of reading it outside the lock, so readers do not defer.
    package var missesAreMapped: Bool { pager.pool.mapsFile }

    /// Reads pages of this file outside the engine lock (see `DetachedFileAccess`).
    package var detachedFile: DetachedFileAccess { pager.detachedFile }

    /// Runs `body` (a read) with pool misses throwing `DeferredPageMiss` instead of reading the file
    /// under the caller's lock. `body` must change nothing and call back its own caller only after its
    /// last page access, so it can simply run again once the page is cached.
    package func deferringMisses<R>(_ body: () throws -> R) rethrows -> R {
        pager.pool.defersMisses = true
        defer { pager.pool.defersMisses = false }
        return try body()
    }

    /// Caches a page read by `detachedFile` after `miss`; does nothing when it is no longer safe (see
    /// `BufferPool.installDetached`). Throws when no frame can be had.
    package func installDetached(_ miss: DeferredPageMiss, _ bytes: [UInt8]) throws {
        try pager.checkOpen()
        _ = try pager.pool.installDetached(miss.page, bytes, ifFileWrites: miss.fileWrites)
    }

    package func visitValue(_ slot: RootSlot, _ key: UnsafeRawBufferPointer,
                            _ body: (UnsafeRawBufferPointer) throws -> Void) throws -> Bool {
        try pager.checkOpen()
        return try existingTree(slot)?.withValue(forKey: key, body) != nil
    }

    /// Calls `body(i, value)` for each key `key(i)`, `i` in `0 ..< count`, present in the tree of
    /// `slot`; the keys must ascend by `compareKeys` (see `BTree.withValues`: keys sharing a leaf
    /// share its descent). Bytes are valid only during each call.
    package func visitSorted(_ slot: RootSlot, count: Int, key: (Int) -> UnsafeRawBufferPointer,
                             _ body: (Int, UnsafeRawBufferPointer) throws -> Void) throws {
        try pager.checkOpen()
        try existingTree(slot)?.withValues(count: count, key: key, body)
    }

    package func withValue<R>(_ slot: RootSlot, _ key: UnsafeRawBufferPointer,
                              _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R? {
        try pager.checkOpen()
        return try existingTree(slot)?.withValue(forKey: key, body)
    }

    /// Stores `value` under `key`. In `transaction` (from `beginTransaction`) the change becomes durable
    /// with its commit and is undone by its rollback; without one it commits by itself, and the returned
    /// LSN is the record to make durable (`log.flush(covering:)`) before reporting success.
    @discardableResult
    package func put(_ slot: RootSlot, _ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer,
                     transaction: UInt64? = nil) throws -> LSN? {
        // Checked before the tree is created, so a rejected put leaves a fresh file untouched.
        try pager.limits.check(keyCount: key.count, valueCount: value.count)
        try checkWritable()
        let lsn: LSN?
        if let transaction {
            let txn = try active(transaction)
            let old = try existingTree(slot)?.withValue(forKey: key) { Array($0) }
            let undo: UndoAction = old.map { .restoreValue(slot: slot, key: Array(key), value: $0) }
                ?? .removeKey(slot: slot, key: Array(key))
            try logged(.update(selfCommitting: false, undo: undo), in: txn) { try tree(slot).put(key, value) }
            lsn = nil
        } else {
            lsn = try logged(.update(selfCommitting: true, undo: .none), in: nil) { try tree(slot).put(key, value) }.lsn
        }
        try checkpointIfDue()
        return lsn
    }

    /// Removes `key`; returns whether it was present, and (outside a transaction) the LSN to make durable.
    package func delete(_ slot: RootSlot, _ key: UnsafeRawBufferPointer,
                        transaction: UInt64? = nil) throws -> (found: Bool, lsn: LSN?) {
        try checkWritable()
        guard let tree = try existingTree(slot) else { return (false, nil) }
        let result: (found: Bool, lsn: LSN?)
        if let transaction {
            let txn = try active(transaction)
            guard let old = try tree.withValue(forKey: key, { Array($0) }) else { return (false, nil) }
            try logged(.update(selfCommitting: false, undo: .restoreValue(slot: slot, key: Array(key), value: old)), in: txn) {
                _ = try tree.delete(key)
            }
            result = (true, nil)
        } else {
            let (found, lsn) = try logged(.update(selfCommitting: true, undo: .none), in: nil) { try tree.delete(key) }
            result = (found, found ? lsn : nil)
        }
        try checkpointIfDue()
        return result
    }

    /// Applies `pairs` (any order; for a repeated key the last pair wins) atomically: in `transaction`, or
    /// as one transaction of its own (whose commit LSN is returned). Every pair is checked against the
    /// size limits first. Into an empty tree outside a transaction the pairs are bulk-loaded: built
    /// bottom-up past the end of the file, synced, then adopted by one logged operation — a crash before
    /// the adoption leaves the tree empty, after it the load is complete.
    @discardableResult
    package func putBatch(_ slot: RootSlot, _ pairs: [([UInt8], [UInt8])], transaction: UInt64? = nil) throws -> LSN? {
        for (key, value) in pairs { try pager.limits.check(keyCount: key.count, valueCount: value.count) }
        try checkWritable()
        let order = pairs.indices.sorted { a, b in
            let c = pairs[a].0.withUnsafeBytes { x in pairs[b].0.withUnsafeBytes { y in compareKeys(x, y) } }
            return c != 0 ? c < 0 : a < b
        }
        // Keep the last pair of each run of equal keys.
        var unique: [Int] = []
        unique.reserveCapacity(order.count)
        for index in order {
            if let last = unique.last, pairs[last].0 == pairs[index].0 {
                unique[unique.count - 1] = index
            } else {
                unique.append(index)
            }
        }
        // Bulk pages go past the end of the file; with free pages to reuse, ordinary (ascending, so
        // well-filled) inserts are used instead, keeping `Pager` invariant 3.
        if transaction == nil, !unique.isEmpty, try pager.freeListHead() == .none, try existingTree(slot)?.isEmpty() ?? true {
            return try bulkLoad(slot, unique.lazy.map { (key: pairs[$0].0, value: pairs[$0].1) })
        }
        let own = try transaction ?? beginTransaction()
        do {
            for index in unique {
                try pairs[index].0.withUnsafeBytes { k in
                    try pairs[index].1.withUnsafeBytes { v in _ = try put(slot, k, v, transaction: own) }
                }
            }
        } catch {
            if transaction == nil { try? rollback(own) }
            throw error
        }
        return transaction == nil ? try commit(own) : nil
    }

    /// Stores `pairs` — sorted by `compareKeys`, keys unique — in the tree of `slot` (created when
    /// missing) as part of `transaction`, one logged operation per run of pairs sharing a leaf (or per
    /// chain of appending runs, see `chainedRunLimit`), each with the undo of all it wrote. Calls
    /// `previous` with each pair's index and the value it replaced (nil for a new key), once its
    /// operation is logged. Every pair is checked against the size limits
    /// before anything is written. A failure leaves the runs logged so far to the transaction's
    /// rollback.
    package func putSorted<P: SortedPairs>(_ slot: RootSlot, _ pairs: P, transaction: UInt64,
                                           previous: (Int, [UInt8]?) throws -> Void = { _, _ in }) throws {
        let counts = pairs.maxCounts
        try pager.limits.check(keyCount: counts.key, valueCount: counts.value)
        try checkWritable()
        let txn = try active(transaction)
        var start = 0
        // Per logged operation: the values replaced (by pair index, ascending), and the undo — a restore
        // per replaced key, and the removal of the new keys (their range when the operation only appended).
        var replaced: [(Int, [UInt8])] = []
        while start < pairs.count {
            replaced.removeAll(keepingCapacity: true)
            var restores: [UndoAction] = []
            var outcome = BTree.RunOutcome(end: start)
            let end = try logged(header: {
                if restores.isEmpty, outcome.appendedOnly {
                    return .update(selfCommitting: false, undo: .removeRange(
                        slot: slot, lower: Array(pairs.pair(start).key), upper: Array(pairs.pair(outcome.end - 1).key)))
                }
                var added: [UInt8] = []
                var next = 0
                for index in start..<outcome.end {
                    if next < replaced.count, replaced[next].0 == index { next += 1; continue }
                    UndoAction.appendPacked(pairs.pair(index).key, to: &added)
                }
                let removal = UndoAction.removeKeys(slot: slot, packed: added)
                if restores.isEmpty { return .update(selfCommitting: false, undo: removal) }
                return .update(selfCommitting: false, undo: .many(added.isEmpty ? restores : restores + [removal]))
            }, in: txn) {
                let target = try tree(slot)
                let note = { (index: Int, key: UnsafeRawBufferPointer, old: UnsafeRawBufferPointer?) in
                    guard let old else { return }
                    let copy = Array(old)
                    replaced.append((index, copy))
                    restores.append(.restoreValue(slot: slot, key: Array(key), value: copy))
                }
                outcome = try target.putRun(pairs, from: start, previous: note)
                // A run that appended until it split its leaf goes on in the same operation while the
                // keys stay below the first leaf's upper bound: every key there that existed before lies
                // below the first key written, so the whole operation still only appended, and each new
                // leaf is logged once, as an image, instead of once new and again as a diff.
                let first = outcome
                var runs = 1
                while outcome.split, outcome.appendedOnly, outcome.end < pairs.count, runs < chainedRunLimit,
                      first.upper.map({ upper in upper.withUnsafeBytes { compareKeys(pairs.pair(outcome.end).key, $0) < 0 } }) ?? true {
                    outcome = try target.putRun(pairs, from: outcome.end, previous: note)
                    runs += 1
                }
                return outcome.end
            }.result
            var next = 0
            for index in start..<end {
                if next < replaced.count, replaced[next].0 == index {
                    try previous(index, replaced[next].1)
                    next += 1
                } else {
                    try previous(index, nil)
                }
            }
            start = end
            try checkpointIfDue()
        }
    }

    /// The most runs `putSorted` chains into one logged operation: each pins its leaf, the leaf its
    /// split adds and their parents until the operation ends, so small pools chain fewer.
    var chainedRunLimit: Int { max(1, min(32, pager.pool.frameCount / 8)) }

    /// `putSorted` for pairs held in arrays (copied once into a `PairList`).
    package func putSorted(_ slot: RootSlot, _ pairs: [(key: [UInt8], value: [UInt8])], transaction: UInt64,
                           previous: (Int, [UInt8]?) throws -> Void = { _, _ in }) throws {
        try putSorted(slot, PairList(pairs), transaction: transaction, previous: previous)
    }

    private func bulkLoad<S: Sequence>(_ slot: RootSlot, _ pairs: S) throws -> LSN?
    where S.Element == (key: [UInt8], value: [UInt8]) {
        // The empty tree itself is an ordinary self-committing change.
        try logged(.update(selfCommitting: true, undo: .none), in: nil) { _ = try tree(slot) }
        let target = try tree(slot)
        let start = try pager.pageCount()
        var next = start
        do {
            let top = try target.bulkBuild(pairs) {
                guard next < PageID.max - 1 else {
                    throw StorageError.diskFull(operation: "allocate page", path: pager.path)
                }
                defer { next += 1 }
                return next
            }
            guard let top else { return nil }
            // The new pages are unreachable until adopted; they must be durable before the record that
            // adopts them can be.
            try pager.flush()
            let lsn = try logged(.update(selfCommitting: true, undo: .none), in: nil) {
                try pager.setPageCount(next)
                try target.adoptBulkLoad(top: top)
            }.lsn
            try checkpointIfDue()
            return lsn
        } catch {
            if pager.failure == nil { for id in start..<next { pager.pool.discard(id) } }
            throw error
        }
    }

    /// Visits pairs with `lower <= key < upper` in key order (descending when `reverse`) until `body`
    /// returns false; bytes are valid only during each call. Returns the number visited.
    @discardableResult
    package func scan(_ slot: RootSlot, lower: UnsafeRawBufferPointer?, upper: UnsafeRawBufferPointer?,
                      reverse: Bool = false,
                      _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> Bool) throws -> Int {
        try pager.checkOpen()
        guard let tree = try existingTree(slot) else { return 0 }
        return try tree.scan(lower: lower, upper: upper, reverse: reverse, body)
    }

    // MARK: Transactions

    /// Starts a storage transaction; its writes pass its id. The transaction layer uses one only to apply
    /// a commit too large for one atomic operation, begun and ended under its engine lock, so at most one
    /// is active at a time.
    package func beginTransaction() throws -> UInt64 {
        try checkWritable()
        let id = nextTransactionID
        nextTransactionID += 1
        transactions[id] = ActiveTransaction(id: id)
        return id
    }

    func active(_ id: UInt64) throws -> ActiveTransaction {
        guard let txn = transactions[id] else {
            throw StorageError.invalidConfiguration("transaction \(id) is not active")
        }
        return txn
    }

    /// Appends the transaction's commit record and returns its LSN (nil when it wrote nothing): the
    /// commit is durable once `log.flush(covering:)` of it returns.
    package func commit(_ id: UInt64) throws -> LSN? {
        let txn = try active(id)
        guard txn.lastLSN != 0 else {
            transactions[id] = nil
            return nil
        }
        try checkWritable()
        let lsn = try appendOrFail(LogRecord(transaction: id, previousLSN: txn.lastLSN, type: .commit, payload: []))
        transactions[id] = nil
        try checkpointIfDue()
        return lsn
    }

    /// Undoes every write of the transaction, newest first, each logged as a compensation record, then
    /// logs its end (`abort`). A failure turns the engine read-only; recovery finishes the rollback.
    package func rollback(_ id: UInt64) throws {
        let txn = try active(id)
        for entry in txn.undo.reversed() {
            try undo(entry.action, in: txn, undoNext: entry.previousLSN)
        }
        if txn.lastLSN != 0 {
            try appendOrFail(LogRecord(transaction: id, previousLSN: txn.lastLSN, type: .abort, payload: []))
        }
        transactions[id] = nil
    }

    /// Runs the inverse of one key operation, logged as a compensation record whose undo-next is
    /// `undoNext`.
    func undo(_ action: UndoAction, in txn: ActiveTransaction, undoNext: LSN) throws {
        try logged(.compensation(undoNext: undoNext), in: txn) { try applyInverse(action) }
    }

    private func applyInverse(_ action: UndoAction) throws {
        switch action {
        case .none:
            break
        case let .removeKey(slot, key):
            _ = try key.withUnsafeBytes { try existingTree(slot)?.delete($0) }
        case let .restoreValue(slot, key, value):
            try key.withUnsafeBytes { k in try value.withUnsafeBytes { v in try tree(slot).put(k, v) } }
        case let .many(actions):
            for action in actions.reversed() { try applyInverse(action) }
        case let .removeKeys(slot, packed):
            guard let tree = try existingTree(slot) else { return }
            try UndoAction.forEachPacked(packed) { _ = try tree.delete($0) }
        case let .removeRange(slot, lower, upper):
            guard let tree = try existingTree(slot) else { return }
            var keys: [[UInt8]] = []
            try lower.withUnsafeBytes { low in
                try upper.withUnsafeBytes { high in
                    _ = try tree.scan(lower: low, upper: nil, reverse: false) { key, _ in
                        guard compareKeys(key, high) <= 0 else { return false }
                        keys.append(Array(key))
                        return true
                    }
                }
            }
            for key in keys { _ = try key.withUnsafeBytes { try tree.delete($0) } }
        }
    }

    /// Appends a record; a failure stops the engine (the log already refuses further work).
    @discardableResult
    func appendOrFail(_ record: LogRecord) throws -> LSN {
        do {
            return try log.append(record)
        } catch let error as StorageError {
            pager.fail(error)
            throw error
        }
    }

    // MARK: Whole-file operations

    /// Makes every commit so far durable (one log sync).
    package func flush() throws {
        try pager.checkOpen()
        try log.flush()
    }

    /// Checkpoints (so the next open has nothing to recover), then releases the files and the lock.
    package func close() throws {
        defer {
            log.close()
            control.close()
        }
        if pager.failure == nil, log.failure == nil, !pager.isClosed {
            for id in transactions.keys.sorted() { try rollback(id) }
            try checkpoint()
        }
        try pager.close()
    }

    /// Checks every invariant of the file (see `IntegrityReport`).
    package func checkIntegrity(progress: ((Int, Int) -> Void)? = nil) throws -> IntegrityReport {
        try pager.checkOpen()
        return try pager.checkIntegrity(progress: progress)
    }

    /// The buffer pool's counters.
    package var bufferPoolStatistics: BufferPoolStatistics { pager.pool.statistics }

    /// Pages in the file and how many of them are free.
    package func spaceStatistics() throws -> (pageCount: Int, freePages: Int) {
        (Int(try pager.pageCount()), try pager.freePageCount())
    }

    /// The error that turned the engine read-only, if any.
    package var failure: StorageError? { pager.failure ?? log.failure }

    /// Pages pinned right now; zero between operations (tests assert it).
    package var pinnedPages: Int { pager.pool.pinnedCount }
}
