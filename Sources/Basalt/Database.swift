import BasaltStorage
import Logging

/// An open Basalt database: one file plus its write-ahead log, usable from many threads.
///
/// Open with `Database.open(path:config:)`; close with `close()` (also done when the last reference goes
/// away). The key-value API stores byte-string keys (up to `maxKeySize`, at least 2 KiB with the default
/// page size) and values (up to 1 GiB; a value larger than the buffer pool is logged in pieces as its
/// pages are written). Keys order as unsigned bytes; use `KeyEncoder` to build keys from typed values
/// that sort correctly.
///
/// Durability: every write (`put`, `delete`, `putBatch`, `write { }`) is a commit. With the default
/// `SyncMode.full` it returns only after its log records are synced; commits from concurrent threads
/// share one sync (group commit). A crash or power loss at any moment loses no returned commit and
/// keeps no part of an unreturned or rolled-back one: the next open recovers from the log.
///
/// Each call is atomic with respect to other threads; a `write` transaction holds the database for its
/// whole closure (one writer at a time, readers wait).
///
/// A file can be open in one handle at a time: a second `open` of the same file, from this process or
/// another, throws a `BasaltError` with code `.objectInUse` (`isDatabaseLocked`).
///
/// After an I/O error or a full disk while writing, the handle turns read-only (`.readOnly` errors on
/// writes) until reopened: a failed sync is never retried as if nothing happened.
public final class Database: Sendable {
    /// The path the database was opened with.
    public let path: String
    private let logger: Logger
    private let syncMode: SyncMode
    private let cell: EngineCell
    /// The engine's log, reachable outside the engine lock so commits wait for their sync without
    /// blocking other writers (group commit).
    private let log: WriteAheadLog
    private let background: BackgroundThread

    /// Holds the engine. Invariant: every use of the storage engine happens inside `engine`'s lock;
    /// `nil` after `close()`.
    private final class EngineCell: Sendable {
        let engine: Locked<StorageEngine?>
        init(_ engine: sending StorageEngine) { self.engine = Locked(engine) }
    }

    private init(path: String, engine: sending StorageEngine, log: WriteAheadLog, config: Config) {
        self.path = path
        self.logger = config.logger
        self.syncMode = config.syncMode
        self.log = log
        let cell = EngineCell(engine)
        self.cell = cell
        let logger = config.logger
        let syncMode = config.syncMode
        let interval: Duration = syncMode == .normal ? config.syncInterval : .seconds(1)
        background = BackgroundThread(interval: interval) {
            if syncMode == .normal, log.failure == nil {
                do {
                    try log.flush()
                } catch {
                    logger.error("background log sync failed; the database is read-only until reopened",
                                 metadata: ["database": "\(path)", "error": "\(error)"])
                }
            }
            cell.engine.withLock { engine in
                guard let engine, engine.failure == nil else { return }
                do {
                    try engine.checkpointIfDue()
                } catch {
                    logger.error("background checkpoint failed", metadata: ["database": "\(path)", "error": "\(error)"])
                }
            }
        }
    }

    deinit {
        background.stop()
        let logger = logger
        let path = path
        cell.engine.withLock { engine in
            do {
                try engine?.close()
            } catch {
                // Nobody is left to throw to: the error is logged, never dropped silently.
                logger.error("closing on release failed", metadata: ["database": "\(path)", "error": "\(error)"])
            }
            engine = nil
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
                                        checkpointInterval: config.checkpointInterval))
            let log = engine.log
            return Database(path: path, engine: engine, log: log, config: config)
        } catch let error as StorageError {
            let wrapped = BasaltError(error, operation: "open", path: path)
            config.logger.error("open failed", metadata: ["code": "\(wrapped.code)", "database": "\(path)"])
            throw wrapped
        }
    }

    /// Runs `body` on the open engine under the lock, wrapping storage errors with `operation`.
    private func withEngine<R: Sendable>(_ operation: String, _ body: (StorageEngine) throws -> R) throws -> R {
        do {
            return try cell.engine.withLock { engine in
                guard let engine else { throw StorageError.closed }
                return try body(engine)
            }
        } catch let error as StorageError {
            throw failed(error, operation)
        }
    }

    private func failed(_ error: StorageError, _ operation: String) -> BasaltError {
        let wrapped = BasaltError(error, operation: operation, path: path)
        logger.error("operation failed", metadata: ["operation": "\(operation)", "code": "\(wrapped.code)"])
        return wrapped
    }

    /// Waits until the commit logged at `lsn` is durable, as `syncMode` requires. Runs outside the
    /// engine lock: while one committer syncs, others append, and the next sync covers them all.
    private func waitDurable(_ lsn: LSN?, _ operation: String) throws {
        guard let lsn, syncMode == .full else { return }
        do {
            try log.flush(covering: lsn)
        } catch let error as StorageError {
            throw failed(error, operation)
        }
    }

    // MARK: Key-value API

    /// The largest key this database accepts, in bytes.
    public var maxKeySize: Int {
        get throws { try withEngine("maxKeySize") { $0.maxKeySize } }
    }

    /// The value stored under `key`, or nil.
    public func get(_ key: [UInt8]) throws -> [UInt8]? {
        try withEngine("get") { engine in
            try key.withUnsafeBytes { k in try engine.withValue(.keyValue, k) { Array($0) } }
        }
    }

    /// Calls `body` with the pair stored under `key` without copying its bytes, and returns its result;
    /// nil when the key is absent. The view is valid only during the call; `body` must not call back
    /// into this database.
    public func withValue<R: Sendable>(forKey key: [UInt8], _ body: (borrowing KeyValueView) throws -> R) throws -> R? {
        try withEngine("get") { engine in
            try key.withUnsafeBytes { k in
                try engine.withValue(.keyValue, k) { value in
                    try body(KeyValueView(keyBytes: k, valueBytes: value))
                }
            }
        }
    }

    /// Stores `value` under `key`, replacing any previous value, as one commit (durable on return with
    /// `SyncMode.full`). Throws `.programLimitExceeded` for an oversized key or value, changing nothing.
    public func put(_ key: [UInt8], _ value: [UInt8]) throws {
        let lsn = try withEngine("put") { engine in
            try key.withUnsafeBytes { k in try value.withUnsafeBytes { v in try engine.put(.keyValue, k, v) } }
        }
        try waitDurable(lsn, "put")
    }

    /// Removes `key` as one commit; returns whether it was present.
    @discardableResult
    public func delete(_ key: [UInt8]) throws -> Bool {
        let (found, lsn) = try withEngine("delete") { engine in try key.withUnsafeBytes { try engine.delete(.keyValue, $0) } }
        try waitDurable(lsn, "delete")
        return found
    }

    /// Stores every pair (for a repeated key, the last wins) as one atomic commit. Faster than separate
    /// `put`s: the batch is applied in key order, and into an empty database it is bulk-loaded.
    public func putBatch(_ pairs: [([UInt8], [UInt8])]) throws {
        let lsn = try withEngine("putBatch") { engine in try engine.putBatch(.keyValue, pairs) }
        try waitDurable(lsn, "putBatch")
    }

    /// Runs `body` as one transaction: its writes commit together when it returns (durable on return
    /// with `SyncMode.full`), or are all rolled back when it throws (the error is rethrown). Reads in it
    /// see its own writes. Its size is not limited by the buffer pool. The transaction holds the database
    /// for the whole closure: other threads wait, and `body` must not call this `Database` (use `tx`).
    /// The handle is invalid after the closure (`.invalidTransactionState`).
    public func write<R: Sendable>(_ body: (Transaction) throws -> R) throws -> R {
        let path = path
        let logger = logger
        let (result, lsn): (R, LSN?) = try withEngine("write") { engine in
            let id = try engine.beginTransaction()
            let transaction = Transaction(engine: engine, id: id, path: path)
            defer { transaction.invalidate() }
            do {
                let result = try body(transaction)
                return (result, try engine.commit(id))
            } catch {
                do {
                    try engine.rollback(id)
                } catch {
                    logger.error("rollback failed; the database is read-only until reopened, which completes it",
                                 metadata: ["database": "\(path)", "error": "\(error)"])
                }
                throw error
            }
        }
        try waitDurable(lsn, "commit")
        return result
    }

    /// Visits the pairs with `start <= key < end` (each bound optional) in ascending key order — or
    /// descending with `reverse` — until `body` returns false or `limit` pairs were visited. Returns the
    /// number visited. The view is valid only during the call; `body` must not call back into this
    /// database (the call holds its lock).
    @discardableResult
    public func scan(from start: [UInt8]? = nil, to end: [UInt8]? = nil, limit: Int = .max, reverse: Bool = false,
                     _ body: (borrowing KeyValueView) throws -> Bool) throws -> Int {
        guard limit > 0 else { return 0 }
        return try withEngine("scan") { engine in
            try withOptionalBytes(start) { lower in
                try withOptionalBytes(end) { upper in
                    var visited = 0
                    try engine.scan(.keyValue, lower: lower, upper: upper, reverse: reverse) { key, value in
                        visited += 1
                        let view = KeyValueView(keyBytes: key, valueBytes: value)
                        return try body(view) && visited < limit
                    }
                    return visited
                }
            }
        }
    }

    /// The pairs with `start <= key < end`, at most `limit` of them, in key order.
    public func scanPairs(from start: [UInt8]? = nil, to end: [UInt8]? = nil, limit: Int = .max,
                          reverse: Bool = false) throws -> [(key: [UInt8], value: [UInt8])] {
        var result: [(key: [UInt8], value: [UInt8])] = []
        try scan(from: start, to: end, limit: limit, reverse: reverse) { pair in
            result.append((pair.key, pair.value))
            return true
        }
        return result
    }

    // MARK: Maintenance

    /// Makes every commit so far durable (one log sync): for `SyncMode.normal` and `.off`.
    public func sync() throws {
        try withEngine("sync") { try $0.flush() }
    }

    /// Takes a checkpoint now: writes every changed page to the file, so the next open has little log to
    /// replay, and deletes log segments no longer needed. (Checkpoints also run by themselves, see
    /// `Config.checkpointLogBytes` and `checkpointInterval`.)
    public func checkpoint() throws {
        try withEngine("checkpoint") { try $0.checkpoint() }
    }

    /// Checkpoints and releases the file and its lock. Later calls throw `.connectionDoesNotExist`;
    /// closing twice is harmless.
    public func close() throws {
        background.stop()
        do {
            try cell.engine.withLock { engine in
                defer { engine = nil }
                try engine?.close()
            }
        } catch let error as StorageError {
            throw BasaltError(error, operation: "close", path: path)
        }
    }

    /// Checks every invariant of the file: B+tree structure, free list, page accounting. `progress`
    /// receives (pages checked, page count) now and then; it must not call back into the database.
    public func checkIntegrity(progress: ((Int, Int) -> Void)? = nil) throws -> IntegrityReport {
        try withEngine("check") { try $0.checkIntegrity(progress: progress) }
    }

    /// Buffer pool counters, file size, log and recovery figures.
    public func statistics() throws -> Statistics {
        try withEngine("statistics") { engine in
            let space = try engine.spaceStatistics()
            let recovery = engine.recovery
            return Statistics(bufferPool: engine.bufferPoolStatistics, pageSize: engine.pageSize,
                              pageCount: space.pageCount, freePages: space.freePages,
                              logBytes: Int(engine.log.retainedBytes), checkpoints: engine.checkpointCount,
                              recoveredLogBytes: Int(recovery.logBytes), recoveryRedoneRecords: recovery.redoneRecords,
                              recoveryRolledBackTransactions: recovery.rolledBackTransactions,
                              recoverySeconds: recovery.seconds)
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
    /// Checkpoints completed since open.
    public var checkpoints: Int
    /// What recovery did when this handle opened: log bytes read, page-changing records replayed,
    /// unfinished transactions rolled back, and how long it took.
    public var recoveredLogBytes: Int
    public var recoveryRedoneRecords: Int
    public var recoveryRolledBackTransactions: Int
    public var recoverySeconds: Double
}

func withOptionalBytes<R>(_ bytes: [UInt8]?, _ body: (UnsafeRawBufferPointer?) throws -> R) rethrows -> R {
    guard let bytes else { return try body(nil) }
    return try bytes.withUnsafeBytes { try body($0) }
}
