import BasaltStorage
import BasaltTransactions
import Dispatch
import Foundation

extension Database {
    // MARK: Closure transactions

    /// Runs `body` in a read-only transaction over one snapshot of the newest committed state, or of the
    /// database as it was at `asOf` (time travel). Reads never wait for writers. Throws `.snapshotTooOld`
    /// for an instant older than `oldestReadableTime` (the error names it), `.invalidParameterValue` for
    /// one in the future, and `.readOnly` from any write.
    public func read<R>(asOf: Date? = nil, _ body: (Transaction) throws -> R) throws -> R {
        let transaction = try begin(readOnly: true, asOf: asOf)
        defer { transaction.rollback() }
        return try body(transaction)
    }

    /// Runs `body` as one transaction at `isolation` (default `Config.defaultIsolation`, serializable):
    /// its writes commit together when it returns (durable on return with `SyncMode.full`), or are all
    /// discarded when it throws (the error is rethrown). When the transaction fails with a retryable
    /// error — a serialization failure, a deadlock, a lock timeout — `body` runs again in a new
    /// transaction, up to `Config.transactionRetries` times with a growing random pause, so `body` must be
    /// safe to repeat (no side effects outside the transaction). `body` must not call this `Database`'s
    /// other transaction methods for the same keys (use `tx`): it would wait for its own locks.
    public func write<R>(isolation: IsolationLevel? = nil, _ body: (Transaction) throws -> R) throws -> R {
        var attempt = 0
        while true {
            let transaction = try begin(isolation: isolation ?? defaultIsolation)
            do {
                let result = try body(transaction)
                try transaction.finishClosure()
                return result
            } catch let error as BasaltError where error.isRetryable && attempt < retries {
                transaction.rollback()
                attempt += 1
                Backoff.pause(attempt: attempt)
            } catch {
                transaction.rollback()
                throw error
            }
        }
    }

    /// Begins a transaction to end with `commit()` or `rollback()` (rolled back if released unended).
    /// `readOnly` transactions read one snapshot and may not write; `asOf` makes a read-only time-travel
    /// transaction (see `read(asOf:)` for its errors).
    public func begin(isolation: IsolationLevel? = nil, readOnly: Bool = false, asOf: Date? = nil) throws -> Transaction {
        do {
            let context = try manager.begin(isolation: readOnly || asOf != nil ? .repeatableRead : isolation ?? defaultIsolation,
                                            readOnly: readOnly, asOf: asOf.map { Timestamp(secondsSince1970: $0.timeIntervalSince1970) })
            return Transaction(context: context, database: self)
        } catch {
            throw failed(error, "begin")
        }
    }

    // MARK: Swift concurrency

    /// `read(asOf:_:)` for async code: the transaction runs on a dispatch thread, never blocking the
    /// cooperative thread pool.
    public func read<R: Sendable>(asOf: Date? = nil, _ body: @escaping @Sendable (Transaction) throws -> R) async throws -> R {
        try await offload { try self.read(asOf: asOf, body) }
    }

    /// `write(isolation:_:)` for async code: the transaction (and its lock waits and retries) runs on a
    /// dispatch thread, never blocking the cooperative thread pool.
    public func write<R: Sendable>(isolation: IsolationLevel? = nil,
                                   _ body: @escaping @Sendable (Transaction) throws -> R) async throws -> R {
        try await offload { try self.write(isolation: isolation, body) }
    }

    private func offload<R: Sendable>(_ work: @escaping @Sendable () throws -> R) async throws -> R {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try work() })
            }
        }
    }

    // MARK: Time travel and versions

    /// The oldest instant `read(asOf:)` accepts now: `Config.historyRetention` ago, or later if the
    /// version collector already removed older history.
    public var oldestReadableTime: Date { Date(timeIntervalSince1970: manager.oldestReadableTime.secondsSince1970) }

    /// Runs the version collector now (it also runs every `Config.versionCollectionInterval`): removes
    /// replaced versions and deletion markers older than the history retention that no open snapshot
    /// can see, and the rows and entries of tables and indexes dropped before it, returning their pages
    /// to the free list. Returns how many it removed.
    @discardableResult
    public func collectVersions() throws -> (versions: Int, deletionMarkers: Int, droppedRows: Int) {
        do {
            let report = try manager.collectVersions()
            return (report.versionsRemoved, report.tombstonesRemoved, report.droppedKeysRemoved)
        } catch {
            throw failed(error, "collectVersions")
        }
    }

    /// How long history stays readable; a change applies from the collector's next pass.
    public var historyRetention: Duration {
        get { manager.historyRetention }
        set { manager.historyRetention = newValue }
    }

    /// How long a lock request waits; a change applies to waits that start afterwards. Zero waits forever.
    public var lockTimeout: Duration {
        get { manager.lockTimeout }
        set { manager.lockTimeout = max(.zero, newValue) }
    }

    // MARK: Introspection

    /// The open transactions, oldest first.
    public func activeTransactions() -> [TransactionInfo] {
        manager.activeTransactions().map(TransactionInfo.init)
    }

    /// Every lock held or waited for, by resource.
    public func locks() -> [LockEntry] {
        manager.locks.snapshot().map(LockEntry.init)
    }
}

/// An open transaction, as `Database.activeTransactions()` shows it.
public struct TransactionInfo: Sendable, Equatable, Codable {
    public var id: UInt64
    public var isolation: IsolationLevel
    public var readOnly: Bool
    public var startedAt: Date
    /// The instant its snapshot shows, once taken.
    public var snapshotTime: Date?
    /// For a time-travel transaction, the instant it reads.
    public var asOf: Date?

    init(_ summary: TransactionSummary) {
        id = summary.id
        isolation = summary.isolation
        readOnly = summary.readOnly
        startedAt = Date(timeIntervalSince1970: summary.startedAt.secondsSince1970)
        snapshotTime = summary.snapshot.map { Date(timeIntervalSince1970: $0.secondsSince1970) }
        asOf = summary.asOf.map { Date(timeIntervalSince1970: $0.secondsSince1970) }
    }
}

/// One lock held or waited for, as `Database.locks()` shows it. Key bytes are never shown, only sizes.
public struct LockEntry: Sendable, Equatable, Codable {
    /// "database", "tree 0", or "key of N bytes in tree 0".
    public var resource: String
    /// The transaction holding or waiting.
    public var transaction: UInt64
    /// IS, IX, S, SIX or X.
    public var mode: String
    public var granted: Bool

    init(_ info: LockInfo) {
        resource = "\(info.resource)"
        transaction = info.owner
        mode = info.mode.description
        granted = info.granted
    }
}

/// Transaction and lock counters since the database was opened.
public struct TransactionCounters: Sendable, Equatable, Codable {
    public var begun: Int
    public var committed: Int
    public var rolledBack: Int
    public var serializationFailures: Int
    public var deadlocks: Int
    public var lockTimeouts: Int
    public var lockWaits: Int
    public var collectorPasses: Int
    public var versionsCollected: Int
    public var deletionMarkersCollected: Int
    /// Rows and index entries of dropped tables and indexes the collector deleted.
    public var droppedRowsCollected: Int
    /// Time-travel reads refused as older than the oldest readable time.
    public var snapshotsTooOld: Int

    init(_ stats: TransactionStatistics, locks: LockStatistics) {
        begun = stats.begun
        committed = stats.committed
        rolledBack = stats.rolledBack
        serializationFailures = stats.serializationFailures
        deadlocks = stats.deadlocks
        lockTimeouts = stats.lockTimeouts
        lockWaits = locks.waits
        collectorPasses = stats.collectorPasses
        versionsCollected = stats.versionsRemoved
        deletionMarkersCollected = stats.tombstonesRemoved
        droppedRowsCollected = stats.droppedKeysRemoved
        snapshotsTooOld = stats.snapshotsTooOld
    }
}
