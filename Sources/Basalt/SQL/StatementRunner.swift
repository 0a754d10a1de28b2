import BasaltExecution
import BasaltPlanner
import BasaltSQL
import BasaltStorage
import BasaltTransactions
import Foundation

/// Runs one statement inside a given transaction: plans it against the transaction's schema, executes
/// DML and queries, and applies DDL (catalog rows, index builds, dropped objects' rows).
final class StatementRunner {
    let database: Database
    let transaction: TransactionContext
    /// The transaction's own schema after its DDL, if any ran before this statement.
    var schema: Schema?
    let plannerOptions: PlannerOptions
    let sql: String
    /// Set when this statement changed the schema.
    private(set) var changedSchema: Schema?
    /// The catalog version `currentSchema()` read (nil: the transaction's own or a past schema).
    private(set) var schemaVersion: UInt64?
    /// A plan made earlier for the same statement under `cachedPlan.version` (prepared statements).
    var cachedPlan: (version: UInt64, plan: PlannedQuery, columns: (names: [String], types: [SQLType]))?
    /// The plan this run used, and its result column names and types, for the caller to cache.
    private(set) var usedPlan: PlannedQuery?
    private(set) var usedColumns: (names: [String], types: [SQLType]) = ([], [])
    /// Whether `usedPlan` is the cached plan (not planned afresh).
    private(set) var reusedPlan = false

    init(database: Database, transaction: TransactionContext, schema: Schema?, plannerOptions: PlannerOptions, sql: String) {
        self.database = database
        self.transaction = transaction
        self.schema = schema
        self.plannerOptions = plannerOptions
        self.sql = sql
    }

    func currentSchema() throws -> Schema {
        if let schema { return schema }
        do {
            // A time-travel read sees the catalog as it was then.
            if transaction.asOf != nil {
                let past = try CatalogStore.load(database.manager, transaction)
                schema = past
                return past
            }
            let (schema, version) = try database.sql.schema(database.manager)
            schemaVersion = version
            return schema
        } catch {
            throw database.sqlError(error, sql: sql)
        }
    }

    func context(_ schema: Schema, _ parameters: [SQLValue]) -> ExecutionContext {
        Self.context(database, transaction, schema, parameters)
    }

    /// A fresh context for one statement of `transaction`: `statement_timestamp()` is the statement's
    /// start. With `readsClock` false the caller knows nothing the statement evaluates can call it, so
    /// the clock is not read (it cost a point insert about 3%) and the statement time is the
    /// transaction's.
    static func context(_ database: Database, _ transaction: TransactionContext, _ schema: Schema,
                        _ parameters: [SQLValue], readsClock: Bool = true) -> ExecutionContext {
        let started = Int64(transaction.startedAt.secondsSince1970 * 1_000_000)
        let now = readsClock ? Int64((Date().timeIntervalSince1970 * 1_000_000).rounded()) : started
        return ExecutionContext(manager: database.manager, transaction: transaction, parameters: parameters, schema: schema,
                                functionContext: FunctionContext(statementTime: now, transactionTime: started),
                                rowIDs: database.sql.rowIDs)
    }

    func run(_ statement: BasaltSQL.Statement, _ parameters: [SQLValue], lazy: Bool,
             ownsTransaction: Bool = false) throws -> SQLSession.Outcome {
        do {
            return try runUnwrapped(statement, parameters, lazy: lazy, ownsTransaction: ownsTransaction)
        } catch {
            throw database.sqlError(error, sql: sql)
        }
    }

    private func runUnwrapped(_ statement: BasaltSQL.Statement, _ parameters: [SQLValue], lazy: Bool,
                              ownsTransaction: Bool) throws -> SQLSession.Outcome {
        switch statement {
        case .createTable, .dropTable, .createIndex, .dropIndex, .createView, .dropView, .alterTable:
            return .count(try applySchemaChange(statement))
        case .explain(let explain):
            let schema = try currentSchema()
            let planner = QueryPlanner(schema: schema, functions: database.sql.functions, options: plannerOptions)
            let planned = try plan(explain.statement, planner)
            let lines = planned.root.explainLines()
            return .rows(Rows(columns: [ResultColumnInfo(name: "QUERY PLAN", type: .text)],
                              rows: RowBatch(width: 1, count: lines.count, values: lines.map { .text($0) })))
        case .select, .insert, .update, .delete:
            let schema = try currentSchema()
            let planned: PlannedQuery
            if let cachedPlan, let version = schemaVersion, cachedPlan.version == version {
                planned = cachedPlan.plan
                usedColumns = cachedPlan.columns
                reusedPlan = true
            } else {
                let planner = QueryPlanner(schema: schema, functions: database.sql.functions, options: plannerOptions)
                planned = try plan(statement, planner)
                usedColumns = (planned.columns.map(\.name), planned.columns.map(\.type))
            }
            usedPlan = planned
            let ctx = context(schema, parameters)
            ctx.catalogEpoch = schemaVersion
            let (names, types) = usedColumns
            if case .select = statement {
                if lazy {
                    try planned.root.open(ctx)
                    return .rows(Rows(names: names, types: types, source: planned.root, context: ctx,
                                      owned: ownsTransaction ? transaction : nil, database: database, sql: sql))
                }
                return .rows(Rows(names: names, types: types, rows: try planned.root.collect(ctx)))
            }
            let rows = try planned.root.collect(ctx)
            if planned.columns.isEmpty { return .count(ctx.changedRows) }
            return .rows(Rows(names: names, types: types, rows: rows))
        default:
            throw BasaltError(code: .featureNotSupported, message: "statement is not supported here")
        }
    }

    func plan(_ statement: BasaltSQL.Statement, _ planner: QueryPlanner) throws -> PlannedQuery {
        switch statement {
        case .select(let s):
            let planned = try planner.planQuery(s)
            if planner.asOfExpression != nil && transaction.asOf == nil {
                throw BasaltError(code: .featureNotSupported,
                                  message: "AS OF SYSTEM TIME is not allowed inside a transaction block",
                                  suggestion: "Run the query on its own, or use db.read(asOf:).")
            }
            return planned
        case .insert(let s): return try planner.planInsert(s)
        case .update(let s): return try planner.planUpdate(s)
        case .delete(let s): return try planner.planDelete(s)
        default: throw BasaltError(code: .featureNotSupported, message: "EXPLAIN of this statement is not supported")
        }
    }

    /// DDL: takes the catalog's exclusive lock (DDL statements serialize; readers never wait), reads the
    /// catalog as this transaction sees it, writes the changed descriptors, and does the data work.
    func applySchemaChange(_ statement: BasaltSQL.Statement) throws -> Int {
        try database.manager.lockTree(transaction, .catalog, .exclusive)
        let before = try schema ?? CatalogStore.load(database.manager, transaction)
        let planner = QueryPlanner(schema: before, functions: database.sql.functions, options: plannerOptions)
        let change = try planner.schemaChange(statement)
        if change.schema.generation == before.generation && change.fillQuery == nil { return 0 }   // IF [NOT] EXISTS no-op
        // Writers of the tables this changes finish first, and none starts until this commits.
        for id in Self.tablesChanged(from: before, to: change.schema) {
            try database.manager.lockObject(transaction, id, .exclusive)
        }
        try CatalogStore.write(database.manager, transaction, from: before, to: change.schema)
        let ctx = context(change.schema, [])
        for name in change.requireEmpty {
            if let table = change.schema.table(name), !(try TableStore.isEmpty(ctx, table)) {
                throw ExecutionError("23502", "column of relation \"\(name)\" contains null values",
                                     context: ["table": name],
                                     hint: "Give the new NOT NULL column a DEFAULT, or fill it before adding the constraint.")
            }
        }
        let rewriter = QueryPlanner(schema: change.schema, functions: database.sql.functions, options: plannerOptions)
        for (name, column) in change.fillDefaults {
            // Existing rows read the new column as NULL: rewrite each with the default (and re-validate).
            guard let table = change.schema.table(name) else { continue }
            let value = try rewriter.defaultValue(table, column)
            let validator = RowValidator(table: table, checks: try rewriter.checks(table))
            var rows: [([UInt8], [SQLValue])] = []
            try TableStore.scan(ctx, table) { key, row in
                rows.append((key, row))
                return true
            }
            for (key, old) in rows {
                var new = old
                new[column] = try ExpressionEvaluator.evaluate(value, row: old, ctx)
                new = try validator.validate(new, ctx)
                try TableStore.update(ctx, table, key: key, old: old, new: new)
            }
        }
        for name in change.validateChecks {
            guard let table = change.schema.table(name) else { continue }
            let validator = RowValidator(table: table, checks: try rewriter.checks(table))
            try TableStore.scan(ctx, table) { _, row in
                _ = try validator.validate(row, ctx)
                return true
            }
        }
        for id in change.dropObjects {
            try TableStore.dropObject(ctx, id)
            database.sql.rowIDs.forget(id)
        }
        for index in change.buildIndexes {
            guard let table = change.schema.tables.values.first(where: { $0.id == index.tableID }) else { continue }
            try TableStore.buildIndex(ctx, table, index)
        }
        schema = change.schema
        changedSchema = change.schema
        if let query = change.fillQuery, case .createTable(let create) = statement {
            let insert = InsertStatement(table: create.name, source: .select(query))
            let filler = QueryPlanner(schema: change.schema, functions: database.sql.functions, options: plannerOptions)
            let planned = try filler.planInsert(insert)
            let fill = context(change.schema, [])
            _ = try planned.root.collect(fill)
            return fill.changedRows
        }
        return 0
    }

    /// The ids of the tables of `before` whose definition, indexes or referencing foreign keys differ in
    /// `after` (or that are gone), and of the tables a changed or new foreign key references: the
    /// tables whose rows a concurrent writer could write wrongly under `before`.
    static func tablesChanged(from before: Schema, to after: Schema) -> [UInt32] {
        // Object ids are unique and never reused, so they match a table across renames.
        let beforeByID = Dictionary(uniqueKeysWithValues: before.tables.values.map { ($0.id, $0) })
        let afterByID = Dictionary(uniqueKeysWithValues: after.tables.values.map { ($0.id, $0) })
        var changed = Set<UInt32>()
        for (id, table) in beforeByID
        where afterByID[id] != table || before.indexes(ofTable: id) != after.indexes(ofTable: id) {
            changed.insert(id)
        }
        for (id, table) in afterByID where beforeByID[id]?.foreignKeys != table.foreignKeys {
            for key in table.foreignKeys { if let parent = before.table(key.referencedTable) { changed.insert(parent.id) } }
        }
        return changed.sorted()
    }
}
