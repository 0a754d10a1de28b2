import BasaltStorage

/// One transaction's private state: its snapshot, buffered writes, read set and savepoints.
///
/// Sendable (unchecked): a context is used by one thread at a time — the client's `Transaction` handle
/// serialises every call on it behind its own lock — and the manager reads it only inside those calls.
package final class TransactionContext: @unchecked Sendable {
    package enum State: Equatable, Sendable {
        case active
        /// An operation failed in a way that dooms the transaction (PostgreSQL's aborted state): only
        /// rollback is allowed.
        case failed(TransactionError)
        case committed(Timestamp?)
        case rolledBack
    }

    /// Unique, increasing with begin order: a larger id is a younger transaction (deadlock victims).
    package let id: UInt64
    package let isolation: IsolationLevel
    package let readOnly: Bool
    /// The fixed snapshot of a time-travel read.
    package let asOf: Timestamp?
    /// Wall-clock time of `begin`.
    package let startedAt: Timestamp
    /// The snapshot of a repeatable-read, serializable or read-only transaction, taken at its first
    /// operation; nil before it and always nil under read committed (each operation takes its own).
    //
    // Unchecked exclusivity on the fields read and written per row: one thread at a time uses a context
    // (above), and the manager's methods never hand a caller's closure a field's storage in place (a
    // scan copies the write set's entry list before visiting, and its `body` may not call back into the
    // manager); so accesses never overlap, and the runtime checks cost about 5% of a bulk insert.
    @exclusivity(unchecked) package internal(set) var snapshot: Timestamp?
    @exclusivity(unchecked) package internal(set) var state: State = .active
    @exclusivity(unchecked) var writes = WriteSet()
    @exclusivity(unchecked) var reads = ReadSet()
    /// Open savepoints: the write set's journal length and the number of dropped ranges when each was taken.
    var savepoints: [(name: String, journal: Int, dropped: Int)] = []
    /// Key ranges this transaction drops wholesale (`TransactionManager.dropRange`), in call order.
    var droppedRanges: [DroppedRange] = []
    /// Whether the lock manager may hold locks for this transaction.
    var mayHoldLocks = false
    /// Key locks taken per tree (by `RootSlot` raw value), for lock escalation.
    @exclusivity(unchecked) var keyLocks: [Int] = []
    /// Trees this transaction holds X on (escalated, or locked whole): its key locks there are implied.
    /// One bit per tree (`1 << RootSlot.rawValue`; the header has 16 root slots): checked on every row
    /// write, where hashing into a set cost more than the check saves.
    @exclusivity(unchecked) var exclusiveTrees: UInt32 = 0
    /// Key ranges of trees this transaction holds X on that its insert probes found without any
    /// committed key: `lower` inclusive, `upper` exclusive (nil: to the tree's end); the most recent
    /// `maxAbsentRanges` (a table's rows and its unique indexes each keep one while a bulk insert runs).
    /// Writers of keys that could collide with an insert take IX on the tree (`lockForInsert`,
    /// `lockForWrite`), which X excludes, so no such key can be committed into a range until this
    /// transaction ends: later inserts in it need no probe (a bulk insert in key order probes once per
    /// gap between committed keys instead of once per row).
    ///
    /// A range stays true until the transaction ends, so one that falls out of the list is only
    /// forgotten, never wrong. Bounds are bytes in `absentBounds` (trivial values: reading a range
    /// retains nothing, where arrays cost two retain/release pairs per inserted row).
    @exclusivity(unchecked) var absentRanges: [AbsentRange] = []
    static let maxAbsentRanges = 8
    /// The range the last probe was answered from (a bulk insert's next key usually lies in it too).
    @exclusivity(unchecked) var lastAbsentRange: AbsentRange?
    /// Owns the bounds of every range ever recorded (created with the first one): valid, unmoved,
    /// until the transaction ends. At most two keys per insert probe that found a gap.
    @exclusivity(unchecked) var absentBounds: ByteArena?

    /// A key range of `tree` without committed keys: `lower` inclusive, `upper` exclusive (nil: to the
    /// tree's end); the bytes live in `absentBounds`.
    struct AbsentRange {
        var tree: RootSlot
        var lower: UnsafeRawBufferPointer
        var upper: UnsafeRawBufferPointer?

        func contains(_ key: UnsafeRawBufferPointer) -> Bool {
            guard compareKeys(key, lower) >= 0 else { return false }
            if let upper, compareKeys(key, upper) >= 0 { return false }
            return true
        }
    }
    /// SQL objects this transaction holds a lock on, with the strongest mode taken (`lockObject`).
    var objectLocks: [UInt32: LockMode] = [:]
    /// The object last locked (S or X) through `lockObject`, or `UInt32.max`: a run of row writes to
    /// one table finds its lock here without a dictionary lookup.
    @exclusivity(unchecked) var lastObjectLocked = UInt32.max
    /// Set once this transaction holds X on the catalog tree: its commit changes the catalog.
    var changesCatalog = false

    init(id: UInt64, isolation: IsolationLevel, readOnly: Bool, asOf: Timestamp?, startedAt: Timestamp) {
        self.id = id
        self.isolation = isolation
        self.readOnly = readOnly
        self.asOf = asOf
        self.startedAt = startedAt
        snapshot = asOf
    }

    /// Whether reads are validated at commit.
    var tracksReads: Bool { isolation == .serializable && !readOnly }
}

/// What introspection shows of an open transaction.
package struct TransactionSummary: Sendable, Equatable {
    package var id: UInt64
    package var isolation: IsolationLevel
    package var readOnly: Bool
    package var startedAt: Timestamp
    package var snapshot: Timestamp?
    package var asOf: Timestamp?
}

/// Counters of the transaction layer since open.
package struct TransactionStatistics: Sendable, Equatable {
    package var begun = 0
    package var committed = 0
    package var rolledBack = 0
    package var serializationFailures = 0
    package var deadlocks = 0
    package var lockTimeouts = 0
    package var collectorPasses = 0
    package var versionsRemoved = 0
    package var tombstonesRemoved = 0
    /// Keys of dropped tables and indexes deleted by the collector.
    package var droppedKeysRemoved = 0
    /// Time-travel reads refused as older than the oldest readable time.
    package var snapshotsTooOld = 0
    package init() {}
}

/// How the transaction layer behaves; validated by the client's `Config`.
package struct TransactionOptions: Sendable {
    /// How long committed history stays readable (`AS OF`), and thus the least age of a collected version.
    package var historyRetention: Duration = .seconds(4 * 3600)
    /// How long a lock request waits before failing; zero waits forever.
    package var lockTimeout: Duration = .seconds(5)
    package var deadlockCheckInterval: Duration = .milliseconds(100)
    /// Key locks one transaction holds in one tree before it tries to lock the whole tree instead
    /// (see `Config.lockEscalationThreshold`); zero: never.
    package var lockEscalationThreshold = 5000
    /// How often the background collector removes expired versions.
    package var collectionInterval: Duration = .seconds(30)
    /// Whether commits become visible only once durable (SyncMode.full): a reader never sees a change
    /// that a crash could still take away.
    package var visibleWhenDurable = true
    package init() {}
}
