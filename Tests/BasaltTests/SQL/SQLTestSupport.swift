import Basalt
import Foundation
import Testing

/// Shared helpers of the SQL suites: temporary databases, result rows as comparable text, and error
/// assertions by SQLSTATE.
enum SQLTest {
    static func temporaryPath(_ name: String = "db") -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("basalt-sql-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent(name).path
    }

    static var fastConfig: Config {
        var config = Config()
        config.syncMode = .off
        config.bufferPoolBytes = 8 << 20
        return config
    }

    /// A fresh database in a new temporary directory (durability off: these tests are about SQL).
    static func open(path: String? = nil) throws -> Database {
        try Database.open(path: path ?? temporaryPath(), config: fastConfig)
    }
}

extension SQLValue {
    /// The value with its storage class, so `1` (integer) and `1` (double) compare unequal in tests:
    /// "NULL", "i:1", "d:1.5", "n:12.50", "t:abc", "b:\x0102", "B:t", "D:2024-01-02", "T:2024-01-02 03:04:05".
    var tagged: String {
        switch self {
        case .null: return "NULL"
        case .integer(let v): return "i:\(v)"
        case .double: return "d:\(textValue)"
        case .numeric: return "n:\(textValue)"
        case .text(let v): return "t:\(v)"
        case .blob: return "b:\(textValue)"
        case .boolean: return "B:\(textValue)"
        case .date: return "D:\(textValue)"
        case .timestamp: return "T:\(textValue)"
        }
    }
}

extension Rows {
    /// Every remaining row as the values' text forms ("NULL" for NULL).
    func strings() throws -> [[String]] { try allValues().map { $0.map(\.description) } }
    /// Every remaining row with storage classes (see `SQLValue.tagged`).
    func tagged() throws -> [[String]] { try allValues().map { $0.map(\.tagged) } }
}

extension Database {
    /// The rows of `sql` as text forms.
    func rows(_ sql: String, _ parameters: [any SQLParameter] = []) throws -> [[String]] {
        try query(sql, parameters).strings()
    }

    /// The single column of `sql` as text forms.
    func column(_ sql: String, _ parameters: [any SQLParameter] = []) throws -> [String] {
        try rows(sql, parameters).map { $0[0] }
    }

    /// The one value of `sql` as text ("NULL" for NULL).
    func scalar(_ sql: String, _ parameters: [any SQLParameter] = []) throws -> String {
        let rows = try rows(sql, parameters)
        guard rows.count == 1, rows[0].count == 1 else {
            throw SQLTestFailure("expected one value from \(sql), got \(rows)")
        }
        return rows[0][0]
    }

    func count(_ table: String) throws -> Int {
        Int(try scalar("SELECT count(*) FROM \(table)"))!
    }
}

extension SQLSession {
    func rows(_ sql: String, _ parameters: [any SQLParameter] = []) throws -> [[String]] {
        try query(sql, parameters).strings()
    }
}

struct SQLTestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Runs `body`, expecting a `BasaltError` with SQLSTATE `code`; records an issue otherwise and returns
/// the error (nil when none or another was thrown).
@discardableResult
func expectSQLError(_ code: String, sourceLocation: SourceLocation = #_sourceLocation,
                    _ body: () throws -> Void) -> BasaltError? {
    do {
        try body()
        Issue.record("expected SQLSTATE \(code), but the statement succeeded", sourceLocation: sourceLocation)
        return nil
    } catch let error as BasaltError {
        #expect(error.code.rawValue == code, "expected SQLSTATE \(code), got \(error)", sourceLocation: sourceLocation)
        return error.code.rawValue == code ? error : nil
    } catch {
        Issue.record("expected BasaltError \(code), got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// Like `expectSQLError` for a statement run with `execute`, and also drains a query's rows (errors found late).
@discardableResult
func expectSQLError(_ code: String, _ db: Database, _ sql: String, _ parameters: [any SQLParameter] = [],
                    sourceLocation: SourceLocation = #_sourceLocation) -> BasaltError? {
    expectSQLError(code, sourceLocation: sourceLocation) { _ = try db.query(sql, parameters).all() }
}

@discardableResult
func expectSQLError(_ code: String, _ session: SQLSession, _ sql: String, _ parameters: [any SQLParameter] = [],
                    sourceLocation: SourceLocation = #_sourceLocation) -> BasaltError? {
    expectSQLError(code, sourceLocation: sourceLocation) { _ = try session.query(sql, parameters).all() }
}
