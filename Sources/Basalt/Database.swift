import BasaltStorage
import Logging
import Synchronization

/// An open Basalt database: one file, usable from many threads.
///
/// Open with `Database.open(path:config:)`; close with `close()` (also done when the last reference goes
/// away). The key-value API stores byte-string keys (up to `maxKeySize`, at least 2 KiB with the default
/// page size) and values (up to 1 GiB). Keys order as unsigned bytes; use `KeyEncoder` to build keys from
/// typed values that sort correctly.
///
/// Each call is atomic with respect to other threads. Until the write-ahead log lands, changes reach the
/// file on `sync()`, `close()` and `putBatch`, and a crash between them can lose or tear recent changes.
///
/// A file can be open in one handle at a time: a second `open` of the same file, from this process or
/// another, throws a `BasaltError` with code `.objectInUse` (`isDatabaseLocked`).
public final class Database: Sendable {
    /// The path the database was opened with.
    public let path: String
    private let logger: Logger
    /// Invariant: every use of the storage engine happens inside this lock; `nil` after `close()`.
    private let engine: Mutex<StorageEngine?>

    private init(path: String, engine: sending StorageEngine, logger: Logger) {
        self.path = path
        self.engine = Mutex(engine)
        self.logger = logger
    }

    deinit {
        let logger = logger
        let path = path
        engine.withLock { engine in
            do {
                try engine?.close()
            } catch {
                // Nobody is left to throw to: the error is logged, never dropped silently.
                logger.error("closing on release failed", metadata: ["database": "\(path)", "error": "\(error)"])
            }
            engine = nil
        }
    }

    /// Opens the database at `path`, creating it when missing. Throws `BasaltError`: `.invalidParameterValue`
    /// for a bad config, `.objectInUse` when another handle holds the file, `.systemError` for a file that
    /// is not a Basalt database (left untouched), `.dataCorrupted`, `.ioError`.
    public static func open(path: String, config: Config = Config()) throws -> Database {
        try config.validate()
        do {
            let engine = try StorageEngine(
                fileSystem: config.fileSystem, path: path,
                options: StorageOptions(pageSize: config.pageSize, bufferPoolBytes: config.bufferPoolBytes,
                                        eviction: config.eviction))
            return Database(path: path, engine: engine, logger: config.logger)
        } catch let error as StorageError {
            let wrapped = BasaltError(error, operation: "open", path: path)
            config.logger.error("open failed", metadata: ["code": "\(wrapped.code)", "database": "\(path)"])
            throw wrapped
        }
    }

    /// Runs `body` on the open engine under the lock, wrapping storage errors with `operation`.
    private func withEngine<R: Sendable>(_ operation: String, _ body: (StorageEngine) throws -> R) throws -> R {
        do {
            return try engine.withLock { engine in
                guard let engine else { throw StorageError.closed }
                return try body(engine)
            }
        } catch let error as StorageError {
            let wrapped = BasaltError(error, operation: operation, path: path)
            logger.error("operation failed", metadata: ["operation": "\(operation)", "code": "\(wrapped.code)"])
            throw wrapped
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

    /// Stores `value` under `key`, replacing any previous value. Throws `.programLimitExceeded` for an
    /// oversized key or value, changing nothing.
    public func put(_ key: [UInt8], _ value: [UInt8]) throws {
        try withEngine("put") { engine in
            try key.withUnsafeBytes { k in try value.withUnsafeBytes { v in try engine.put(.keyValue, k, v) } }
        }
    }

    /// Removes `key`; returns whether it was present.
    @discardableResult
    public func delete(_ key: [UInt8]) throws -> Bool {
        try withEngine("delete") { engine in try key.withUnsafeBytes { try engine.delete(.keyValue, $0) } }
    }

    /// Stores every pair (for a repeated key, the last wins) and syncs the file before returning.
    /// Faster than separate `put`s: the batch is applied in key order, and into an empty database it is
    /// bulk-loaded.
    public func putBatch(_ pairs: [([UInt8], [UInt8])]) throws {
        try withEngine("putBatch") { engine in
            try engine.putBatch(.keyValue, pairs)
            try engine.flush()
        }
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

    /// Writes every change to the file and syncs it.
    public func sync() throws {
        try withEngine("sync") { try $0.flush() }
    }

    /// Flushes and releases the file and its lock. Later calls throw `.connectionDoesNotExist`; closing
    /// twice is harmless.
    public func close() throws {
        do {
            try engine.withLock { engine in
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

    /// Buffer pool counters and file size.
    public func statistics() throws -> Statistics {
        try withEngine("statistics") { engine in
            let space = try engine.spaceStatistics()
            return Statistics(bufferPool: engine.bufferPoolStatistics, pageSize: engine.pageSize,
                              pageCount: space.pageCount, freePages: space.freePages)
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
}

private func withOptionalBytes<R>(_ bytes: [UInt8]?, _ body: (UnsafeRawBufferPointer?) throws -> R) rethrows -> R {
    guard let bytes else { return try body(nil) }
    return try bytes.withUnsafeBytes { try body($0) }
}
