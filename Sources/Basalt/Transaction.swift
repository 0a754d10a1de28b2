import BasaltStorage

/// The handle a `Database.write` closure receives: reads and writes inside one transaction. Its writes
/// commit together when the closure returns and are rolled back when it throws. Reads see the
/// transaction's own writes.
///
/// Valid only during the closure, on the closure's thread: afterwards every call throws
/// `.invalidTransactionState`. Errors are `BasaltError`s, as from `Database`; a failed write leaves the
/// transaction as it was before that write, so the closure may go on or throw to roll everything back.
public final class Transaction {
    private let engine: StorageEngine
    private let id: UInt64
    private let path: String
    private var isActive = true

    init(engine: StorageEngine, id: UInt64, path: String) {
        self.engine = engine
        self.id = id
        self.path = path
    }

    func invalidate() { isActive = false }

    private func run<R>(_ operation: String, _ body: () throws -> R) throws -> R {
        guard isActive else {
            throw BasaltError(code: .invalidTransactionState, message: "the transaction is over: its handle was used after its write closure",
                              context: ["operation": operation, "database": path],
                              suggestion: "use the Transaction only inside the closure passed to Database.write")
        }
        do {
            return try body()
        } catch let error as StorageError {
            throw BasaltError(error, operation: operation, path: path)
        }
    }

    /// The value stored under `key` (including this transaction's writes), or nil.
    public func get(_ key: [UInt8]) throws -> [UInt8]? {
        try run("get") { try engine.get(.keyValue, key) }
    }

    /// Stores `value` under `key` in this transaction.
    public func put(_ key: [UInt8], _ value: [UInt8]) throws {
        try run("put") {
            _ = try key.withUnsafeBytes { k in try value.withUnsafeBytes { v in try engine.put(.keyValue, k, v, transaction: id) } }
        }
    }

    /// Removes `key` in this transaction; returns whether it was present.
    @discardableResult
    public func delete(_ key: [UInt8]) throws -> Bool {
        try run("delete") { try key.withUnsafeBytes { try engine.delete(.keyValue, $0, transaction: id).found } }
    }

    /// Stores every pair (for a repeated key, the last wins) in this transaction, in key order.
    public func putBatch(_ pairs: [([UInt8], [UInt8])]) throws {
        try run("putBatch") { _ = try engine.putBatch(.keyValue, pairs, transaction: id) }
    }

    /// Visits the pairs with `start <= key < end` in key order (descending with `reverse`) until `body`
    /// returns false or `limit` pairs were visited; returns the number visited. `body` must not write.
    @discardableResult
    public func scan(from start: [UInt8]? = nil, to end: [UInt8]? = nil, limit: Int = .max, reverse: Bool = false,
                     _ body: (borrowing KeyValueView) throws -> Bool) throws -> Int {
        guard limit > 0 else { return 0 }
        return try run("scan") {
            var visited = 0
            let lower = start, upper = end
            return try withOptionalBytes(lower) { lo in
                try withOptionalBytes(upper) { hi in
                    try engine.scan(.keyValue, lower: lo, upper: hi, reverse: reverse) { key, value in
                        visited += 1
                        return try body(KeyValueView(keyBytes: key, valueBytes: value)) && visited < limit
                    }
                    return visited
                }
            }
        }
    }
}
