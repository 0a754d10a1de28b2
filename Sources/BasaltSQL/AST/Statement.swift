/// One SQL statement.
public indirect enum Statement: Sendable, Hashable {
    /// A query (`SELECT`, `VALUES`, `TABLE`, `WITH … SELECT`).
    case select(SelectStatement)
    /// `INSERT` / `REPLACE`.
    case insert(InsertStatement)
    /// `UPDATE`.
    case update(UpdateStatement)
    /// `DELETE`.
    case delete(DeleteStatement)
    /// `CREATE TABLE`.
    case createTable(CreateTableStatement)
    /// `DROP TABLE`.
    case dropTable(DropStatement)
    /// `CREATE INDEX`.
    case createIndex(CreateIndexStatement)
    /// `DROP INDEX`.
    case dropIndex(DropStatement)
    /// `CREATE VIEW`.
    case createView(CreateViewStatement)
    /// `DROP VIEW`.
    case dropView(DropStatement)
    /// `ALTER TABLE`.
    case alterTable(AlterTableStatement)
    /// `CREATE TRIGGER` (SQLite form).
    case createTrigger(CreateTriggerStatement)
    /// `DROP TRIGGER`.
    case dropTrigger(DropStatement)
    /// `BEGIN` / `START TRANSACTION` with optional modes.
    case begin(TransactionModes)
    /// `COMMIT` / `END`.
    case commit
    /// `ROLLBACK` / `ABORT`.
    case rollback
    /// `SAVEPOINT name`.
    case savepoint(String)
    /// `RELEASE [SAVEPOINT] name`.
    case releaseSavepoint(String)
    /// `ROLLBACK TO [SAVEPOINT] name`.
    case rollbackToSavepoint(String)
    /// `SET TRANSACTION …` (also `SET SESSION CHARACTERISTICS AS TRANSACTION …`, with `session: true`).
    case setTransaction(TransactionModes, session: Bool)
    /// `SET [SESSION|LOCAL] name {=|TO} value[, …]` or `… = DEFAULT`.
    case set(SetStatement)
    /// `RESET name` / `RESET ALL` (`name` is `all`).
    case reset(String)
    /// `SHOW name` / `SHOW ALL` (`name` is `all`).
    case show(String)
    /// `EXPLAIN [ANALYZE] [VERBOSE] statement` (also `EXPLAIN (ANALYZE, VERBOSE) …` and SQLite's
    /// `EXPLAIN QUERY PLAN`).
    case explain(ExplainStatement)
    /// `REINDEX [name]` (SQLite form; rebuilds indexes).
    case reindex(ObjectName?)
}

/// `ISOLATION LEVEL …` and `READ ONLY|READ WRITE` of BEGIN and SET TRANSACTION.
public struct TransactionModes: Sendable, Hashable {
    /// The requested isolation level, if any.
    public var isolation: IsolationLevel?
    /// `READ ONLY` (`true`) or `READ WRITE` (`false`), if given.
    public var readOnly: Bool?

    /// Creates transaction modes.
    public init(isolation: IsolationLevel? = nil, readOnly: Bool? = nil) {
        self.isolation = isolation
        self.readOnly = readOnly
    }
}

/// SQL isolation levels; raw values are the SQL spelling.
public enum IsolationLevel: String, Sendable, Hashable, CaseIterable {
    /// `READ UNCOMMITTED` (PostgreSQL treats it as READ COMMITTED).
    case readUncommitted = "READ UNCOMMITTED"
    /// `READ COMMITTED`.
    case readCommitted = "READ COMMITTED"
    /// `REPEATABLE READ` (snapshot isolation).
    case repeatableRead = "REPEATABLE READ"
    /// `SERIALIZABLE`.
    case serializable = "SERIALIZABLE"
}

/// `SET [SESSION|LOCAL] name = value, …`.
public struct SetStatement: Sendable, Hashable {
    /// Setting name, lower-cased; dotted names are joined with `.`.
    public var name: String
    /// `SET LOCAL` (transaction-scoped).
    public var isLocal: Bool
    /// The values; `nil` for `DEFAULT`. Bare words (`on`, `public`) become string literals, as in PostgreSQL.
    public var values: [Expression]?

    /// Creates a SET statement.
    public init(name: String, isLocal: Bool = false, values: [Expression]?) {
        self.name = name
        self.isLocal = isLocal
        self.values = values
    }
}

/// `EXPLAIN` options and the explained statement.
public struct ExplainStatement: Sendable, Hashable {
    /// The statement to explain.
    public var statement: Statement
    /// `ANALYZE`: run it and report actual rows and times.
    public var analyze: Bool
    /// `VERBOSE`.
    public var verbose: Bool

    /// Creates an EXPLAIN.
    public init(statement: Statement, analyze: Bool = false, verbose: Bool = false) {
        self.statement = statement
        self.analyze = analyze
        self.verbose = verbose
    }
}
