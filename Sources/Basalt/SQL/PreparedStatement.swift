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
        try execute(count: parameters.count) { values in
            for i in parameters.indices { values[i] = parameters[i].sqlValue }
        }
    }

    /// Runs the statement with its parameters given one by one, `$1` first:
    /// `try insert.execute(binding: id, name, price)`. The same as `execute([id, name, price])`,
    /// without building an array of boxed parameters per run (what a bulk load repeats per row).
    @inlinable @discardableResult
    public func execute<each P: SQLParameter>(binding parameters: repeat each P) throws -> Int {
        var count = 0
        for _ in repeat each parameters { count += 1 }
        return try execute(count: count) { values in
            var i = 0
            for parameter in repeat each parameters {
                values[i] = parameter.sqlValue
                i += 1
            }
        }
    }

    /// Runs the statement with `count` parameter values that `fill` writes into a buffer of that many.
    @usableFromInline
    func execute(count: Int, _ fill: (UnsafeMutableBufferPointer<SQLValue>) -> Void) throws -> Int {
        if let inserted = try session.runPointInsertInBlock(count: count, filling: fill, sql: sql, cache: cache) {
            return inserted
        }
        var values = [SQLValue](repeating: .null, count: count)
        values.withUnsafeMutableBufferPointer { fill($0) }
        switch try session.runPrepared(statement, values, sql: sql, lazy: false, cache: cache) {
        case .count(let n): return n
        case .rows(let rows): return try rows.all().count
        }
    }

    /// Runs the statement and returns its rows.
    public func query(_ parameters: [any SQLParameter] = []) throws -> Rows {
        try query(values: Self.values(parameters))
    }

    /// Runs the statement with its parameters given one by one, `$1` first, and returns its rows:
    /// `try lookup.query(binding: id)`, the same as `query([id])` without boxing each parameter.
    @inlinable
    public func query<each P: SQLParameter>(binding parameters: repeat each P) throws -> Rows {
        var values: [SQLValue] = []
        for parameter in repeat each parameters { values.append(parameter.sqlValue) }
        return try query(values: values)
    }

    @usableFromInline
    func query(values: [SQLValue]) throws -> Rows {
        switch try session.runPrepared(statement, values, sql: sql, lazy: true, cache: cache) {
        case .count: return Rows(columns: [], rows: RowBatch(width: 0))
        case .rows(let rows): return rows
        }
    }

    /// The parameters as values, read in place: `map` copied each existential out and destroyed the
    /// copy, a fifth of a prepared insert's own cost.
    static func values(_ parameters: [any SQLParameter]) -> [SQLValue] {
        var values: [SQLValue] = []
        values.reserveCapacity(parameters.count)
        for i in parameters.indices { values.append(parameters[i].sqlValue) }
        return values
    }
}

/// A prepared statement's plan, kept between runs. A plan is an operator tree that one run at a time
/// may use: while lazily read `Rows` still hold it, the next run plans afresh.
///
/// Used only under its session's gate, one run at a time. The two fields every point insert reads are
/// therefore marked for unchecked exclusivity: no access to them can overlap another.
final class PlanCache {
    @exclusivity(unchecked) private var version: UInt64?
    private var plan: PlannedQuery?
    private var columns: (names: [String], types: [SQLType]) = ([], [])
    /// Whether rows reading the cached plan are still open (nil: none were handed out).
    private var lease: PlanLease?
    /// The cached plan as a point get, when it is one (recognised once per plan).
    private var pointGet: PointGet?
    /// The cached plan as a scan get, when it is one and not a point get (recognised once per plan).
    private var scanGet: ScanGet?
    /// Scan gets in a row that found more rows than they return (the plan ran after each); above
    /// `maximumScanGetMisses` the plan runs directly, so a statement whose ranges are long does not
    /// read each one's first chunk twice.
    private var scanGetMisses = 0
    private var scanGetSkips = 0
    static let maximumScanGetMisses = 2
    static let scanGetRetryInterval = 64
    /// The cached plan as a point insert, when it is one (recognised once per plan).
    @exclusivity(unchecked) private var pointInsert: PointInsert?

    /// Whether the cached plan is a point get (of some catalog version): lets other statements skip
    /// looking the version up.
    var mayBePointGet: Bool { pointGet != nil }

    /// The cached plan as a point get with its result columns, when it is one and was made under
    /// catalog `version`.
    func pointGet(version current: UInt64) -> (get: PointGet, names: [String], types: [SQLType])? {
        guard let pointGet, version == current else { return nil }
        return (pointGet, columns.names, columns.types)
    }

    /// Whether the cached plan is a scan get worth trying (see `scanGetMisses`); after too many misses,
    /// once every `scanGetRetryInterval` runs, so a statement whose ranges became short again finds out.
    func shouldTryScanGet() -> Bool {
        guard scanGet != nil else { return false }
        guard scanGetMisses > Self.maximumScanGetMisses else { return true }
        scanGetSkips += 1
        guard scanGetSkips >= Self.scanGetRetryInterval else { return false }
        scanGetSkips = 0
        return true
    }

    /// The cached plan as a scan get with its result columns, when it is one and was made under
    /// catalog `version`.
    func scanGet(version current: UInt64) -> (get: ScanGet, names: [String], types: [SQLType])? {
        guard let scanGet, version == current else { return nil }
        return (scanGet, columns.names, columns.types)
    }

    /// Runs a scan get answered (tests check that the fast path really ran).
    private(set) var scanGetsAnswered = 0

    /// Records whether a scan get answered (true) or left its range to the plan.
    func scanGetAnswered(_ answered: Bool) {
        scanGetMisses = answered ? 0 : scanGetMisses + 1
        if answered { scanGetsAnswered += 1 }
    }

    /// Whether the cached plan is a point insert (of some catalog version).
    var mayBePointInsert: Bool { pointInsert != nil }

    /// The cached plan as a point insert, when it is one and was made under catalog `version`.
    func pointInsert(version current: UInt64) -> PointInsert? {
        guard let pointInsert, version == current else { return nil }
        return pointInsert
    }

    /// Gives `runner` the cached plan when it is free and made under the current catalog version (the
    /// runner compares versions).
    func offer(to runner: StatementRunner) {
        guard let version, let plan, !(lease?.open ?? false) else { return }
        runner.cachedPlan = (version, plan, columns)
    }

    /// Keeps the plan `runner` used, when it was made against the newest committed catalog.
    func keep(from runner: StatementRunner, outcome: SQLSession.Outcome) {
        guard let used = runner.usedPlan, let version = runner.schemaVersion else { return }
        if !runner.reusedPlan || self.version != version {
            pointGet = PointGet.recognize(used.root)
            scanGet = pointGet == nil ? ScanGet.recognize(used.root) : nil
            scanGetMisses = 0
            pointInsert = PointInsert.recognize(used.root)
        }
        self.version = version
        self.plan = used
        self.columns = runner.usedColumns
        if case .rows(let rows) = outcome, !rows.isFinished {
            let lease = PlanLease()
            rows.lease = lease
            self.lease = lease
        } else {
            lease = nil
        }
    }
}
