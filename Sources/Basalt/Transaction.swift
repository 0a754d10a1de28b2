import BasaltExecution
import BasaltStorage
import BasaltTransactions
import Foundation

/// One transaction: reads of one snapshot (taken at its first operation; under read committed, each
/// operation reads the newest committed state), writes that become visible to others all at once when
/// it commits, and none of them if it rolls back.
///
/// Handles come from `Database.write { }`, `Database.read { }` (which end the transaction when the
/// closure returns, after which the handle throws `.invalidTransactionState`) and `Database.begin`
/// (ended by `commit()` or `rollback()`; one never ended is rolled back when released). A handle may
/// be passed between threads but is used by one at a time.
///
/// Errors are `BasaltError`s. A retryable one (`.serializationFailure`, `.deadlockDetected`,
/// `.lockNotAvailable`) or a lock wait's failure leaves the transaction aborted, as in PostgreSQL: every
/// later call fails with `.invalidTransactionState` until `rollback()` (or `rollback(toSavepoint:)`). A
/// size error leaves it as it was.
public final class Transaction: @unchecked Sendable, KeyValueScanning {
    // Sendable (unchecked): every use of `context` happens inside `gate`, so one thread at a time.
    let context: TransactionContext
    let database: Database
    private let gate = Locked(())
    /// The schema after SQL DDL run in this transaction (nil: none ran). Guarded by `gate`.
    var sqlSchema: Schema?
    /// `sqlSchema` when each open savepoint was taken (rolling back to one restores it).
    var sqlSchemaAtSavepoint: [(name: String, schema: Schema?)] = []

    init(context: TransactionContext, database: Database) {
        self.context = context
        self.database = database
    }

    deinit {
        database.manager.rollback(context)
    }

    /// Unique within the open database; a larger id is a younger transaction.
    public var id: UInt64 { context.id }
    public var isolation: IsolationLevel { context.isolation }
    /// True for `Database.read` and time-travel transactions: writes throw `.readOnly`.
    public var isReadOnly: Bool { context.readOnly }
    /// The instant this transaction's snapshot shows, once taken (nil under read committed).
    public var snapshotTime: Date? { gate.withLock { _ in context.snapshot.map { Date(timeIntervalSince1970: $0.secondsSince1970) } } }

    /// Runs one call under the gate; Basalt's errors become `BasaltError`s, a caller closure's errors
    /// pass through unchanged.
    private func run<R>(_ operation: String, _ body: () throws -> R) throws -> R {
        do {
            return try gate.withLock { _ in try body() }
        } catch {
            throw database.thrown(error, operation)
        }
    }

    /// The value stored under `key` as this transaction sees it (its own writes included), or nil.
    public func get(_ key: [UInt8]) throws -> [UInt8]? {
        try run("get") { try database.manager.get(context, .keyValue, key) { Array($0) } }
    }

    /// Stores `value` under `key` in this transaction, after taking the key's lock (waiting for another
    /// writer of it). Under repeatable read and serializable, a key another transaction changed since
    /// this one's snapshot fails with `.serializationFailure`.
    public func put(_ key: [UInt8], _ value: [UInt8]) throws {
        try run("put") { try database.manager.put(context, .keyValue, key, value) }
    }

    /// Removes `key` in this transaction (locking it as `put` does); returns whether it was present.
    @discardableResult
    public func delete(_ key: [UInt8]) throws -> Bool {
        try run("delete") { try database.manager.delete(context, .keyValue, key) }
    }

    /// Stores every pair (for a repeated key, the last wins) in this transaction.
    public func putBatch(_ pairs: [([UInt8], [UInt8])]) throws {
        try run("putBatch") { for (key, value) in pairs { try database.manager.put(context, .keyValue, key, value) } }
    }

    /// Visits the pairs with `start <= key < end` as this transaction sees them, in key order
    /// (descending with `reverse`), until `body` returns false or `limit` pairs were visited; returns the
    /// number visited. Under serializable, the range read is validated at commit (no phantoms). `body`
    /// must not call this transaction or its database.
    @discardableResult
    public func scan(from start: [UInt8]? = nil, to end: [UInt8]? = nil, limit: Int = .max, reverse: Bool = false,
                     _ body: (borrowing KeyValueView) throws -> Bool) throws -> Int {
        guard limit > 0 else { return 0 }
        return try run("scan") {
            var visited = 0
            try database.manager.scan(context, .keyValue, lower: start, upper: end, reverse: reverse) { key, value in
                visited += 1
                return try body(KeyValueView(keyBytes: key, valueBytes: value)) && visited < limit
            }
            return visited
        }
    }

    /// Locks `key` against writers until this transaction ends (`SELECT … FOR SHARE`): other
    /// transactions' writes of it wait. Several transactions may hold it at once.
    public func lockForShare(_ key: [UInt8]) throws {
        try run("lock") { try database.manager.lockKey(context, .keyValue, key, .shared) }
    }

    /// Locks `key` exclusively until this transaction ends (`SELECT … FOR UPDATE`).
    public func lockForUpdate(_ key: [UInt8]) throws {
        try run("lock") { try database.manager.lockKey(context, .keyValue, key, .exclusive) }
    }

    /// Locks the whole key-value store: shared keeps every other transaction from writing to it until
    /// this one ends; exclusive also keeps their locks out (readers of snapshots are never blocked).
    public func lockStore(exclusive: Bool) throws {
        try run("lock") { try database.manager.lockTree(context, .keyValue, exclusive ? .exclusive : .shared) }
    }

    /// Marks a point this transaction can roll back to; a repeated name shadows the earlier one.
    public func savepoint(_ name: String) throws {
        try run("savepoint") {
            try database.manager.savepoint(context, name)
            sqlSchemaAtSavepoint.append((name, sqlSchema))
        }
    }

    /// Undoes every write since the savepoint `name` (which remains); also returns an aborted transaction
    /// to active. Throws `.invalidSavepoint` when there is no such savepoint. Locks taken since remain.
    public func rollback(toSavepoint name: String) throws {
        try run("rollback to savepoint") {
            try database.manager.rollback(context, toSavepoint: name)
            if let i = sqlSchemaAtSavepoint.lastIndex(where: { $0.name == name }) {
                sqlSchema = sqlSchemaAtSavepoint[i].schema
                sqlSchemaAtSavepoint.removeSubrange((i + 1)...)
            }
        }
    }

    /// Forgets the savepoint `name` and every later one, keeping their writes.
    public func releaseSavepoint(_ name: String) throws {
        try run("release savepoint") {
            try database.manager.release(context, savepoint: name)
            if let i = sqlSchemaAtSavepoint.lastIndex(where: { $0.name == name }) { sqlSchemaAtSavepoint.removeSubrange(i...) }
        }
    }

    /// Commits: on return the writes are durable (with `SyncMode.full`) and visible to new snapshots.
    /// Throws `.serializationFailure` (retryable) when a serializable transaction's reads were changed
    /// by a concurrent commit; the transaction is then rolled back.
    public func commit() throws {
        try run("commit") {
            defer { if sqlSchema != nil { database.sql.invalidate() } }
            _ = try database.manager.commit(context)
        }
    }

    /// Runs `body` holding the transaction's gate (one thread at a time), wrapping transaction errors.
    func withGate<R>(_ body: () throws -> R) throws -> R {
        try run("sql", body)
    }

    /// Rolls back: nothing this transaction wrote is kept. Harmless on an ended transaction.
    public func rollback() {
        gate.withLock { _ in database.manager.rollback(context) }
    }

    /// Whether the transaction can still read and write (not ended, not aborted).
    public var isActive: Bool { gate.withLock { _ in context.state == .active } }

    /// Ends a closure-scoped transaction: commits if still active, else rolls back and rethrows an abort.
    func finishClosure() throws {
        switch gate.withLock({ _ in context.state }) {
        case .active: try commit()
        case .failed(let error):
            rollback()
            throw database.failed(error, "commit")
        case .committed, .rolledBack: break
        }
    }
}
