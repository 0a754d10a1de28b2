import BasaltExecution
import BasaltSQL

/// A statement parsed once and run many times with different parameters, on the session that
/// prepared it (`SQLSession.prepare`, `Database.prepare`).
public final class PreparedStatement: @unchecked Sendable {
    // Sendable (unchecked): immutable after init; running goes through the session's gate.
    let session: SQLSession
    let statement: BasaltSQL.Statement
    let sql: String

    init(session: SQLSession, statement: BasaltSQL.Statement, sql: String) {
        self.session = session
        self.statement = statement
        self.sql = sql
    }

    /// Runs the statement; returns the rows it changed (or returned).
    @discardableResult
    public func execute(_ parameters: [any SQLParameter] = []) throws -> Int {
        switch try session.runPrepared(statement, parameters.map(\.sqlValue), sql: sql, lazy: false) {
        case .count(let n): return n
        case .rows(let rows): return try rows.all().count
        }
    }

    /// Runs the statement and returns its rows.
    public func query(_ parameters: [any SQLParameter] = []) throws -> Rows {
        switch try session.runPrepared(statement, parameters.map(\.sqlValue), sql: sql, lazy: true) {
        case .count: return Rows(columns: [], rows: RowBatch(width: 0))
        case .rows(let rows): return rows
        }
    }
}
