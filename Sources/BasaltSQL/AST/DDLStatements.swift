/// `CREATE [TEMP] TABLE [IF NOT EXISTS] name (columns, constraints)` or `… AS query`.
public struct CreateTableStatement: Sendable, Hashable {
    /// The table's name.
    public var name: ObjectName
    /// `IF NOT EXISTS`.
    public var ifNotExists: Bool
    /// `TEMP` / `TEMPORARY`.
    public var temporary: Bool
    /// Column definitions in order (empty for `CREATE TABLE … AS`).
    public var columns: [ColumnDefinition]
    /// Table-level constraints.
    public var constraints: [TableConstraint]
    /// The query of `CREATE TABLE name AS query`.
    public var asQuery: SelectStatement?
    /// Where the table name is.
    public var location: SourceLocation

    /// Creates the statement.
    public init(name: ObjectName, ifNotExists: Bool = false, temporary: Bool = false,
                columns: [ColumnDefinition] = [], constraints: [TableConstraint] = [],
                asQuery: SelectStatement? = nil, location: SourceLocation = .unknown) {
        self.name = name
        self.ifNotExists = ifNotExists
        self.temporary = temporary
        self.columns = columns
        self.constraints = constraints
        self.asQuery = asQuery
        self.location = location
    }
}

/// `name type [constraints]` in CREATE TABLE and ALTER TABLE ADD COLUMN.
public struct ColumnDefinition: Sendable, Hashable {
    /// Column name.
    public var name: String
    /// Declared type.
    public var type: TypeName
    /// Column constraints in written order.
    public var constraints: [ColumnConstraint]
    /// Where the column name is.
    public var location: SourceLocation

    /// Creates a column definition.
    public init(name: String, type: TypeName, constraints: [ColumnConstraint] = [], location: SourceLocation = .unknown) {
        self.name = name
        self.type = type
        self.constraints = constraints
        self.location = location
    }
}

/// `[CONSTRAINT name] constraint` on a column.
public struct ColumnConstraint: Sendable, Hashable {
    /// The constraint's name, if given.
    public var name: String?
    /// The constraint.
    public var kind: ColumnConstraintKind
    /// Where it starts.
    public var location: SourceLocation

    /// Creates a column constraint.
    public init(name: String? = nil, kind: ColumnConstraintKind, location: SourceLocation = .unknown) {
        self.name = name
        self.kind = kind
        self.location = location
    }
}

/// Kinds of column constraints.
public enum ColumnConstraintKind: Sendable, Hashable {
    /// `PRIMARY KEY [ASC|DESC] [AUTOINCREMENT]`; `ascending` is `nil` when no order was written.
    case primaryKey(ascending: Bool?, autoincrement: Bool)
    /// `NOT NULL`.
    case notNull
    /// `NULL` (explicitly nullable).
    case null
    /// `UNIQUE`.
    case unique
    /// `DEFAULT expression`.
    case defaultValue(Expression)
    /// `CHECK (expression)`.
    case check(Expression)
    /// `REFERENCES table [(columns)] [ON DELETE …] [ON UPDATE …]`.
    case references(ForeignKeyReference)
}

/// The target and actions of a foreign key.
public struct ForeignKeyReference: Sendable, Hashable {
    /// The referenced table.
    public var table: ObjectName
    /// Referenced columns; empty means the referenced table's primary key.
    public var columns: [String]
    /// `ON DELETE` action, if given.
    public var onDelete: ReferentialAction?
    /// `ON UPDATE` action, if given.
    public var onUpdate: ReferentialAction?

    /// Creates a reference.
    public init(table: ObjectName, columns: [String] = [], onDelete: ReferentialAction? = nil,
                onUpdate: ReferentialAction? = nil) {
        self.table = table
        self.columns = columns
        self.onDelete = onDelete
        self.onUpdate = onUpdate
    }
}

/// Foreign key actions; raw values are the SQL spelling.
public enum ReferentialAction: String, Sendable, Hashable, CaseIterable {
    /// `CASCADE`
    case cascade = "CASCADE"
    /// `SET NULL`
    case setNull = "SET NULL"
    /// `SET DEFAULT`
    case setDefault = "SET DEFAULT"
    /// `RESTRICT`
    case restrict = "RESTRICT"
    /// `NO ACTION` (the default)
    case noAction = "NO ACTION"
}

/// `[CONSTRAINT name] constraint` at table level.
public struct TableConstraint: Sendable, Hashable {
    /// The constraint's name, if given.
    public var name: String?
    /// The constraint.
    public var kind: TableConstraintKind
    /// Where it starts.
    public var location: SourceLocation

    /// Creates a table constraint.
    public init(name: String? = nil, kind: TableConstraintKind, location: SourceLocation = .unknown) {
        self.name = name
        self.kind = kind
        self.location = location
    }
}

/// Kinds of table constraints.
public enum TableConstraintKind: Sendable, Hashable {
    /// `PRIMARY KEY (columns)`.
    case primaryKey([String])
    /// `UNIQUE (columns)`.
    case unique([String])
    /// `CHECK (expression)`.
    case check(Expression)
    /// `FOREIGN KEY (columns) REFERENCES …`.
    case foreignKey(columns: [String], references: ForeignKeyReference)
}

/// `DROP TABLE|INDEX|VIEW|TRIGGER [IF EXISTS] names [CASCADE|RESTRICT]`.
public struct DropStatement: Sendable, Hashable {
    /// The objects to drop, at least one.
    public var names: [ObjectName]
    /// `IF EXISTS`.
    public var ifExists: Bool
    /// `CASCADE` / `RESTRICT`, if given.
    public var behavior: DropBehavior?

    /// Creates a DROP statement.
    public init(names: [ObjectName], ifExists: Bool = false, behavior: DropBehavior? = nil) {
        self.names = names
        self.ifExists = ifExists
        self.behavior = behavior
    }
}

/// Whether dropping also drops dependents.
public enum DropBehavior: String, Sendable, Hashable {
    /// `CASCADE`
    case cascade = "CASCADE"
    /// `RESTRICT` (the default)
    case restrict = "RESTRICT"
}

/// `CREATE [UNIQUE] INDEX [IF NOT EXISTS] [name] ON table [USING method] (keys) [WHERE predicate]`.
public struct CreateIndexStatement: Sendable, Hashable {
    /// Index name (`nil` when omitted, as PostgreSQL allows).
    public var name: String?
    /// The indexed table.
    public var table: ObjectName
    /// `UNIQUE`.
    public var unique: Bool
    /// `IF NOT EXISTS`.
    public var ifNotExists: Bool
    /// `USING method`, lower-cased (`btree`, `hash`).
    public var method: String?
    /// Key columns or expressions with their order.
    public var columns: [OrderItem]
    /// Partial index predicate.
    public var whereClause: Expression?
    /// Where the statement starts.
    public var location: SourceLocation

    /// Creates the statement.
    public init(name: String?, table: ObjectName, unique: Bool = false, ifNotExists: Bool = false,
                method: String? = nil, columns: [OrderItem], whereClause: Expression? = nil,
                location: SourceLocation = .unknown) {
        self.name = name
        self.table = table
        self.unique = unique
        self.ifNotExists = ifNotExists
        self.method = method
        self.columns = columns
        self.whereClause = whereClause
        self.location = location
    }
}

/// `CREATE [OR REPLACE] [TEMP] VIEW [IF NOT EXISTS] name [(columns)] AS query`.
public struct CreateViewStatement: Sendable, Hashable {
    /// The view's name.
    public var name: ObjectName
    /// Optional column names.
    public var columns: [String]
    /// The defining query.
    public var query: SelectStatement
    /// `IF NOT EXISTS` (SQLite).
    public var ifNotExists: Bool
    /// `OR REPLACE` (PostgreSQL).
    public var orReplace: Bool
    /// `TEMP` / `TEMPORARY`.
    public var temporary: Bool

    /// Creates the statement.
    public init(name: ObjectName, columns: [String] = [], query: SelectStatement, ifNotExists: Bool = false,
                orReplace: Bool = false, temporary: Bool = false) {
        self.name = name
        self.columns = columns
        self.query = query
        self.ifNotExists = ifNotExists
        self.orReplace = orReplace
        self.temporary = temporary
    }
}

/// `ALTER TABLE [IF EXISTS] name action[, action …]`.
public struct AlterTableStatement: Sendable, Hashable {
    /// The table.
    public var table: ObjectName
    /// `IF EXISTS`.
    public var ifExists: Bool
    /// The actions, at least one; RENAME actions stand alone.
    public var actions: [AlterTableAction]

    /// Creates the statement.
    public init(table: ObjectName, ifExists: Bool = false, actions: [AlterTableAction]) {
        self.table = table
        self.ifExists = ifExists
        self.actions = actions
    }
}

/// One ALTER TABLE action.
public enum AlterTableAction: Sendable, Hashable {
    /// `ADD [COLUMN] [IF NOT EXISTS] column-definition`.
    case addColumn(ColumnDefinition, ifNotExists: Bool)
    /// `DROP [COLUMN] [IF EXISTS] name [CASCADE|RESTRICT]`.
    case dropColumn(String, ifExists: Bool, behavior: DropBehavior?)
    /// `RENAME [COLUMN] old TO new`.
    case renameColumn(from: String, to: String)
    /// `RENAME TO new`.
    case renameTable(to: String)
    /// `ADD table-constraint`.
    case addConstraint(TableConstraint)
}

/// SQLite's `CREATE [TEMP] TRIGGER [IF NOT EXISTS] name [BEFORE|AFTER|INSTEAD OF] event ON table
/// [FOR EACH ROW] [WHEN condition] BEGIN statement; … END`.
public struct CreateTriggerStatement: Sendable, Hashable {
    /// Trigger name.
    public var name: ObjectName
    /// `IF NOT EXISTS`.
    public var ifNotExists: Bool
    /// `TEMP` / `TEMPORARY`.
    public var temporary: Bool
    /// When it fires relative to the row change; `nil` means SQLite's default (BEFORE).
    public var timing: TriggerTiming?
    /// The triggering event.
    public var event: TriggerEvent
    /// The table (or view, for INSTEAD OF).
    public var table: ObjectName
    /// `FOR EACH ROW` was written (SQLite triggers are always row triggers).
    public var forEachRow: Bool
    /// `WHEN condition`.
    public var whenCondition: Expression?
    /// The body statements, at least one.
    public var body: [Statement]

    /// Creates the statement.
    public init(name: ObjectName, ifNotExists: Bool = false, temporary: Bool = false, timing: TriggerTiming?,
                event: TriggerEvent, table: ObjectName, forEachRow: Bool = false, whenCondition: Expression? = nil,
                body: [Statement]) {
        self.name = name
        self.ifNotExists = ifNotExists
        self.temporary = temporary
        self.timing = timing
        self.event = event
        self.table = table
        self.forEachRow = forEachRow
        self.whenCondition = whenCondition
        self.body = body
    }
}

/// Trigger timing; raw values are the SQL spelling.
public enum TriggerTiming: String, Sendable, Hashable {
    /// `BEFORE`
    case before = "BEFORE"
    /// `AFTER`
    case after = "AFTER"
    /// `INSTEAD OF`
    case insteadOf = "INSTEAD OF"
}

/// Trigger events.
public enum TriggerEvent: Sendable, Hashable {
    /// `INSERT`
    case insert
    /// `DELETE`
    case delete
    /// `UPDATE [OF columns]`
    case update(columns: [String])
}
