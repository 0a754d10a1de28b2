/// A query expression: an optional `WITH`, a body of selects combined by set operations, and the
/// `ORDER BY` / `LIMIT` / `OFFSET` that apply to the whole body.
public struct SelectStatement: Sendable, Hashable {
    /// `WITH [RECURSIVE] …`.
    public var with: WithClause?
    /// The query body.
    public var body: SetExpression
    /// `ORDER BY` items for the whole body.
    public var orderBy: [OrderItem]
    /// `LIMIT n` / `FETCH FIRST n ROWS ONLY` (the count of SQLite's `LIMIT m, n`); `nil` for none or `LIMIT ALL`.
    public var limit: Expression?
    /// `OFFSET m` (the `m` of SQLite's `LIMIT m, n`).
    public var offset: Expression?
    /// Where the statement starts.
    public var location: SourceLocation

    /// Creates a query.
    public init(with: WithClause? = nil, body: SetExpression, orderBy: [OrderItem] = [], limit: Expression? = nil,
                offset: Expression? = nil, location: SourceLocation = .unknown) {
        self.with = with
        self.body = body
        self.orderBy = orderBy
        self.limit = limit
        self.offset = offset
        self.location = location
    }
}

/// `WITH [RECURSIVE] name [(columns)] AS (query), …`.
public struct WithClause: Sendable, Hashable {
    /// `RECURSIVE` was written.
    public var recursive: Bool
    /// The common table expressions, in order.
    public var tables: [CommonTableExpression]

    /// Creates a WITH clause.
    public init(recursive: Bool, tables: [CommonTableExpression]) {
        self.recursive = recursive
        self.tables = tables
    }
}

/// One `name [(columns)] AS [[NOT] MATERIALIZED] (query)` of a WITH clause.
public struct CommonTableExpression: Sendable, Hashable {
    /// The CTE's name.
    public var name: String
    /// Optional column names.
    public var columns: [String]
    /// `MATERIALIZED` (`true`), `NOT MATERIALIZED` (`false`), or unspecified.
    public var materialized: Bool?
    /// The query.
    public var query: SelectStatement
    /// Where the name is.
    public var location: SourceLocation

    /// Creates a CTE.
    public init(name: String, columns: [String] = [], materialized: Bool? = nil, query: SelectStatement,
                location: SourceLocation = .unknown) {
        self.name = name
        self.columns = columns
        self.materialized = materialized
        self.query = query
        self.location = location
    }
}

/// The body of a query: simple selects and VALUES lists combined by set operators.
public indirect enum SetExpression: Sendable, Hashable {
    /// `SELECT …` (also `TABLE name`, which is `SELECT * FROM name`).
    case select(SelectCore)
    /// `VALUES (…), (…)`; all rows have the same length.
    case values([[Expression]])
    /// `left UNION|INTERSECT|EXCEPT [ALL] right`.
    case setOperation(SetOperator, all: Bool, SetExpression, SetExpression)
    /// A parenthesized query, which may carry its own ORDER BY / LIMIT.
    case parenthesized(SelectStatement)
}

/// The set operators.
public enum SetOperator: String, Sendable, Hashable {
    /// `UNION`
    case union = "UNION"
    /// `INTERSECT`
    case intersect = "INTERSECT"
    /// `EXCEPT`
    case except = "EXCEPT"
}

/// `SELECT [DISTINCT] items [FROM …] [AS OF SYSTEM TIME …] [WHERE …] [GROUP BY …] [HAVING …]`.
public struct SelectCore: Sendable, Hashable {
    /// Duplicate handling.
    public var distinct: DistinctMode
    /// The select list.
    public var items: [SelectItem]
    /// The comma-separated FROM list (empty for `SELECT` without FROM).
    public var from: [TableReference]
    /// CockroachDB's `AS OF SYSTEM TIME expr` after the FROM list: read as of that time (time travel).
    public var asOf: Expression?
    /// `WHERE`.
    public var whereClause: Expression?
    /// `GROUP BY` expressions.
    public var groupBy: [Expression]
    /// `HAVING`.
    public var having: Expression?
    /// Where `SELECT` is.
    public var location: SourceLocation

    /// Creates a select core.
    public init(distinct: DistinctMode = .none, items: [SelectItem], from: [TableReference] = [],
                asOf: Expression? = nil, whereClause: Expression? = nil, groupBy: [Expression] = [],
                having: Expression? = nil, location: SourceLocation = .unknown) {
        self.distinct = distinct
        self.items = items
        self.from = from
        self.asOf = asOf
        self.whereClause = whereClause
        self.groupBy = groupBy
        self.having = having
        self.location = location
    }
}

/// Duplicate elimination of a select core.
public enum DistinctMode: Sendable, Hashable {
    /// No keyword (keep duplicates).
    case none
    /// `ALL` (keep duplicates, written explicitly).
    case all
    /// `DISTINCT`.
    case distinct
    /// `DISTINCT ON (expressions)`.
    case distinctOn([Expression])
}

/// One item of a select list (or of `RETURNING`).
public enum SelectItem: Sendable, Hashable {
    /// `*`.
    case wildcard(SourceLocation)
    /// `t.*`.
    case qualifiedWildcard(ObjectName, SourceLocation)
    /// `expression [AS alias]`.
    case expression(Expression, alias: String?)
}
