import BasaltExecution
import BasaltPlanner
import BasaltSQL

/// A statement parsed once and run many times with different parameters, on the session that
/// prepared it (`SQLSession.prepare`, `Database.prepare`).
public final class PreparedStatement: @unchecked Sendable {
    // Sendable (unchecked): immutable after init; running goes through the session's gate.
    let session: SQLSession
    let statement: BasaltSQL.Statement
    let sql: String
    /// The plan of the last run, reused while the catalog is unchanged.
    let cache = PlanCache()

    init(session: SQLSession, statement: BasaltSQL.Statement, sql: String) {
        self.session = session
        self.statement = statement
        self.sql = sql
    }

    /// Runs the statement; returns the rows it changed (or returned).
    @discardableResult
    public func execute(_ parameters: [any SQLParameter] = []) throws -> Int {
        switch try session.runPrepared(statement, parameters.map(\.sqlValue), sql: sql, lazy: false, cache: cache) {
        case .count(let n): return n
        case .rows(let rows): return try rows.all().count
        }
    }

    /// Runs the statement and returns its rows.
    public func query(_ parameters: [any SQLParameter] = []) throws -> Rows {
        switch try session.runPrepared(statement, parameters.map(\.sqlValue), sql: sql, lazy: true, cache: cache) {
        case .count: return Rows(columns: [], rows: RowBatch(width: 0))
        case .rows(let rows): return rows
        }
    }
}

/// A prepared statement's plan, kept between runs. A plan is an operator tree that one run at a time
/// may use: while lazily read `Rows` still hold it, the next run plans afresh.
final class PlanCache {
    private var version: UInt64?
    private var plan: PlannedQuery?
    /// The rows reading the cached plan, if still open.
    private weak var reader: Rows?

    /// Gives `runner` the cached plan when it is free and made under the current catalog version (the
    /// runner compares versions).
    func offer(to runner: StatementRunner) {
        guard let version, let plan, reader == nil || reader!.isFinished else { return }
        runner.cachedPlan = (version, plan)
    }

    /// Keeps the plan `runner` used, when it was made against the newest committed catalog.
    func keep(from runner: StatementRunner, outcome: SQLSession.Outcome) {
        guard let used = runner.usedPlan, let version = runner.schemaVersion else { return }
        self.version = version
        self.plan = used
        if case .rows(let rows) = outcome { reader = rows } else { reader = nil }
    }
}
