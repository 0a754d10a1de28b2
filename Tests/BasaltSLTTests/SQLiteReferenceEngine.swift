import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
@testable import BasaltSLT

/// An ``SLTEngine`` over the system's SQLite library, loaded with `dlopen` so the test target
/// needs no link dependency. SQLite generated the corpus's expected results, so running the
/// corpus through it checks the runner's formatting, sorting, hashing and labels end to end.
final class SQLiteReferenceEngine: SLTEngine {
    /// The C entry points we use.
    struct API {
        typealias Open = @convention(c) (UnsafePointer<CChar>?, UnsafeMutablePointer<OpaquePointer?>?) -> Int32
        typealias Close = @convention(c) (OpaquePointer?) -> Int32
        typealias Exec = @convention(c) (OpaquePointer?, UnsafePointer<CChar>?, UnsafeRawPointer?, UnsafeMutableRawPointer?, UnsafeMutableRawPointer?) -> Int32
        typealias Prepare = @convention(c) (OpaquePointer?, UnsafePointer<CChar>?, Int32, UnsafeMutablePointer<OpaquePointer?>?, UnsafeMutablePointer<UnsafePointer<CChar>?>?) -> Int32
        typealias Stmt = @convention(c) (OpaquePointer?) -> Int32
        typealias ColumnInt = @convention(c) (OpaquePointer?, Int32) -> Int32
        typealias ColumnInt64 = @convention(c) (OpaquePointer?, Int32) -> Int64
        typealias ColumnDouble = @convention(c) (OpaquePointer?, Int32) -> Double
        typealias ColumnPointer = @convention(c) (OpaquePointer?, Int32) -> UnsafeRawPointer?
        typealias Errmsg = @convention(c) (OpaquePointer?) -> UnsafePointer<CChar>?

        let open: Open, close: Close, exec: Exec, prepare: Prepare, step: Stmt, finalize: Stmt
        let columnCount: Stmt, columnType: ColumnInt, columnInt64: ColumnInt64, columnDouble: ColumnDouble
        let columnText: ColumnPointer, columnBlob: ColumnPointer, columnBytes: ColumnInt, errmsg: Errmsg

        /// Loads the library, or returns nil if it is not installed.
        static func load() -> API? {
            let candidates = ["libsqlite3.so.0", "libsqlite3.so", "/usr/lib/libsqlite3.dylib", "libsqlite3.dylib"]
            guard let handle = candidates.lazy.compactMap({ dlopen($0, RTLD_NOW) }).first else { return nil }
            func sym<T>(_ name: String, _: T.Type) -> T? {
                guard let p = dlsym(handle, name) else { return nil }
                return unsafeBitCast(p, to: T.self)
            }
            guard let open = sym("sqlite3_open", Open.self), let close = sym("sqlite3_close", Close.self),
                  let exec = sym("sqlite3_exec", Exec.self), let prepare = sym("sqlite3_prepare_v2", Prepare.self),
                  let step = sym("sqlite3_step", Stmt.self), let finalize = sym("sqlite3_finalize", Stmt.self),
                  let columnCount = sym("sqlite3_column_count", Stmt.self),
                  let columnType = sym("sqlite3_column_type", ColumnInt.self),
                  let columnInt64 = sym("sqlite3_column_int64", ColumnInt64.self),
                  let columnDouble = sym("sqlite3_column_double", ColumnDouble.self),
                  let columnText = sym("sqlite3_column_text", ColumnPointer.self),
                  let columnBlob = sym("sqlite3_column_blob", ColumnPointer.self),
                  let columnBytes = sym("sqlite3_column_bytes", ColumnInt.self),
                  let errmsg = sym("sqlite3_errmsg", Errmsg.self)
            else { return nil }
            return API(open: open, close: close, exec: exec, prepare: prepare, step: step, finalize: finalize,
                       columnCount: columnCount, columnType: columnType, columnInt64: columnInt64,
                       columnDouble: columnDouble, columnText: columnText, columnBlob: columnBlob,
                       columnBytes: columnBytes, errmsg: errmsg)
        }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static let api = API.load()

    let names = ["sqlite"]
    private let api: API
    private var db: OpaquePointer?

    init?() {
        guard let api = SQLiteReferenceEngine.api else { return nil }
        self.api = api
        guard api.open(":memory:", &db) == 0 else { return nil }
    }

    deinit {
        _ = api.close(db)
    }

    private func error() -> Failure {
        Failure(description: api.errmsg(db).map { String(cString: $0) } ?? "unknown error")
    }

    func execute(_ sql: String) throws {
        guard api.exec(db, sql, nil, nil, nil) == 0 else { throw error() }
    }

    func query(_ sql: String) throws -> [[SLTValue]] {
        var stmt: OpaquePointer?
        guard api.prepare(db, sql, -1, &stmt, nil) == 0, let stmt else { throw error() }
        defer { _ = api.finalize(stmt) }
        let columns = api.columnCount(stmt)
        var rows: [[SLTValue]] = []
        while true {
            let rc = api.step(stmt)
            if rc == 101 { break }          // SQLITE_DONE
            guard rc == 100 else { throw error() }  // SQLITE_ROW
            var row: [SLTValue] = []
            for c in 0..<columns {
                switch api.columnType(stmt, c) {
                case 1: row.append(.integer(api.columnInt64(stmt, c)))
                case 2: row.append(.real(api.columnDouble(stmt, c)))
                case 3:
                    let p = api.columnText(stmt, c)
                    let n = Int(api.columnBytes(stmt, c))
                    row.append(.text(p.map { String(decoding: UnsafeRawBufferPointer(start: $0, count: n), as: UTF8.self) } ?? ""))
                case 4:
                    let p = api.columnBlob(stmt, c)
                    let n = Int(api.columnBytes(stmt, c))
                    row.append(.blob(p.map { Array(UnsafeRawBufferPointer(start: $0, count: n)) } ?? []))
                default: row.append(.null)
                }
            }
            rows.append(row)
        }
        return rows
    }
}
