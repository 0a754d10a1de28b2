#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import BasaltStorage
import BasaltTransactions
import Logging

/// An open Basalt database: one file plus its write-ahead log, usable from many threads at once.
///
/// Open with `Database.open(path:config:)`; close with `close()` (also done when the last reference goes
/// away). The key-value API stores byte-string keys (up to `maxKeySize`, about 2 KiB with the default
/// page size) and values (up to 1 GiB). Keys order as unsigned bytes; use `KeyEncoder` to build keys
/// from typed values that sort correctly.
///
/// **Transactions.** Every call is a transaction: `get`, `scan` and `read { }` read a consistent snapshot
/// and never wait for writers; `put`, `delete`, `putBatch` and `write { }` commit atomically. Many
/// transactions run at once: writers of different keys commit concurrently, writers of one key wait for
/// each other (row locks with deadlock detection), and the isolation level (serializable by default)
/// decides which interleavings fail with a retryable `.serializationFailure`, which `write` retries.
/// `read(asOf:)` reads the database as it was at any instant within `Config.historyRetention`.
///
/// **Durability.** With the default `SyncMode.full` a commit returns only after its log records are
/// synced, and becomes visible to other transactions only then; commits from concurrent threads share
/// one sync (group commit). A crash or power loss at any moment loses no returned commit and keeps no
/// part of an unreturned or rolled-back one: the next open recovers from the log.
///
/// A file can be open in one handle at a time: a second `open` of the same file, from this process or
/// another, throws a `BasaltError` with code `.objectInUse` (`isDatabaseLocked`).
///
/// After an I/O error or a full disk while writing, the handle turns read-only (`.readOnly` errors on
/// writes) until reopened: a failed sync is never retried as if nothing happened.
public final class Database: Sendable, KeyValueScanning {
    /// The path the database was opened with.
    public let path: String
    let logger: Logger
    let syncMode: SyncMode
    let manager: TransactionManager
    let defaultIsolation: IsolationLevel
    let retries: Int
    /// The SQL layer's shared state (schema cache, functions, row ids).
    let sql: SQLEngine
    private let background: BackgroundThread

    private init(path: String, manager: TransactionManager, config: Config) {
        self.path = path
        self.logger = config.logger
        self.syncMode = config.syncMode
        self.manager = manager
        self.defaultIsolation = config.defaultIsolation
        self.retries = config.transactionRetries
        self.sql = SQLEngine()
        let logger = config.logger
        let syncMode = config.syncMode
        let log = manager.log
        let interval: Duration = syncMode == .normal ? config.syncInterval : .seconds(1)
        background = BackgroundThread(interval: interval) { stopping in
            Database.backgroundTick(manager: manager, log: log, syncMode: syncMode, logger: logger, path: path,
                                    stopping: stopping)
        }
        // Writes that find a checkpoint due wake the background thread, which takes it in steps.
        if config.backgroundCheckpoints {
            let background = background
            try? manager.withEngine { $0.checkpointRequester = { background.wake() } }
        }
    }

    /// Pages a background checkpoint writes back per hold of the engine lock: about half a millisecond
    /// of `pwrite`s at 8 KiB pages, so a commit waiting for the lock waits little longer than that.
    static let checkpointPagesPerStep = 64

    /// The background thread's work: the periodic log sync of `SyncMode.normal`, and checkpoints (when
    /// due by log volume or time), taken in steps between which other threads read and commit. A
    /// checkpoint under way when the database closes is abandoned (`stopping`): it has not written the
    /// control file, and closing takes a checkpoint of its own.
    private static func backgroundTick(manager: TransactionManager, log: WriteAheadLog, syncMode: SyncMode,
                                       logger: Logger, path: String, stopping: () -> Bool) {
        if syncMode == .normal, log.failure == nil {
            do {
                try log.flush()
            } catch {
                logger.error("background log sync failed; the database is read-only until reopened",
                             metadata: ["database": "\(path)", "error": "\(error)"])
            }
        }
        do {
            let begun = try manager.withEngine { (engine: StorageEngine) throws -> (IncrementalCheckpoint, DetachedFileAccess)? in
                guard engine.failure == nil else { return nil }
                // Without background checkpoints (`Config.backgroundCheckpoints`), a time-based one is
                // taken in one go here too, as a write would take it.
                guard engine.checkpointRequester != nil else {
                    try engine.checkpointIfDue()
                    return nil
                }
                guard engine.checkpointDue else { return nil }
                return (try engine.beginCheckpoint(), engine.detachedFile)
            }
            guard let (begunStep, file) = begun else { return }
            var step = begunStep
            while try !manager.withEngine({ try $0.continueCheckpoint(&step, pages: checkpointPagesPerStep) }) {
                if stopping() { return }
                // Let a thread waiting for the engine lock take it before the next step does.
                sched_yield()
            }
            // The data file's sync runs without the lock too.
            var synced = false
            var syncFailure: (any Error)?
            do {
                synced = try file.sync()
            } catch {
                syncFailure = error
            }
            let retired = try manager.withEngine { engine in
                if let syncFailure {
                    if let failure = syncFailure as? StorageError { engine.fail(failure) }
                    throw syncFailure
                }
                return try engine.finishCheckpoint(step, fileSynced: synced)
            }
            // Unlinking a whole segment takes tens of milliseconds: not under the lock either. A file
            // this fails to delete only takes space until the next open deletes it.
            do {
                try retired.delete()
            } catch {
                logger.error("deleting log segments after a checkpoint failed; the next open deletes them",
                             metadata: ["database": "\(path)", "error": "\(error)"])
            }
        } catch {
            if case .storage(.closed) = error { return }
            logger.error("background checkpoint failed", metadata: ["database": "\(path)", "error": "\(error)"])
        }
    }

    deinit {
        background.stop()
        do {
            try manager.close()
        } catch {
            // Nobody is left to throw to: the error is logged, never dropped silently.
            logger.error("closing on release failed", metadata: ["database": "\(path)", "error": "\(error)"])
        }
    }

    /// Opens the database at `path`, creating it when missing, and recovers it from its log: every
    /// commit that returned before a crash is present, nothing else. Throws `BasaltError`:
    /// `.invalidParameterValue` for a bad config, `.objectInUse` when another handle holds the file,
    /// `.systemError` for a file that is not a Basalt database (left untouched), `.dataCorrupted` (also
    /// for a damaged log), `.ioError`, `.diskFull`.
    public static func open(path: String, config: Config = Config()) throws -> Database {
        try config.validate()
        do {
            let engine = try StorageEngine(
                fileSystem: config.fileSystem, path: path,
                options: StorageOptions(pageSize: config.pageSize, bufferPoolBytes: config.bufferPoolBytes,
                                        eviction: config.eviction, logSegmentBytes: config.logSegmentBytes,
                                        checkpointLogBytes: config.checkpointLogBytes,
                                        checkpointInterval: config.checkpointInterval,
                                        memoryMappedReads: config.memoryMappedReads,
                                        groupCommitWait: config.groupCommitWait))
            var options = TransactionOptions()
            options.historyRetention = config.historyRetention
            options.lockTimeout = config.lockTimeout
            options.deadlockCheckInterval = config.deadlockCheckInterval
            options.lockEscalationThreshold = config.lockEscalationThreshold
            options.collectionInterval = config.versionCollectionInterval
            options.visibleWhenDurable = config.syncMode == .full
            let manager: TransactionManager
            do {
                manager = try TransactionManager(engine: engine, options: options, logger: config.logger)
            } catch {
                throw BasaltError(error, operation: "open", path: path)
            }
            return Database(path: path, manager: manager, config: config)
        } catch let error as StorageError {
            let wrapped = BasaltError(error, operation: "open", path: path)
            config.logger.error("open failed", metadata: ["code": "\(wrapped.code)", "database": "\(path)"])
            throw wrapped
        }
    }

    /// The error to throw for `any`: Basalt's own errors as a `BasaltError` with `operation`'s context
    /// (logged unless retryable), a caller's closure's error unchanged.
    func thrown(_ any: any Error, _ operation: String) -> any Error {
        guard TransactionError.isOwn(any) else { return any }
        return failed(any, operation)
    }

    func failed(_ any: any Error, _ operation: String) -> BasaltError {
        if let error = any as? BasaltError { return error }
        let error = TransactionError.wrap(any)
        let wrapped = BasaltError(error, operation: operation, path: path)
        if !error.isRetryable {
            logger.error("operation failed", metadata: ["operation": "\(operation)", "code": "\(wrapped.code)"])
        }
        return wrapped
    }

    /// Runs `body` on the open engine under the engine lock, wrapping errors with `operation`.
    func withEngine<R>(_ operation: String, _ body: (StorageEngine) throws -> R) throws -> R {
        do {
            return try manager.withEngine(body)
        } catch {
            throw failed(error, operation)
        }
    }

    // MARK: Key-value API

    /// The largest key this database accepts, in bytes.
    public var maxKeySize: Int {
        get throws {
            _ = try withEngine("maxKeySize") { _ in () }
            return manager.maxKeySize
        }
    }

    /// The value stored under `key` in the newest committed state, or nil.
    public func get(_ key: [UInt8]) throws -> [UInt8]? {
        do {
            var value: [UInt8]?
            _ = try key.withUnsafeBytes { k in try manager.visitLatest(.keyValue, k) { value = Array($0) } }
            return value
        } catch {
            throw thrown(error, "get")
        }
    }

    /// Calls `body` with the pair stored under `key` without copying its bytes, and returns its result;
    /// nil when the key is absent. The view is valid only during the call; `body` must not call back
    /// into this database.
    public func withValue<R>(forKey key: [UInt8], _ body: (borrowing KeyValueView) throws -> R) throws -> R? {
        do {
            return try key.withUnsafeBytes { k in
                try manager.getLatest(.keyValue, k) { value in try body(KeyValueView(keyBytes: k, valueBytes: value)) }
            }
        } catch {
            throw thrown(error, "get")
        }
    }

    /// Stores `value` under `key`, replacing any previous value, as one commit (durable on return with
    /// `SyncMode.full`). Waits for a transaction that holds the key's lock. Throws
    /// `.programLimitExceeded` for an oversized key or value, changing nothing.
    public func put(_ key: [UInt8], _ value: [UInt8]) throws {
        try autocommit("put") { txn throws(TransactionError) in try manager.put(txn, .keyValue, key, value) }
    }

    /// Removes `key` as one commit; returns whether it was present.
    @discardableResult
    public func delete(_ key: [UInt8]) throws -> Bool {
        try autocommit("delete") { txn throws(TransactionError) in try manager.delete(txn, .keyValue, key) }
    }

    /// Stores every pair (for a repeated key, the last wins) as one atomic commit. Into an empty
    /// database the pairs are bulk-loaded, much faster than separate puts.
    public func putBatch(_ pairs: [([UInt8], [UInt8])]) throws {
        do {
            let outcome = try manager.bulkLoad(.keyValue, pairs)
            if outcome.loaded {
                return
            }
        } catch {
            throw failed(error, "putBatch")
        }
        try autocommit("putBatch") { txn throws(TransactionError) in
            for (key, value) in pairs { try manager.put(txn, .keyValue, key, value) }
        }
    }

    /// One single-statement transaction under read committed: the write waits for row locks, never
    /// fails on a concurrent commit, and is retried after a deadlock or lock timeout.
    private func autocommit<R>(_ operation: String, _ body: (TransactionContext) throws(TransactionError) -> R) throws -> R {
        var attempt = 0
        while true {
            do {
                let txn = try manager.begin(isolation: .readCommitted, readOnly: false)
                let result: R
                do {
                    result = try body(txn)
                } catch {
                    manager.rollback(txn)
                    throw error
                }
                try manager.commit(txn)
                return result
            } catch {
                if TransactionError.isOwn(error), TransactionError.wrap(error).isRetryable, attempt < retries {
                    attempt += 1
                    Backoff.pause(attempt: attempt)
                    continue
                }
                throw failed(error, operation)
            }
        }
    }

    /// Visits the pairs with `start <= key < end` (each bound optional) of the newest committed state in
    /// ascending key order — or descending with `reverse` — until `body` returns false or `limit` pairs
    /// were visited. Returns the number visited. The scan reads one snapshot throughout, and writers
    /// commit between its chunks. The view is valid only during the call; `body` must not call back into
    /// this database.
    @discardableResult
    public func scan(from start: [UInt8]? = nil, to end: [UInt8]? = nil, limit: Int = .max, reverse: Bool = false,
                     _ body: (borrowing KeyValueView) throws -> Bool) throws -> Int {
        guard limit > 0 else { return 0 }
        var visited = 0
        do {
            try manager.scan(nil, .keyValue, lower: start, upper: end, reverse: reverse) { key, value in
                visited += 1
                return try body(KeyValueView(keyBytes: key, valueBytes: value)) && visited < limit
            }
        } catch {
            throw thrown(error, "scan")
        }
        return visited
    }

    // MARK: Maintenance

    /// Makes every commit so far durable (one log sync): for `SyncMode.normal` and `.off`.
    public func sync() throws {
        try withEngine("sync") { try $0.flush() }
        _ = manager.visibleTimestamp
    }

    /// Takes a checkpoint now: writes every changed page to the file, so the next open has little log to
    /// replay, and deletes log segments no longer needed. (Checkpoints also run by themselves, see
    /// `Config.checkpointLogBytes` and `checkpointInterval`.)
    public func checkpoint() throws {
        try withEngine("checkpoint") { try $0.checkpoint() }
    }

    /// Checkpoints and releases the file and its lock. Open transactions are abandoned (nothing of them
    /// was applied). Later calls throw `.connectionDoesNotExist`; closing twice is harmless.
    public func close() throws {
        background.stop()
        do {
            try manager.close()
        } catch {
            throw BasaltError(error, operation: "close", path: path)
        }
    }

    /// Checks every invariant of the file: B+tree structure, free list, page accounting. `progress`
    /// receives (pages checked, page count) now and then; it must not call back into the database.
    public func checkIntegrity(progress: ((Int, Int) -> Void)? = nil) throws -> IntegrityReport {
        try withEngine("check") { try $0.checkIntegrity(progress: progress) }
    }

    /// Buffer pool counters, file size, log, recovery, transaction and lock figures.
    public func statistics() throws -> Statistics {
        let transactions = TransactionCounters(manager.statistics, locks: manager.locks.statistics)
        return try withEngine("statistics") { engine in
            let space = try engine.spaceStatistics()
            let recovery = engine.recovery
            let syncs = engine.log.syncStatistics
            return Statistics(bufferPool: engine.bufferPoolStatistics, pageSize: engine.pageSize,
                              pageCount: space.pageCount, freePages: space.freePages,
                              logBytes: Int(engine.log.retainedBytes), logSyncs: syncs.syncs,
                              groupCommitWaits: syncs.partnerWaits, groupCommitPartners: syncs.partnersFound,
                              checkpoints: engine.checkpointCount,
                              recoveredLogBytes: Int(recovery.logBytes), recoveryRedoneRecords: recovery.redoneRecords,
                              recoveryRolledBackTransactions: recovery.rolledBackTransactions,
                              recoverySeconds: recovery.seconds, transactions: transactions)
        }
    }
}

/// A key/value pair seen during `Database.scan`, valid only inside the callback (it borrows page memory).
public struct KeyValueView: ~Copyable {
    private let keyBytes: UnsafeRawBufferPointer
    private let valueBytes: UnsafeRawBufferPointer

    init(keyBytes: UnsafeRawBufferPointer, valueBytes: UnsafeRawBufferPointer) {
        self.keyBytes = keyBytes
        self.valueBytes = valueBytes
    }

    /// A copy of the key.
    public var key: [UInt8] { Array(keyBytes) }
    /// A copy of the value.
    public var value: [UInt8] { Array(valueBytes) }
    public var keyCount: Int { keyBytes.count }
    public var valueCount: Int { valueBytes.count }

    /// Calls `body` with the key's bytes, without copying them.
    public func withKeyBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R { try body(keyBytes) }
    /// Calls `body` with the value's bytes, without copying them.
    public func withValueBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R { try body(valueBytes) }
}

/// A snapshot of a database's counters.
public struct Statistics: Sendable, Equatable, Codable {
    public var bufferPool: BufferPoolStatistics
    public var pageSize: Int
    /// Pages in the file, free ones included.
    public var pageCount: Int
    public var freePages: Int
    /// Bytes of log kept on disk (from the oldest segment still needed to the end).
    public var logBytes: Int
    /// Syncs of the log since open. The commits that wrote something (read-only ones need no sync)
    /// divided by this is how many commits each sync made durable on average (group commit).
    public var logSyncs: Int
    /// Syncs that first waited up to `Config.groupCommitWait` for another commit to join them.
    public var groupCommitWaits: Int
    /// Of `groupCommitWaits`, those another commit joined before the wait ended.
    public var groupCommitPartners: Int
    /// Checkpoints completed since open.
    public var checkpoints: Int
    /// What recovery did when this handle opened: log bytes read, page-changing records replayed,
    /// unfinished transactions rolled back, and how long it took.
    public var recoveredLogBytes: Int
    public var recoveryRedoneRecords: Int
    public var recoveryRolledBackTransactions: Int
    public var recoverySeconds: Double
    /// Transaction and lock counters since open.
    public var transactions: TransactionCounters
}

