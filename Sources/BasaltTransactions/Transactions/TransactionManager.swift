import BasaltStorage
import Logging
import Synchronization

/// The transaction layer: MVCC snapshots over the storage engine's trees, the lock manager, isolation
/// levels, commit timestamps and version collection. Thread-safe: every method may be called from any
/// thread; one `TransactionContext` must be used by one thread at a time.
///
/// **Versions.** The newest committed version of each key lives in its tree with its commit timestamp
/// (`VersionFormat`); a commit moves the version it replaces to the history tree, stamped with the
/// timestamp at which it stopped being current. A snapshot at `s` reads the tree's version when its
/// timestamp is at most `s` and otherwise the history version that was current at `s`. Uncommitted
/// writes are buffered in the transaction (`WriteSet`) and applied at commit in one atomic storage
/// operation or transaction, so readers never see them and never wait for writers.
///
/// **Locks.** `engine` (a mutex) serialises every storage access; it is held only for one read, one
/// chunk of a scan, one commit's application or one collector batch, never while waiting for a row
/// lock. Writers take X locks on keys (IX on the tree and database above) through `locks` before
/// buffering a write, and keep them until their commit is applied. Lock order: `engine` before `shared`;
/// the lock manager's internal lock is never taken while holding either.
///
/// **Visibility.** Commit timestamps increase in log order. With `visibleWhenDurable`, a commit becomes
/// visible (enters new snapshots) only once the log is durable through its record: `shared.visible` is
/// the newest timestamp such that it and every earlier commit are durable.
package final class TransactionManager: Sendable {
    struct EngineState {
        var engine: StorageEngine?
        var clock: HybridClock
        var recent = RecentCommits()
        var recentSerializable = 0
    }

    struct SharedState {
        var nextID: UInt64 = 1
        /// Newest timestamp every new snapshot may see (see the type's invariant).
        var visible: Timestamp
        /// Applied commits not yet visible, in timestamp (= LSN) order.
        var pending: [(timestamp: Timestamp, lsn: LSN)] = []
        var active: [UInt64: TransactionSummary] = [:]
        /// Snapshots registered outside transactions (a scan under read committed).
        var transientSnapshots: [UInt64: Timestamp] = [:]
        /// Versions that stopped being current at or before this are gone: no snapshot below it can be read.
        var collectedThrough: Timestamp
        var statistics = TransactionStatistics()
        var options: TransactionOptions
    }

    let engine: Locked<EngineState>
    let shared: Locked<SharedState>
    /// Mirrors of `shared.visible` and of the LSN of the oldest pending commit (`UInt64.max`: none),
    /// stored under `shared`'s lock after every change (`publish`), read without it on the read path.
    let visibleMirror: Atomic<UInt64>
    let firstPendingMirror = Atomic<UInt64>(.max)
    /// Commits that changed the catalog so far. Invariant: it grows after such a commit is visible and
    /// before its locks are released, so a reader of a newer value sees the new catalog.
    private let catalogEpochCounter = Atomic<UInt64>(0)

    /// The number of catalog-changing commits so far: a schema loaded after reading value v is at least
    /// as new as the catalog of epoch v, and a plan made under it stays current while the epoch is v.
    package var catalogEpoch: UInt64 { catalogEpochCounter.load(ordering: .sequentiallyConsistent) }
    /// Whether commits become visible only once durable (fixed at open).
    let visibleWhenDurable: Bool
    /// The row and table lock manager.
    package let locks: LockManager
    /// The engine's log, for waiting on durability outside the engine lock.
    package let log: WriteAheadLog
    /// Reads missing pages outside the engine lock for point reads (`readDeferringMisses`).
    let reader: DetachedFileAccess
    /// Point reads in progress on all threads, those waiting for the file outside the lock included.
    let pointReads = PointReadCount()
    let logger: Logger
    /// The largest user key: the tree limit less the bytes history and queue keys add.
    package let maxKeySize: Int
    /// Writes per commit applied as one atomic logged operation; larger commits use a storage transaction.
    let atomicWriteLimit: Int
    let lockEscalationThreshold: Int
    let collector: BackgroundThread?
    private let collectorTarget = CollectorTarget()

    static let clockKey = Array("clock.ceiling".utf8)
    static let collectedThroughKey = Array("versions.collectedThrough".utf8)

    /// Takes over `engine` (opened and recovered by the caller) and starts the deadlock detector and the
    /// version collector. Throws `TransactionError` if the transaction layer's metadata is unreadable.
    package init(engine: sending StorageEngine, options: TransactionOptions, logger: Logger,
                 startBackgroundWork: Bool = true) throws(TransactionError) {
        let ceiling: Timestamp
        let collected: Timestamp
        do {
            ceiling = try Self.readMeta(engine, Self.clockKey)
            collected = try Self.readMeta(engine, Self.collectedThroughKey)
        } catch {
            throw TransactionError.wrap(error)
        }
        log = engine.log
        reader = engine.detachedFile
        maxKeySize = engine.maxKeySize - VersionFormat.queueKeyOverhead
        atomicWriteLimit = max(1, engine.bufferPoolFrames / 8)
        lockEscalationThreshold = options.lockEscalationThreshold
        self.logger = logger
        var clock = HybridClock(persistedCeiling: ceiling)
        // Everything in the file is committed and durable (recovery ran): it is all visible.
        let visible = clock.now()
        clock.observe(visible)
        self.engine = Locked(EngineState(engine: engine, clock: clock))
        shared = Locked(SharedState(visible: visible, collectedThrough: collected, options: options))
        visibleMirror = Atomic(visible.rawValue)
        visibleWhenDurable = options.visibleWhenDurable
        locks = LockManager(timeout: options.lockTimeout, deadlockCheckInterval: options.deadlockCheckInterval,
                            startDetector: startBackgroundWork)
        if startBackgroundWork {
            let target = collectorTarget
            collector = BackgroundThread(interval: options.collectionInterval) { target.run() }
            target.attach(self)
        } else {
            collector = nil
        }
    }

    /// A counter of its own, away from the manager's other fields: every point read changes it, and it
    /// should not share a cache line with what the other threads read.
    final class PointReadCount: Sendable {
        let count = Atomic<Int>(0)
    }

    /// Lets the collector thread reach the manager without keeping it alive, and without a weak
    /// reference: a weak reference gives the manager a side table, and then every retain and release
    /// of it (several per statement) takes the runtime's slow path.
    ///
    /// Invariant: `target` is the manager from `attach` until its deinit calls `detach`. `run` calls
    /// it under the lock without retaining it, so `detach` waits for a running pass and the manager's
    /// storage, not yet destroyed while its deinit waits, stays valid throughout the pass.
    final class CollectorTarget: Sendable {
        private let target = Locked<Unmanaged<TransactionManager>?>(nil)

        func attach(_ manager: TransactionManager) { target.withLock { $0 = .passUnretained(manager) } }
        func detach() { target.withLock { $0 = nil } }
        func run() { target.withLock { $0?._withUnsafeGuaranteedRef { $0.backgroundCollect() } } }
    }

    deinit {
        collectorTarget.detach()
        collector?.stop()
        locks.stop()
    }

    static func readMeta(_ engine: StorageEngine, _ key: [UInt8]) throws -> Timestamp {
        guard let bytes = try engine.get(.meta, key), bytes.count == 8 else { return .zero }
        return Timestamp(bytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) })
    }

    static func metaValue(_ ts: Timestamp) -> [UInt8] {
        withUnsafeBytes(of: ts.rawValue.littleEndian) { Array($0) }
    }

    /// Runs `body` on the open engine under the engine lock. Throws `.storage(.closed)` after close.
    package func withEngine<R>(_ body: (StorageEngine) throws -> R) throws(TransactionError) -> R {
        do {
            return try engine.withLock { state in
                guard let engine = state.engine else { throw StorageError.closed }
                return try body(engine)
            }
        } catch {
            throw TransactionError.wrap(error)
        }
    }

    /// `withEngine` for calls that run a caller's closure: Basalt's errors are wrapped as
    /// `TransactionError`, the closure's own errors pass through unchanged.
    func withEngineRethrowing<R>(_ body: (StorageEngine) throws -> R) throws -> R {
        do {
            return try engine.withLock { state in
                guard let engine = state.engine else { throw StorageError.closed }
                return try body(engine)
            }
        } catch {
            throw TransactionError.isOwn(error) ? TransactionError.wrap(error) : error
        }
    }

    /// Misses one point read may defer before it loads pages under the lock as before: a read that
    /// keeps missing (pages evicted or rewritten between its attempts) still finishes.
    static let maximumDeferredMisses = 6

    /// Runs the point read `body` under the engine lock, with page misses deferred while another point
    /// read is in progress on another thread and the file is not mapped: a missing page is then read and
    /// verified after the lock is released — so the other thread's reads and commits proceed during the
    /// I/O — then cached, and `body` runs again (see `DetachedFileAccess`). Alone, a read loads under the
    /// lock (a deferred miss costs a second descent and a copy of the page). `body` must change nothing
    /// and call back its caller only after its last page access.
    func readDeferringMisses<R>(_ body: (StorageEngine) throws -> R) throws -> R {
        pointReads.count.wrappingAdd(1, ordering: .relaxed)
        defer { pointReads.count.wrappingSubtract(1, ordering: .relaxed) }
        var misses = 0
        // A page read outside the lock, cached at the start of the next attempt (one lock hold for both).
        var pending: (miss: DeferredPageMiss, bytes: [UInt8])?
        while true {
            let mayDefer = misses < Self.maximumDeferredMisses
            do {
                return try withEngineRethrowing { engine in
                    if let (miss, bytes) = pending {
                        pending = nil
                        // No frame free (all pinned) is left to the read itself, which then reports it.
                        try? engine.installDetached(miss, bytes)
                    }
                    // Deferring pays off only when a miss is a system call: a copy out of the file's
                    // mapping is cheaper than the second descent and lock round trip (measured: YCSB C
                    // with 2 threads 210k -> 270k ops/s).
                    let concurrent = pointReads.count.load(ordering: .relaxed) > 1
                    let deferMisses = mayDefer && concurrent && !engine.missesAreMapped
                    return deferMisses ? try engine.deferringMisses { try body(engine) } : try body(engine)
                }
            } catch let miss as DeferredPageMiss {
                misses += 1
                // A failed read (a closed file, a page that fails verification) is left to the load
                // under the lock, which reports it with full context.
                guard let bytes = try? reader.read(miss) else {
                    misses = Self.maximumDeferredMisses
                    continue
                }
                pending = (miss, bytes)
            }
        }
    }

    func withEngineState<R>(_ body: (inout EngineState, StorageEngine) throws -> R) throws(TransactionError) -> R {
        do {
            return try engine.withLock { state in
                guard let engine = state.engine else { throw StorageError.closed }
                return try body(&state, engine)
            }
        } catch {
            throw TransactionError.wrap(error)
        }
    }

    /// Stops background work and closes the engine (checkpointing it). Open transactions are abandoned:
    /// their buffered writes were never applied.
    package func close() throws(TransactionError) {
        collector?.stop()
        locks.stop()
        do {
            try engine.withLock { state in
                defer { state.engine = nil }
                try state.engine?.close()
            }
        } catch {
            throw TransactionError.wrap(error)
        }
    }

    // MARK: Options at run time

    /// The lock timeout for waits that start from now on.
    package var lockTimeout: Duration {
        get { locks.timeout }
        set {
            locks.timeout = newValue
            shared.withLock { $0.options.lockTimeout = newValue }
        }
    }

    /// How long history stays readable; applies from the collector's next pass.
    package var historyRetention: Duration {
        get { shared.withLock { $0.options.historyRetention } }
        set { shared.withLock { $0.options.historyRetention = newValue } }
    }

    // MARK: Begin and end

    /// Starts a transaction. A time-travel read (`asOf`) is read-only and validated here: it throws
    /// `.snapshotTooOld` before the oldest readable time and `.futureSnapshot` after now.
    package func begin(isolation: IsolationLevel, readOnly: Bool, asOf: Timestamp? = nil) throws(TransactionError) -> TransactionContext {
        if let asOf { try prepareTimeTravel(asOf) }
        let outcome: Result<TransactionContext, TransactionError> = shared.withLock { state in
            let id = state.nextID
            state.nextID += 1
            let txn = TransactionContext(id: id, isolation: isolation, readOnly: readOnly || asOf != nil, asOf: asOf,
                                         startedAt: Timestamp.wallClock())
            if let asOf {
                let oldest = oldestReadable(state)
                guard asOf >= oldest else {
                    state.statistics.snapshotsTooOld += 1
                    return .failure(.snapshotTooOld(requested: asOf, oldestReadable: oldest))
                }
            }
            state.statistics.begun += 1
            state.active[id] = TransactionSummary(id: id, isolation: isolation, readOnly: txn.readOnly,
                                                  startedAt: txn.startedAt, snapshot: asOf, asOf: asOf)
            return .success(txn)
        }
        return try outcome.get()
    }

    /// The oldest time a new snapshot may read: `historyRetention` ago, and never before what the
    /// collector already removed.
    func oldestReadable(_ state: SharedState) -> Timestamp {
        max(state.collectedThrough, Timestamp.wallClock().subtracting(state.options.historyRetention))
    }

    /// The oldest time `begin(asOf:)` accepts right now.
    package var oldestReadableTime: Timestamp { shared.withLock { oldestReadable($0) } }

    /// Makes a read at `asOf` stable: no later commit may take a timestamp at or below it, and every
    /// commit at or below it is durable and visible.
    func prepareTimeTravel(_ asOf: Timestamp) throws(TransactionError) {
        let now = try withEngineState { state, _ -> Timestamp in
            let now = state.clock.now()
            if asOf <= now { state.clock.observe(asOf) }
            return now
        }
        guard asOf <= now else { throw TransactionError.futureSnapshot(requested: asOf, now: now) }
        if shared.withLock({ $0.visible }) < asOf {
            do { try log.flush() } catch { throw TransactionError.wrap(error) }
            advanceVisible()
            // Commits applied before the observe are durable now; later ones are above `asOf`.
            shared.withLock { state in
                if state.pending.isEmpty, state.visible < asOf { state.visible = asOf }
                publish(state)
            }
        }
    }

    /// The snapshot for the next read of `txn`: its fixed one (taken now if this is its first
    /// operation), or under read committed the newest visible timestamp.
    func snapshot(for txn: TransactionContext) -> Timestamp {
        if let snapshot = txn.snapshot { return snapshot }
        advanceVisibleIfDue()
        return shared.withLock { state in
            let visible = state.visible
            if txn.isolation != .readCommitted || txn.readOnly {
                txn.snapshot = visible
                state.active[txn.id]?.snapshot = visible
            }
            return visible
        }
    }

    /// Moves `visible` past every pending commit the log made durable.
    func advanceVisible() {
        let durable = log.durableLSN
        shared.withLock { state in
            var drop = 0
            while drop < state.pending.count, state.pending[drop].lsn < durable {
                state.visible = max(state.visible, state.pending[drop].timestamp)
                drop += 1
            }
            if drop > 0 { state.pending.removeFirst(drop) }
            publish(state)
        }
    }

    /// Stores the lock-free mirrors of `state` (call holding `shared`'s lock, after changing it).
    func publish(_ state: SharedState) {
        visibleMirror.store(state.visible.rawValue, ordering: .releasing)
        firstPendingMirror.store(state.pending.first?.lsn ?? .max, ordering: .releasing)
    }

    func advanceVisibleIfDue() {
        let durable = log.durableLSN
        let first = firstPendingMirror.load(ordering: .acquiring)
        if first != .max, first < durable { advanceVisible() }
    }

    /// Ends `txn` without applying anything: its buffered writes are dropped and its locks released.
    /// Rolling back an ended transaction does nothing.
    package func rollback(_ txn: TransactionContext) {
        switch txn.state {
        case .committed, .rolledBack: return
        case .active, .failed: break
        }
        txn.state = .rolledBack
        finish(txn, committed: false)
    }

    func finish(_ txn: TransactionContext, committed: Bool) {
        // Before the locks go: a writer granted its object lock by this release sees the new epoch.
        if committed && txn.changesCatalog { catalogEpochCounter.add(1, ordering: .sequentiallyConsistent) }
        if txn.mayHoldLocks { locks.releaseAll(owner: txn.id) }
        shared.withLock { state in
            state.active[txn.id] = nil
            if committed { state.statistics.committed += 1 } else { state.statistics.rolledBack += 1 }
        }
    }

    /// Marks `txn` failed (only rollback is allowed afterwards) and returns the error to throw.
    func fail(_ txn: TransactionContext, _ error: TransactionError) -> TransactionError {
        if case .active = txn.state { txn.state = .failed(error) }
        shared.withLock { state in
            switch error {
            case .serializationFailure: state.statistics.serializationFailures += 1
            case .deadlock: state.statistics.deadlocks += 1
            case .lockTimeout: state.statistics.lockTimeouts += 1
            default: break
            }
        }
        return error
    }

    func checkActive(_ txn: TransactionContext) throws(TransactionError) {
        switch txn.state {
        case .active: return
        case .failed: throw TransactionError.inactive("current transaction is aborted, commands ignored until end of transaction block")
        case .committed: throw TransactionError.inactive("the transaction has already committed")
        case .rolledBack: throw TransactionError.inactive("the transaction has already been rolled back")
        }
    }

    // MARK: Savepoints

    /// Marks a point to roll back to; a repeated name shadows the earlier one (as in PostgreSQL).
    package func savepoint(_ txn: TransactionContext, _ name: String) throws(TransactionError) {
        try checkActive(txn)
        txn.writes.isJournaling = true
        txn.savepoints.append((name, txn.writes.journal.count, txn.droppedRanges.count))
    }

    /// Undoes every write since the newest savepoint named `name`, which stays; later savepoints go.
    /// Allowed in a failed transaction (it returns to active, as in PostgreSQL). Locks stay held.
    package func rollback(_ txn: TransactionContext, toSavepoint name: String) throws(TransactionError) {
        switch txn.state {
        case .active, .failed: break
        default: try checkActive(txn)
        }
        guard let index = txn.savepoints.lastIndex(where: { $0.name == name }) else {
            throw TransactionError.noSuchSavepoint(name)
        }
        txn.writes.rollBack(to: txn.savepoints[index].journal)
        txn.droppedRanges.removeSubrange(txn.savepoints[index].dropped...)
        txn.savepoints.removeSubrange((index + 1)...)
        txn.state = .active
    }

    /// Forgets the newest savepoint named `name` and every later one; their writes stay.
    package func release(_ txn: TransactionContext, savepoint name: String) throws(TransactionError) {
        try checkActive(txn)
        guard let index = txn.savepoints.lastIndex(where: { $0.name == name }) else {
            throw TransactionError.noSuchSavepoint(name)
        }
        txn.savepoints.removeSubrange(index...)
        if txn.savepoints.isEmpty {
            txn.writes.truncateJournal()
            txn.writes.isJournaling = false
        }
    }

    // MARK: Introspection

    /// The open transactions, oldest first.
    package func activeTransactions() -> [TransactionSummary] {
        shared.withLock { $0.active.values.sorted { $0.id < $1.id } }
    }

    package var statistics: TransactionStatistics { shared.withLock { $0.statistics } }

    /// The newest timestamp new snapshots see.
    package var visibleTimestamp: Timestamp {
        advanceVisibleIfDue()
        return shared.withLock { $0.visible }
    }
}
