import Basalt

/// The key-value operations the kv suite (and later the YCSB suite) times, so each workload is written
/// once for both engines. Workloads are generic over it, so calls are specialized, not dynamic.
protocol KVEngine {
    static var engine: Engine { get }
    /// Stores every pair durably in one batch / transaction.
    func load(_ pairs: [([UInt8], [UInt8])]) throws
    /// Calls `body` with the value of `key` and returns true, or returns false when absent.
    func get(_ key: [UInt8], _ body: (UnsafeRawBufferPointer) -> Void) throws -> Bool
    /// Visits up to `limit` pairs with key >= `start`, in key order; returns how many.
    func scan(from start: [UInt8], limit: Int, _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> Void) throws -> Int
    func close() throws
}

/// Basalt through its public API only.
struct BasaltKV: KVEngine {
    static let engine = Engine.basalt
    let database: Database

    init(path: String, cacheBytes: Int, pageSize: Int, backgroundCheckpoints: Bool = true) throws {
        var config = Config()
        config.bufferPoolBytes = cacheBytes
        config.pageSize = pageSize
        config.backgroundCheckpoints = backgroundCheckpoints
        database = try Database.open(path: path, config: config)
    }

    func load(_ pairs: [([UInt8], [UInt8])]) throws {
        try database.putBatch(pairs)
    }

    func get(_ key: [UInt8], _ body: (UnsafeRawBufferPointer) -> Void) throws -> Bool {
        // In place, as SQLite's sqlite3_column_blob pointer is: no copy of the value.
        try database.withValue(forKey: key) { pair in pair.withValueBytes(body) } != nil
    }

    func scan(from start: [UInt8], limit: Int, _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> Void) throws -> Int {
        // In place, as SQLite's column pointers are: no copy of key or value per row.
        try database.scan(from: start, limit: limit) { pair in
            pair.withKeyBytes { key in pair.withValueBytes { value in body(key, value) } }
            return true
        }
    }

    func close() throws {
        try database.close()
    }
}
