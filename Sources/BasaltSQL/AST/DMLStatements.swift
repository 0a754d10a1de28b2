/// `[WITH …] INSERT [OR action] INTO table [AS alias] [(columns)] source [ON CONFLICT …] [RETURNING …]`,
/// also SQLite's `REPLACE INTO`.
public struct InsertStatement: Sendable, Hashable {
    /// `WITH` clause before INSERT.
    public var with: WithClause?
    /// Target table.
    public var table: ObjectName
    /// `AS alias` (PostgreSQL; lets ON CONFLICT refer to the target by another name).
    public var alias: String?
    /// Explicit column list; `nil` means all columns in table order.
    public var columns: [String]?
    /// The rows to insert.
    public var source: InsertSource
    /// SQLite's `INSERT OR REPLACE|IGNORE|…` (`REPLACE INTO` is `.replace`).
    public var orAction: ConflictAlgorithm?
    /// PostgreSQL's `ON CONFLICT`.
    public var onConflict: OnConflictClause?
    /// `RETURNING` items.
    public var returning: [SelectItem]?
    /// Where the statement starts.
    public var location: SourceLocation

    /// Creates the statement.
    public init(with: WithClause? = nil, table: ObjectName, alias: String? = nil, columns: [String]? = nil,
                source: InsertSource, orAction: ConflictAlgorithm? = nil, onConflict: OnConflictClause? = nil,
                returning: [SelectItem]? = nil, location: SourceLocation = .unknown) {
        self.with = with
        self.table = table
        self.alias = alias
        self.columns = columns
        self.source = source
        self.orAction = orAction
        self.onConflict = onConflict
        self.returning = returning
        self.location = location
    }
}

/// Where inserted rows come from.
public enum InsertSource: Sendable, Hashable {
    /// `VALUES (…), (…)`; items may be ``ExpressionKind/defaultValue``.
    case values([[Expression]])
    /// A query (anything but a bare VALUES list).
    case select(SelectStatement)
    /// `DEFAULT VALUES`.
    case defaultValues
}

/// SQLite's `OR` conflict algorithms; raw values are the SQL spelling.
public enum ConflictAlgorithm: String, Sendable, Hashable, CaseIterable {
    /// `OR REPLACE` / `REPLACE INTO`: delete conflicting rows, then insert.
    case replace = "REPLACE"
    /// `OR IGNORE`: skip conflicting rows.
    case ignore = "IGNORE"
    /// `OR ABORT` (the default).
    case abort = "ABORT"
    /// `OR FAIL`.
    case fail = "FAIL"
    /// `OR ROLLBACK`.
    case rollback = "ROLLBACK"
}

/// `ON CONFLICT [(columns) [WHERE …]] DO NOTHING | DO UPDATE SET … [WHERE …]`.
public struct OnConflictClause: Sendable, Hashable {
    /// Conflict target columns; `nil` means any constraint (only valid with DO NOTHING).
    public var targetColumns: [String]?
    /// Partial-index predicate of the target.
    public var targetWhere: Expression?
    /// The action.
    public var action: OnConflictAction

    /// Creates the clause.
    public init(targetColumns: [String]? = nil, targetWhere: Expression? = nil, action: OnConflictAction) {
        self.targetColumns = targetColumns
        self.targetWhere = targetWhere
        self.action = action
    }
}

/// What ON CONFLICT does. `EXCLUDED.col` in the update is an ordinary qualified column reference.
public enum OnConflictAction: Sendable, Hashable {
    /// `DO NOTHING`.
    case nothing
    /// `DO UPDATE SET assignments [WHERE condition]`.
    case update([Assignment], whereClause: Expression?)
}

/// `column = value` in UPDATE and ON CONFLICT DO UPDATE. `(a, b) = (x, y)` is split into one
/// assignment per column.
public struct Assignment: Sendable, Hashable {
    /// The assigned column.
    public var column: String
    /// The new value (may be ``ExpressionKind/defaultValue``).
    public var value: Expression
    /// Where the column name is.
    public var location: SourceLocation

    /// Creates an assignment.
    public init(column: String, value: Expression, location: SourceLocation = .unknown) {
        self.column = column
        self.value = value
        self.location = location
    }
}

/// `[WITH …] UPDATE [OR action] table [[AS] alias] SET … [FROM …] [WHERE …] [RETURNING …]`.
public struct UpdateStatement: Sendable, Hashable {
    /// `WITH` clause.
    public var with: WithClause?
    /// Target table.
    public var table: ObjectName
    /// Target alias.
    public var alias: String?
    /// SQLite's `UPDATE OR action`.
    public var orAction: ConflictAlgorithm?
    /// The assignments, at least one.
    public var assignments: [Assignment]
    /// `FROM` list (PostgreSQL).
    public var from: [TableReference]
    /// `WHERE`.
    public var whereClause: Expression?
    /// `RETURNING` items.
    public var returning: [SelectItem]?
    /// Where the statement starts.
    public var location: SourceLocation

    /// Creates the statement.
    public init(with: WithClause? = nil, table: ObjectName, alias: String? = nil, orAction: ConflictAlgorithm? = nil,
                assignments: [Assignment], from: [TableReference] = [], whereClause: Expression? = nil,
                returning: [SelectItem]? = nil, location: SourceLocation = .unknown) {
        self.with = with
        self.table = table
        self.alias = alias
        self.orAction = orAction
        self.assignments = assignments
        self.from = from
        self.whereClause = whereClause
        self.returning = returning
        self.location = location
    }
}

/// `[WITH …] DELETE FROM table [[AS] alias] [USING …] [WHERE …] [RETURNING …]`.
public struct DeleteStatement: Sendable, Hashable {
    /// `WITH` clause.
    public var with: WithClause?
    /// Target table.
    public var table: ObjectName
    /// Target alias.
    public var alias: String?
    /// `USING` list (PostgreSQL).
    public var using: [TableReference]
    /// `WHERE`.
    public var whereClause: Expression?
    /// `RETURNING` items.
    public var returning: [SelectItem]?
    /// Where the statement starts.
    public var location: SourceLocation

    /// Creates the statement.
    public init(with: WithClause? = nil, table: ObjectName, alias: String? = nil, using: [TableReference] = [],
                whereClause: Expression? = nil, returning: [SelectItem]? = nil, location: SourceLocation = .unknown) {
        self.with = with
        self.table = table
        self.alias = alias
        self.using = using
        self.whereClause = whereClause
        self.returning = returning
        self.location = location
    }
}
