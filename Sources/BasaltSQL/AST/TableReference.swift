/// An item of a FROM list with the location of its first token.
public struct TableReference: Sendable, Hashable {
    /// What is referenced.
    public var kind: TableReferenceKind
    /// Where it starts.
    public var location: SourceLocation

    /// Creates a table reference.
    public init(_ kind: TableReferenceKind, location: SourceLocation = .unknown) {
        self.kind = kind
        self.location = location
    }
}

/// The kinds of ``TableReference``.
public indirect enum TableReferenceKind: Sendable, Hashable {
    /// A named table or view: `name [[AS] alias [(column aliases)]]`.
    case table(name: ObjectName, alias: String?, columnAliases: [String])
    /// A subquery in FROM: `(query) [AS] alias [(column aliases)]` (PostgreSQL 16 allows no alias).
    case derived(SelectStatement, alias: String?, columnAliases: [String])
    /// A set-returning function in FROM: `generate_series(1, 10) [AS] alias [(columns)]`.
    case function(FunctionCall, alias: String?, columnAliases: [String])
    /// `left [NATURAL] [INNER|LEFT|RIGHT|FULL|CROSS] JOIN right [ON …|USING (…)]`.
    case join(left: TableReference, right: TableReference, kind: JoinKind, condition: JoinCondition)
}

/// Join types.
public enum JoinKind: String, Sendable, Hashable {
    /// `[INNER] JOIN`
    case inner = "JOIN"
    /// `LEFT [OUTER] JOIN`
    case left = "LEFT JOIN"
    /// `RIGHT [OUTER] JOIN`
    case right = "RIGHT JOIN"
    /// `FULL [OUTER] JOIN`
    case full = "FULL JOIN"
    /// `CROSS JOIN`
    case cross = "CROSS JOIN"
}

/// How a join matches rows.
public enum JoinCondition: Sendable, Hashable {
    /// `ON expression`.
    case on(Expression)
    /// `USING (columns)`.
    case using([String])
    /// `NATURAL` (common column names).
    case natural
    /// No condition: `CROSS JOIN`, or SQLite's `JOIN` without `ON`.
    case none
}
