import CSQLite

/// A SQLite error with its result code and message.
/// Something that owns one SQLite connection: statement preparation and error reporting for it.
protocol SQLiteConnection {
    var db: OpaquePointer? { get }
}

extension SQLiteConnection {
    func prepare(_ sql: String) throws -> OpaquePointer? {
        var statement: OpaquePointer?
        try check(sqlite3_prepare_v3(db, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil), sql)
        return statement
    }

    func check(_ rc: Int32, _ context: String) throws {
        guard rc == SQLITE_OK else { throw error(context, code: rc) }
    }

    func error(_ context: String, code: Int32? = nil) -> SQLiteError {
        let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "no connection"
        return SQLiteError(code: code ?? sqlite3_errcode(db), message: "\(context): \(message)")
    }
}

struct SQLiteError: Error, CustomStringConvertible {
    var code: Int32
    var message: String
    var description: String { "SQLite error \(code): \(message)" }
}

/// A key-value table in SQLite through the C API with prepared statements: the reference engine.
///
/// Schema and settings (the same for every suite that compares against SQLite):
///   CREATE TABLE kv(key BLOB PRIMARY KEY, val BLOB) WITHOUT ROWID
///   PRAGMA journal_mode=WAL; synchronous left at its default (FULL = 2 in this build: every commit
///   fsyncs the WAL); PRAGMA cache_size=-(cache MiB * 1024), i.e. a budget in KiB; default page size.
final class SQLiteKV: KVEngine, SQLiteConnection {
    static let engine = Engine.sqlite
    static let settingsDescription =
        "kv(key BLOB PRIMARY KEY, val BLOB) WITHOUT ROWID, journal_mode=WAL, synchronous at its default, cache_size=-<cache KiB>"

    private(set) var db: OpaquePointer?
    private var insertStatement: OpaquePointer?
    private var getStatement: OpaquePointer?
    private var scanStatement: OpaquePointer?

    init(path: String, cacheBytes: Int) throws {
        let rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nil)
        guard rc == SQLITE_OK else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(db)
            throw SQLiteError(code: rc, message: "open \(path): \(message)")
        }
        do {
            try execute("PRAGMA journal_mode=WAL")
            try execute("PRAGMA cache_size=-\(cacheBytes >> 10)")
            try execute("CREATE TABLE kv(key BLOB PRIMARY KEY, val BLOB) WITHOUT ROWID")
            insertStatement = try prepare("INSERT INTO kv(key, val) VALUES (?1, ?2)")
            getStatement = try prepare("SELECT val FROM kv WHERE key = ?1")
            scanStatement = try prepare("SELECT key, val FROM kv WHERE key >= ?1 ORDER BY key LIMIT ?2")
        } catch {
            try? close()
            throw error
        }
    }

    deinit { try? close() }

    /// Runs SQL that needs no parameters; result rows are ignored.
    func execute(_ sql: String) throws {
        try check(sqlite3_exec(db, sql, nil, nil, nil), sql)
    }

    /// The first column of the first row of `sql` as an integer (e.g. a PRAGMA's value).
    func integer(_ sql: String) throws -> Int64 {
        let statement = try prepare(sql)
        defer { sqlite3_finalize(statement) }
        guard sqlite3_step(statement) == SQLITE_ROW else { throw error(sql) }
        return sqlite3_column_int64(statement, 0)
    }

    /// BEGIN; one prepared INSERT per pair, in the given order; COMMIT.
    func load(_ pairs: [([UInt8], [UInt8])]) throws {
        try execute("BEGIN")
        for (key, value) in pairs {
            try key.withUnsafeBytes { k in
                try value.withUnsafeBytes { v in
                    // SQLITE_STATIC: the bytes stay alive and unchanged until the reset below.
                    sqlite3_bind_blob(insertStatement, 1, k.baseAddress, Int32(k.count), basalt_sqlite_static())
                    sqlite3_bind_blob(insertStatement, 2, v.baseAddress, Int32(v.count), basalt_sqlite_static())
                    let rc = sqlite3_step(insertStatement)
                    sqlite3_reset(insertStatement)
                    guard rc == SQLITE_DONE else { throw error("INSERT", code: rc) }
                }
            }
        }
        try execute("COMMIT")
    }

    func get(_ key: [UInt8], _ body: (UnsafeRawBufferPointer) -> Void) throws -> Bool {
        let statement = getStatement
        defer { sqlite3_reset(statement) }
        let rc = key.withUnsafeBytes { k in
            sqlite3_bind_blob(statement, 1, k.baseAddress, Int32(k.count), basalt_sqlite_static())
            return sqlite3_step(statement)
        }
        switch rc {
        case SQLITE_ROW:
            body(UnsafeRawBufferPointer(start: sqlite3_column_blob(statement, 0), count: Int(sqlite3_column_bytes(statement, 0))))
            return true
        case SQLITE_DONE:
            return false
        default:
            throw error("SELECT val", code: rc)
        }
    }

    func scan(from start: [UInt8], limit: Int, _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> Void) throws -> Int {
        let statement = scanStatement
        defer { sqlite3_reset(statement) }
        return try start.withUnsafeBytes { s in
            sqlite3_bind_blob(statement, 1, s.baseAddress, Int32(s.count), basalt_sqlite_static())
            sqlite3_bind_int64(statement, 2, Int64(min(limit, Int(Int64.max))))
            var count = 0
            while true {
                let rc = sqlite3_step(statement)
                if rc == SQLITE_DONE { return count }
                guard rc == SQLITE_ROW else { throw error("SELECT key, val", code: rc) }
                // Read the blobs before their lengths, as the SQLite docs advise.
                let key = sqlite3_column_blob(statement, 0)
                let keyCount = Int(sqlite3_column_bytes(statement, 0))
                let value = sqlite3_column_blob(statement, 1)
                let valueCount = Int(sqlite3_column_bytes(statement, 1))
                body(UnsafeRawBufferPointer(start: key, count: keyCount), UnsafeRawBufferPointer(start: value, count: valueCount))
                count += 1
            }
        }
    }

    func close() throws {
        guard let handle = db else { return }
        for statement in [insertStatement, getStatement, scanStatement] { sqlite3_finalize(statement) }
        insertStatement = nil
        getStatement = nil
        scanStatement = nil
        db = nil
        let rc = sqlite3_close_v2(handle)
        guard rc == SQLITE_OK else { throw SQLiteError(code: rc, message: "close") }
    }

}
