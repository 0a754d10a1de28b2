import BasaltExecution
import BasaltPlanner
import BasaltSQL
import BasaltStorage
import BasaltTransactions
import Foundation

/// A SQL session: a sequence of statements with PostgreSQL's transaction semantics. Outside BEGIN …
/// COMMIT each statement is its own transaction (autocommit, retried on serialization failures). Inside
/// one, a failed statement leaves the transaction aborted (25P02) until ROLLBACK (or ROLLBACK TO a
/// savepoint); COMMIT of an aborted transaction rolls it back.
///
/// Thread-safe: one statement runs at a time (a gate lock). Open sessions with `Database.session()`.
public final class SQLSession: @unchecked Sendable {
    // Sendable (unchecked): every mutable field is read and written only inside `gate`.
    let database: Database
    private let gate = Locked(())

    /// The session's transaction block.
    ///
    /// A class, though only the session holds it: each statement tests and reads the block, and a
    /// struct would be copied whole (its schema's dictionaries, its savepoints) by each such test.
    final class Block {
        var context: TransactionContext?
        var isolation: IsolationLevel
        var readOnly: Bool
        /// The schema after this block's own DDL (nil: none ran; use the newest committed).
        var schema: Schema?
        var failed = false
        /// Open savepoints with the block's schema when each was taken, so ROLLBACK TO undoes DDL's
        /// effect on the session's schema as the transaction layer undoes its catalog writes.
        var savepoints: [(name: String, schema: Schema?)] = []
        /// The execution context of this block's last point insert, reused by the next one under the
        /// same catalog version: building one per row (copying the schema in, releasing it after) cost
        /// a bulk insert about 5%. Its `parameters` stay those of the run that made it; a point insert
        /// takes its values from the parameters it is given. Held here, not by the prepared statement,
        /// so it goes with the transaction. Unchecked exclusivity: read once per inserted row, only
        /// under the session's gate and never within another access to it.
        @exclusivity(unchecked) var pointInsertContext: ExecutionContext?
        /// The array `runPointInsertInBlock` converts each execution's parameters into, kept for the
        /// next one (same gate and exclusivity reasoning as `pointInsertContext`).
        @exclusivity(unchecked) var parameterValues: [SQLValue] = []

        init(isolation: IsolationLevel, readOnly: Bool) {
            self.isolation = isolation
            self.readOnly = readOnly
        }
    }
    private var block: Block?
    /// SET TRANSACTION for the next transaction, and SET/SHOW settings.
    private var settings: [String: String] = [:]
    /// Parser options: SQLite's compound-select precedence for the sqllogictest runner.
    var parserOptions = ParserOptions()
    /// Planner options (lenient SQLite forms are accepted by default).
    var plannerOptions = PlannerOptions()

    /// Evaluate UNION, INTERSECT and EXCEPT left to right with equal precedence, as SQLite does
    /// (PostgreSQL, the default, binds INTERSECT tighter). For running SQLite's test corpus.
    public var sqliteCompoundSelects: Bool {
        get { gate.withLock { _ in parserOptions.sqliteCompoundPrecedence } }
        set { gate.withLock { _ in parserOptions.sqliteCompoundPrecedence = newValue } }
    }

    init(database: Database) {
        self.database = database
    }

    deinit {
        if let context = block?.context { database.manager.rollback(context) }
    }

    /// Whether a transaction block is open (after BEGIN, before COMMIT/ROLLBACK).
    public var inTransaction: Bool { gate.withLock { _ in block != nil } }

    // MARK: Public API

    /// Runs a script of `;`-separated statements; returns the number of rows the last one changed
    /// (or returned). `parameters` bind `$1…`/`?` of every statement. Throws `BasaltError` with the
    /// statement's SQLSTATE; statements before the failing one keep their effects (each is its own
    /// transaction outside a block).
    @discardableResult
    public func execute(_ sql: String, _ parameters: [any SQLParameter] = []) throws -> Int {
        try gate.withLock { _ in
            let statements = try parse(sql)
            var last = 0
            for statement in statements {
                let outcome = try run(statement, parameters.map(\.sqlValue), sql: sql, lazy: false)
                switch outcome {
                case .count(let n): last = n
                case .rows(let rows): last = try rows.all().count
                }
            }
            return last
        }
    }

    /// Runs one statement and returns its rows (empty for statements without rows).
    public func query(_ sql: String, _ parameters: [any SQLParameter] = []) throws -> Rows {
        try gate.withLock { _ in
            let statements = try parse(sql)
            guard statements.count == 1 else {
                throw BasaltError(code: .syntaxError, message: statements.isEmpty ? "empty query" : "query() takes one statement",
                                  suggestion: "Use execute() for scripts.")
            }
            switch try run(statements[0], parameters.map(\.sqlValue), sql: sql, lazy: block == nil) {
            case .rows(let rows): return rows
            case .count: return Rows(columns: [], rows: RowBatch(width: 0))
            }
        }
    }

    /// Parses and plans `sql` once for repeated execution.
    public func prepare(_ sql: String) throws -> PreparedStatement {
        try gate.withLock { _ in
            let statements = try parse(sql)
            guard statements.count == 1 else {
                throw BasaltError(code: .syntaxError, message: "prepare() takes one statement")
            }
            return PreparedStatement(session: self, statement: statements[0], sql: sql)
        }
    }

    // MARK: Running

    enum Outcome {
        case count(Int)
        case rows(Rows)
    }

    func parse(_ sql: String) throws -> [BasaltSQL.Statement] {
        do {
            return try Parser.parse(sql, options: parserOptions)
        } catch {
            throw BasaltError(syntax: error, sql: sql)
        }
    }

    /// Runs a prepared statement whose cached plan is a point insert inside this session's open,
    /// begun and healthy transaction block, without the general statement dispatch: the shape of a bulk
    /// load (BEGIN, the same INSERT per row, COMMIT). Nil, having done nothing, in any other case (the
    /// caller runs the statement normally). A failure leaves the block failed, as `run` does.
    /// `count` parameter values are written by `fill` into a buffer of that many (any contents).
    func runPointInsertInBlock(count: Int, filling fill: (UnsafeMutableBufferPointer<SQLValue>) -> Void,
                               sql: String, cache: PlanCache) throws -> Int? {
        try gate.withLock { _ in
            guard cache.mayBePointInsert, let block, !block.failed, block.schema == nil,
                  let context = block.context else { return nil }
            // The values go into the block's reused array, which becomes the inserted row: no array
            // allocated and freed per row. (A cast copies it; nothing keeps it after the insert.) They
            // are overwritten in place: emptying the array destroyed its values through the generic
            // runtime (`swift_arrayDestroy`), about a sixth of this method's cost.
            var values = block.parameterValues
            block.parameterValues = []
            if values.count != count { values = Array(repeating: .null, count: count) }
            values.withUnsafeMutableBufferPointer { fill($0) }
            defer { block.parameterValues = values }
            do {
                return try pointInsert(cache, context, values, sql: sql, in: block)
            } catch {
                block.failed = true
                throw error
            }
        }
    }

    func runPrepared(_ statement: BasaltSQL.Statement, _ parameters: [SQLValue], sql: String, lazy: Bool,
                     cache: PlanCache) throws -> Outcome {
        try gate.withLock { _ in try run(statement, parameters, sql: sql, lazy: lazy && block == nil, cache: cache) }
    }

    /// Runs one statement with the session's transaction rules.
    func run(_ statement: BasaltSQL.Statement, _ parameters: [SQLValue], sql: String, lazy: Bool,
             cache: PlanCache? = nil) throws -> Outcome {
        switch statement {
        case .begin(let modes):
            if block != nil { return .count(0) }   // PostgreSQL: a warning, no effect
            block = Block(isolation: isolation(modes.isolation) ?? pendingIsolation() ?? database.defaultIsolation,
                          readOnly: modes.readOnly ?? false)
            settings["next_isolation"] = nil
            return .count(0)
        case .commit:
            guard let current = block else { return .count(0) }
            block = nil
            guard let context = current.context else { return .count(0) }
            if current.failed {
                database.manager.rollback(context)
                return .count(0)
            }
            do {
                try database.manager.commit(context)
            } catch {
                database.manager.rollback(context)
                if current.schema != nil { database.sql.invalidate() }
                throw database.failed(error, "commit")
            }
            if current.schema != nil { database.sql.invalidate() }
            current.context = nil
            return .count(0)
        case .rollback:
            if let context = block?.context { database.manager.rollback(context) }
            block = nil
            return .count(0)
        case .savepoint(let name):
            try requireBlock("SAVEPOINT")
            try ensureBegun()
            try checkNotFailed()
            try wrapTransaction("savepoint") { try database.manager.savepoint(block!.context!, name) }
            block!.savepoints.append((name, block!.schema))
            return .count(0)
        case .releaseSavepoint(let name):
            try requireBlock("RELEASE SAVEPOINT")
            try checkNotFailed()
            guard let context = block?.context else { throw noSavepoint(name) }
            try wrapTransaction("release savepoint") { try database.manager.release(context, savepoint: name) }
            if let i = block!.savepoints.lastIndex(where: { $0.name == name }) { block!.savepoints.removeSubrange(i...) }
            return .count(0)
        case .rollbackToSavepoint(let name):
            try requireBlock("ROLLBACK TO SAVEPOINT")
            guard let context = block?.context else { throw noSavepoint(name) }
            try wrapTransaction("rollback to savepoint") { try database.manager.rollback(context, toSavepoint: name) }
            if let i = block!.savepoints.lastIndex(where: { $0.name == name }) {
                block!.schema = block!.savepoints[i].schema
                block!.savepoints.removeSubrange((i + 1)...)
            }
            block!.failed = false
            return .count(0)
        case .setTransaction(let modes, _):
            if block != nil {
                guard block!.context == nil else {
                    throw BasaltError(code: .activeSQLTransaction,
                                      message: "SET TRANSACTION ISOLATION LEVEL must be called before any query")
                }
                if let level = isolation(modes.isolation) { block!.isolation = level }
                if let readOnly = modes.readOnly { block!.readOnly = readOnly }
            } else if let level = isolation(modes.isolation) {
                settings["next_isolation"] = "\(level)"
            }
            return .count(0)
        case .set(let s):
            settings[s.name] = s.values?.map { String(describing: $0) }.joined(separator: ", ") ?? "default"
            return .count(0)
        case .reset(let name):
            settings[name] = nil
            return .count(0)
        case .show(let name):
            let value: String
            switch name {
            case "transaction_isolation", "transaction isolation level":
                value = Self.isolationName(block?.isolation ?? database.defaultIsolation)
            default: value = settings[name] ?? ""
            }
            return .rows(Rows(columns: [ResultColumnInfo(name: name, type: .text)],
                              rows: RowBatch(width: 1, count: 1, values: [.text(value)])))
        case .reindex(let name):
            // Indexes never need rebuilding (they are maintained transactionally); naming a missing
            // index or table is still an error, as in PostgreSQL and SQLite.
            if let name {
                let schema = try database.catalogSchema()
                if schema.index(name.name) == nil && schema.table(name.name) == nil {
                    try fail(BasaltError(code: BasaltError.Code(rawValue: "42704"), message: "index or table \"\(name.name)\" does not exist"))
                }
            }
            return .count(0)
        case .createTrigger, .dropTrigger:
            try fail(BasaltError(code: .featureNotSupported, message: "triggers are not supported"))
        default:
            break
        }
        if block != nil {
            try checkNotFailed()
            try ensureBegun()
            do {
                return try runInBlock(statement, parameters, sql: sql, cache: cache)
            } catch {
                block?.failed = true
                throw error
            }
        }
        return try autocommit(statement, parameters, sql: sql, lazy: lazy, cache: cache)
    }

    func fail(_ error: BasaltError) throws -> Never {
        if block != nil { block!.failed = true }
        throw error
    }

    private func requireBlock(_ what: String) throws {
        guard block != nil else {
            throw BasaltError(code: .noActiveSQLTransaction, message: "\(what) can only be used in transaction blocks")
        }
    }

    private func checkNotFailed() throws {
        if block?.failed == true {
            throw BasaltError(code: .inFailedSQLTransaction,
                              message: "current transaction is aborted, commands ignored until end of transaction block",
                              suggestion: "ROLLBACK, or ROLLBACK TO a savepoint.")
        }
    }

    private func noSavepoint(_ name: String) -> BasaltError {
        BasaltError(code: .invalidSavepoint, message: "savepoint \"\(name)\" does not exist")
    }

    private func ensureBegun() throws {
        guard block != nil, block!.context == nil else { return }
        do {
            block!.context = try database.manager.begin(isolation: block!.isolation, readOnly: block!.readOnly)
        } catch {
            throw database.failed(error, "begin")
        }
    }

    private func wrapTransaction(_ operation: String, _ body: () throws -> Void) throws {
        do {
            try body()
        } catch {
            throw database.failed(error, operation)
        }
    }

    private func isolation(_ level: BasaltSQL.IsolationLevel?) -> IsolationLevel? {
        switch level {
        case .readUncommitted, .readCommitted: return .readCommitted
        case .repeatableRead: return .repeatableRead
        case .serializable: return .serializable
        case nil: return nil
        }
    }

    private func pendingIsolation() -> IsolationLevel? {
        guard !settings.isEmpty else { return nil }
        switch settings["next_isolation"] {
        case "readCommitted": return .readCommitted
        case "repeatableRead": return .repeatableRead
        case "serializable": return .serializable
        default: return nil
        }
    }

    static func isolationName(_ level: IsolationLevel) -> String {
        switch level {
        case .readCommitted: return "read committed"
        case .repeatableRead: return "repeatable read"
        case .serializable: return "serializable"
        }
    }

    private func runInBlock(_ statement: BasaltSQL.Statement, _ parameters: [SQLValue], sql: String,
                            cache: PlanCache?) throws -> Outcome {
        let context = block!.context!
        if block!.schema == nil, let cache, let count = try pointInsert(cache, context, parameters, sql: sql, in: block!) {
            return .count(count)
        }
        let runner = StatementRunner(database: database, transaction: context, schema: block!.schema,
                                     plannerOptions: plannerOptions, sql: sql)
        cache?.offer(to: runner)
        let outcome = try runner.run(statement, parameters, lazy: false)
        cache?.keep(from: runner, outcome: outcome)
        if let changed = runner.changedSchema { block!.schema = changed }
        return outcome
    }

    /// The instant of a query's `AS OF SYSTEM TIME` clause: a timestamp literal ('2026-11-30 12:00:00',
    /// UTC), or a negative duration relative to now ('-10s', '-500ms', '-5m', '-2h'), as CockroachDB
    /// accepts. Nil when the statement has none.
    private func timeTravelTarget(_ statement: BasaltSQL.Statement, sql: String) throws -> Timestamp? {
        guard case .select(let select) = statement, case .select(let core) = select.body, let expression = core.asOf else {
            return nil
        }
        let text: String
        switch expression.kind {
        case .stringLiteral(let s): text = s.trimmingCharacters(in: .whitespaces)
        case .cast(let inner, _):
            guard case .stringLiteral(let s) = inner.kind else { fallthrough }
            text = s
        default:
            throw BasaltError(code: .invalidParameterValue, message: "AS OF SYSTEM TIME takes a timestamp or duration literal",
                              suggestion: "Write AS OF SYSTEM TIME '2026-11-30 12:00:00' or AS OF SYSTEM TIME '-10s'.")
        }
        let now = Date().timeIntervalSince1970
        if text.hasPrefix("-") {
            let units: [(String, Double)] = [("ms", 0.001), ("us", 0.000_001), ("s", 1), ("m", 60), ("h", 3600)]
            for (unit, scale) in units where text.hasSuffix(unit) {
                if let n = Double(text.dropFirst().dropLast(unit.count)) {
                    return Timestamp(secondsSince1970: now - n * scale)
                }
            }
        } else if case .timestamp(let micros) = try? SQLValue.text(text).cast(to: .timestamp, explicit: true) {
            return Timestamp(secondsSince1970: Double(micros) / 1_000_000)
        }
        throw BasaltError(code: .invalidParameterValue, message: "invalid AS OF SYSTEM TIME value \"\(text)\"",
                          suggestion: "Write a timestamp ('2026-11-30 12:00:00') or a negative duration ('-10s').")
    }

    /// Runs a prepared point get (see `PointGet`) without a transaction: one read of the newest visible
    /// state, which is what the read-only snapshot of an autocommit query would see. Nil when the cached
    /// plan is not one, or the catalog changed since it was made.
    private func pointGet(_ cache: PlanCache, _ parameters: [SQLValue], sql: String) throws -> Rows? {
        guard cache.mayBePointGet else { return nil }
        do {
            let version = try database.sql.schema(database.manager).version
            guard let (get, names, types) = cache.pointGet(version: version) else { return nil }
            var row: [SQLValue] = []
            row.reserveCapacity(names.count)
            var found = false
            if let key = try get.key(parameters) {
                found = try key.withUnsafeBytes { k in
                    try database.manager.visitLatest(.tables, k) { try get.decode($0, into: &row) }
                }
            }
            return Rows(names: names, types: types,
                        rows: found ? RowBatch(width: names.count, count: 1, values: row) : RowBatch(width: names.count))
        } catch {
            throw database.sqlError(error, sql: sql)
        }
    }

    /// Runs the cached plan as a scan get (`ScanGet`) when it is one made under the newest committed
    /// catalog and its range holds at most `ScanGet.limit` rows; nil otherwise (the caller runs the plan).
    private func scanGet(_ cache: PlanCache, _ parameters: [SQLValue], sql: String) throws -> Rows? {
        guard cache.shouldTryScanGet() else { return nil }
        do {
            let version = try database.sql.schema(database.manager).version
            guard let (get, names, types) = cache.scanGet(version: version) else { return nil }
            let answer = try get.rows(database.manager, parameters)
            cache.scanGetAnswered(answer != nil)
            switch answer {
            case nil: return nil
            case .encoded(let rows): return Rows(names: names, types: types, encoded: rows)
            case .values(let rows): return Rows(names: names, types: types, rows: rows)
            }
        } catch {
            throw database.sqlError(error, sql: sql)
        }
    }

    /// Runs the cached plan as a point insert in `transaction` when it is one made under the newest
    /// committed catalog (the caller has checked that the transaction changed no schema); nil otherwise.
    /// Returns the number of rows inserted. Inside a transaction block, the execution context is kept in
    /// `block` for the next point insert (one that evaluates no expressions needs nothing per statement
    /// but its parameters).
    private func pointInsert(_ cache: PlanCache, _ transaction: TransactionContext, _ parameters: [SQLValue],
                             sql: String, in block: Block? = nil) throws -> Int? {
        guard cache.mayBePointInsert else { return nil }
        do {
            if let reused = block?.pointInsertContext, reused.transaction === transaction,
               let version = reused.plannedCatalogEpoch, version == database.manager.catalogEpoch,
               let insert = cache.pointInsert(version: version), !insert.evaluatesExpressions {
                return try insert.run(reused, parameters: parameters)
            }
            let (schema, version) = try database.sql.schema(database.manager)
            guard let insert = cache.pointInsert(version: version) else { return nil }
            let context = StatementRunner.context(database, transaction, schema, parameters,
                                                  readsClock: insert.evaluatesExpressions)
            context.catalogEpoch = version
            if let block, !insert.evaluatesExpressions { block.pointInsertContext = context }
            return try insert.run(context, parameters: parameters)
        } catch {
            throw database.sqlError(error, sql: sql)
        }
    }

    private func autocommit(_ statement: BasaltSQL.Statement, _ parameters: [SQLValue], sql: String, lazy: Bool,
                            cache: PlanCache?) throws -> Outcome {
        let readOnly: Bool
        if case .select = statement { readOnly = true } else if case .explain = statement { readOnly = true } else { readOnly = false }
        let isolation = pendingIsolation() ?? database.defaultIsolation
        if !settings.isEmpty { settings["next_isolation"] = nil }
        let asOf = try timeTravelTarget(statement, sql: sql)
        if readOnly, asOf == nil, case .select = statement, let cache {
            if let rows = try pointGet(cache, parameters, sql: sql) { return .rows(rows) }
            if let rows = try scanGet(cache, parameters, sql: sql) { return .rows(rows) }
        }
        var attempt = 0
        while true {
            let context: TransactionContext
            do {
                context = try database.manager.begin(isolation: readOnly ? .repeatableRead : isolation, readOnly: readOnly,
                                                     asOf: asOf)
            } catch {
                throw database.failed(error, "begin")
            }
            do {
                if !readOnly, let cache, let count = try pointInsert(cache, context, parameters, sql: sql) {
                    try database.manager.commit(context)
                    return .count(count)
                }
                let runner = StatementRunner(database: database, transaction: context, schema: nil,
                                             plannerOptions: plannerOptions, sql: sql)
                cache?.offer(to: runner)
                let outcome = try runner.run(statement, parameters, lazy: lazy && readOnly, ownsTransaction: lazy && readOnly)
                cache?.keep(from: runner, outcome: outcome)
                if case .rows = outcome, lazy && readOnly { return outcome }   // the rows end the transaction
                try database.manager.commit(context)
                if runner.changedSchema != nil { database.sql.invalidate() }
                return outcome
            } catch {
                database.manager.rollback(context)
                if let basalt = error as? BasaltError, basalt.isRetryable, attempt < database.retries {
                    attempt += 1
                    Backoff.pause(attempt: attempt)
                    continue
                }
                if TransactionError.isOwn(error) {
                    let wrapped = TransactionError.wrap(error)
                    if wrapped.isRetryable && attempt < database.retries {
                        attempt += 1
                        Backoff.pause(attempt: attempt)
                        continue
                    }
                }
                throw database.sqlError(error, sql: sql)
            }
        }
    }
}
